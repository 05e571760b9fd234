#include "model/write_policy.hpp"

namespace live_origin::model {

write_outcome classify_write(const std::string_view* stored, std::uint64_t stored_digest, std::string_view incoming,
                             std::uint64_t incoming_digest) {
  if (stored == nullptr) return write_outcome::created;
  if (stored_digest == incoming_digest && *stored == incoming) return write_outcome::unchanged;
  return write_outcome::replaced;
}

std::uint16_t status_for(write_outcome outcome) { return outcome == write_outcome::created ? 201 : 204; }

std::string_view to_string(write_outcome outcome) {
  switch (outcome) {
    case write_outcome::created: return "created";
    case write_outcome::unchanged: return "unchanged";
    case write_outcome::replaced: return "replaced";
  }
  return "unknown";
}

}  // namespace live_origin::model
