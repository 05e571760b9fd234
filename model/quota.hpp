#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace live_origin::model {

// A tenant's ingest quotas; 0 means unlimited.
struct tenant_quota {
  std::size_t max_streams = 0;
  std::uint64_t max_object_bytes = 0;
  double max_requests_per_s = 0;
};

enum class quota_refusal { streams, object_size, request_rate };
std::string_view to_string(quota_refusal refusal);  // counter names

// A token bucket: `rate` tokens per second, holding at most `burst` (a second's worth, at least 1).
// Time is passed in so that tests control it.
class token_bucket {
 public:
  explicit token_bucket(double rate_per_s);
  bool try_take(std::int64_t now_ms);

 private:
  double rate_per_ms_;
  double burst_;
  double tokens_;
  std::int64_t last_ms_ = 0;
  bool started_ = false;
};

// Checks a write against the quota (except the request rate, which needs the bucket's state):
// `opens_stream` when the write would create a stream, `streams` the tenant's current count.
std::optional<quota_refusal> check_write(const tenant_quota& quota, bool opens_stream, std::size_t streams,
                                         std::optional<std::uint64_t> body_bytes);

}  // namespace live_origin::model
