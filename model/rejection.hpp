#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "model/auth.hpp"
#include "model/object_path.hpp"
#include "model/quota.hpp"
#include "model/read_policy.hpp"
#include "model/write_policy.hpp"

namespace live_origin::model {

// Every reason the origin refuses a request, declared once. Each is counted per listener in /metrics
// (live_origin_http_rejections_total{reason}) and logged: packagers such as ffmpeg never read an error
// status, so the counters and the log are where an operator sees them. The names are the metric labels.
// clang-format off
#define LIVE_ORIGIN_REJECTIONS(X)                                                                \
  /* the request itself, on any listener */                                                      \
  X(malformed_request) X(malformed_body) X(header_too_large) X(header_timeout) X(body_timeout)   \
  X(body_too_large) X(incomplete_body) X(connection_limit) X(method_not_allowed) X(dropped)      \
  /* the path (model::path_error) */                                                             \
  X(not_absolute) X(too_long) X(bad_percent_encoding) X(encoded_separator) X(control_byte)       \
  X(empty_segment) X(dot_segment) X(bad_tenant_name) X(bad_stream_name) X(bad_object_name)       \
  X(missing_object)                                                                              \
  /* who may ask (model::auth_outcome, delivery networks) */                                     \
  X(missing_token) X(bad_token) X(not_loopback) X(token_pipeline_mismatch) X(client_not_allowed) \
  /* tenant quotas (model::quota_refusal) */                                                     \
  X(quota_streams) X(quota_object_size) X(quota_request_rate) X(quota_stored_bytes)              \
  /* ingest: names and headers, then what the stream decided (model::write_outcome) */           \
  X(unknown_tenant) X(bad_segment_duration) X(unknown_pipeline) X(bad_defects) X(bad_event)      \
  X(segment_gone) X(segment_already_served) X(store_failed) X(no_lease)                          \
  /* delivery: what the stream could not answer now (model::read_outcome) */                     \
  X(shed_dvr) X(hold_limit) X(owner_unavailable) X(storage_unavailable)                          \
  /* a stream actor that did not answer */                                                       \
  X(actor_timeout) X(actor_unavailable)                                                          \
  /* the admin API */                                                                            \
  X(bad_stream_path) X(bad_stream_settings) X(bad_mask) X(bad_config) X(no_cluster)
// clang-format on

enum class rejection : std::uint8_t {
#define LIVE_ORIGIN_REJECTION_ENUM(name) name,
  LIVE_ORIGIN_REJECTIONS(LIVE_ORIGIN_REJECTION_ENUM)
#undef LIVE_ORIGIN_REJECTION_ENUM
};

#define LIVE_ORIGIN_REJECTION_ONE(name) 1,
inline constexpr int rejection_ones[] = {LIVE_ORIGIN_REJECTIONS(LIVE_ORIGIN_REJECTION_ONE)};
#undef LIVE_ORIGIN_REJECTION_ONE
inline constexpr std::size_t rejection_count = std::size(rejection_ones);

// The metric label: the enumerator's name.
std::string_view to_string(rejection reason);

rejection rejection_for(path_error error);
rejection rejection_for(quota_refusal refusal);
// Refusals only: none for auth_outcome::allowed, for writes that store (or change) nothing wrong, and for
// reads that are answered.
std::optional<rejection> rejection_for(auth_outcome outcome);
std::optional<rejection> rejection_for(write_outcome outcome);
std::optional<rejection> rejection_for(read_outcome outcome);

}  // namespace live_origin::model
