#include "model/write_policy.hpp"

namespace live_origin::model {

write_outcome classify_write(const write_facts& facts, std::string_view incoming, std::uint64_t incoming_digest) {
  if (facts.declared_gone) return write_outcome::refused_gone;
  if (facts.stored == nullptr && !facts.stored_elsewhere) return write_outcome::created;
  bool same_bytes = facts.stored == nullptr || *facts.stored == incoming;
  if (facts.stored_digest == incoming_digest && same_bytes) return write_outcome::unchanged;
  return facts.immutable ? write_outcome::refused_served : write_outcome::replaced;
}

std::uint16_t status_for(write_outcome outcome) {
  switch (outcome) {
    case write_outcome::created:
      return 201;
    case write_outcome::unchanged:
    case write_outcome::replaced:
      return 204;
    case write_outcome::refused_gone:
    case write_outcome::refused_served:
      return 409;
    case write_outcome::refused_quota:
      return 429;
    case write_outcome::store_failed:
    case write_outcome::refused_no_lease:
      return 503;
    case write_outcome::delete_scheduled:
      return 204;
  }
  return 500;
}

std::string_view to_string(write_outcome outcome) {
  switch (outcome) {
    case write_outcome::created:
      return "created";
    case write_outcome::unchanged:
      return "unchanged";
    case write_outcome::replaced:
      return "replaced";
    case write_outcome::refused_gone:
      return "segment_gone";
    case write_outcome::refused_served:
      return "segment_already_served";
    case write_outcome::refused_quota:
      return "quota_stored_bytes";
    case write_outcome::store_failed:
      return "store_failed";
    case write_outcome::refused_no_lease:
      return "no_lease";
    case write_outcome::delete_scheduled:
      return "delete_scheduled";
  }
  return "unknown";
}

}  // namespace live_origin::model
