#include "model/rejection.hpp"

#include <array>

namespace live_origin::model {

std::string_view to_string(rejection reason) {
  static constexpr std::array<std::string_view, rejection_count> names{
#define LIVE_ORIGIN_REJECTION_NAME(name) #name,
      LIVE_ORIGIN_REJECTIONS(LIVE_ORIGIN_REJECTION_NAME)
#undef LIVE_ORIGIN_REJECTION_NAME
  };
  auto index = static_cast<std::size_t>(reason);
  return index < names.size() ? names[index] : "unknown";
}

rejection rejection_for(path_error error) {
  switch (error) {
    case path_error::not_absolute:
      return rejection::not_absolute;
    case path_error::too_long:
      return rejection::too_long;
    case path_error::bad_percent_encoding:
      return rejection::bad_percent_encoding;
    case path_error::encoded_separator:
      return rejection::encoded_separator;
    case path_error::control_byte:
      return rejection::control_byte;
    case path_error::empty_segment:
      return rejection::empty_segment;
    case path_error::dot_segment:
      return rejection::dot_segment;
    case path_error::bad_tenant_name:
      return rejection::bad_tenant_name;
    case path_error::bad_stream_name:
      return rejection::bad_stream_name;
    case path_error::bad_object_name:
      return rejection::bad_object_name;
    case path_error::missing_object:
      return rejection::missing_object;
  }
  return rejection::malformed_request;
}

rejection rejection_for(quota_refusal refusal) {
  switch (refusal) {
    case quota_refusal::streams:
      return rejection::quota_streams;
    case quota_refusal::object_size:
      return rejection::quota_object_size;
    case quota_refusal::request_rate:
      return rejection::quota_request_rate;
    case quota_refusal::stored_bytes:
      return rejection::quota_stored_bytes;
  }
  return rejection::quota_stored_bytes;
}

std::optional<rejection> rejection_for(auth_outcome outcome) {
  switch (outcome) {
    case auth_outcome::allowed:
      return std::nullopt;
    case auth_outcome::missing_token:
      return rejection::missing_token;
    case auth_outcome::bad_token:
      return rejection::bad_token;
    case auth_outcome::not_loopback:
      return rejection::not_loopback;
    case auth_outcome::pipeline_mismatch:
      return rejection::token_pipeline_mismatch;
  }
  return rejection::bad_token;
}

std::optional<rejection> rejection_for(write_outcome outcome) {
  switch (outcome) {
    case write_outcome::created:
    case write_outcome::unchanged:
    case write_outcome::replaced:
    case write_outcome::delete_scheduled:
      return std::nullopt;
    case write_outcome::refused_gone:
      return rejection::segment_gone;
    case write_outcome::refused_served:
      return rejection::segment_already_served;
    case write_outcome::refused_quota:
      return rejection::quota_stored_bytes;
    case write_outcome::store_failed:
      return rejection::store_failed;
    case write_outcome::refused_no_lease:
      return rejection::no_lease;
  }
  return rejection::store_failed;
}

std::optional<rejection> rejection_for(read_outcome outcome) {
  switch (outcome) {
    case read_outcome::serve:
    case read_outcome::hold:
    case read_outcome::not_yet:
    case read_outcome::gone:
    case read_outcome::not_found:
      return std::nullopt;
    case read_outcome::shed:
      return rejection::shed_dvr;
    case read_outcome::hold_limit:
      return rejection::hold_limit;
    case read_outcome::unavailable:
      return rejection::owner_unavailable;
    case read_outcome::store_unavailable:
      return rejection::storage_unavailable;
  }
  return std::nullopt;
}

}  // namespace live_origin::model
