#include "model/quota.hpp"

#include <algorithm>

namespace live_origin::model {

std::string_view to_string(quota_refusal refusal) {
  switch (refusal) {
    case quota_refusal::streams:
      return "quota_streams";
    case quota_refusal::object_size:
      return "quota_object_size";
    case quota_refusal::request_rate:
      return "quota_request_rate";
    case quota_refusal::stored_bytes:
      return "quota_stored_bytes";
  }
  return "quota";
}

token_bucket::token_bucket(double rate_per_s)
    : rate_per_ms_(rate_per_s / 1000.0), burst_(std::max(rate_per_s, 1.0)), tokens_(burst_) {}

bool token_bucket::try_take(std::int64_t now_ms) {
  if (started_ && now_ms > last_ms_)
    tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_per_ms_);
  if (!started_ || now_ms > last_ms_) last_ms_ = now_ms;
  started_ = true;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool byte_budget::try_grow(std::uint64_t bytes) {
  auto current = bytes_.load(std::memory_order_relaxed);
  do {
    auto limit = limit_.load(std::memory_order_relaxed);
    if (limit > 0 && current + bytes > limit) return false;
  } while (!bytes_.compare_exchange_weak(current, current + bytes, std::memory_order_relaxed));
  return true;
}

std::uint64_t fair_share(std::uint64_t own_limit, std::uint64_t total, std::size_t sharers) {
  if (total == 0) return own_limit;
  return std::min(own_limit, total / std::max<std::size_t>(sharers, 1));
}

std::optional<quota_refusal> check_write(const tenant_quota& quota, bool opens_stream, std::size_t streams,
                                         std::optional<std::uint64_t> body_bytes) {
  if (quota.max_object_bytes > 0 && body_bytes && *body_bytes > quota.max_object_bytes)
    return quota_refusal::object_size;
  if (quota.max_streams > 0 && opens_stream && streams >= quota.max_streams) return quota_refusal::streams;
  return std::nullopt;
}

}  // namespace live_origin::model
