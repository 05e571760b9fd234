#pragma once

#include <atomic>
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
  std::uint64_t max_stored_bytes = 0;  // bytes stored across the tenant's streams
};

enum class quota_refusal { streams, object_size, request_rate, stored_bytes };
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

// Bytes held now against a limit shared by actors on different threads: growth is reserved against the
// limit in one step, so the total never passes it.
class byte_budget {
 public:
  explicit byte_budget(std::uint64_t limit = 0) : limit_(limit) {}
  // Adds `bytes` unless the total would pass the limit (0: unlimited); false when refused.
  bool try_grow(std::uint64_t bytes);
  void shrink(std::uint64_t bytes) { bytes_.fetch_sub(bytes, std::memory_order_relaxed); }
  // Counts bytes that are held already (recovered after a restart), whatever the limit.
  void grow(std::uint64_t bytes) { bytes_.fetch_add(bytes, std::memory_order_relaxed); }
  void set_limit(std::uint64_t max_bytes) { limit_.store(max_bytes, std::memory_order_relaxed); }
  std::uint64_t limit() const { return limit_.load(std::memory_order_relaxed); }
  std::uint64_t bytes() const { return bytes_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> bytes_{0};
  std::atomic<std::uint64_t> limit_{0};
};

// What a tenant stores now, across all its streams, against its stored-bytes quota, and how many objects.
class tenant_usage : public byte_budget {
 public:
  void add_objects(std::int64_t change) { objects_.fetch_add(change, std::memory_order_relaxed); }
  std::int64_t objects() const { return objects_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> objects_{0};
};

// What one of `sharers` may hold of a budget of `total` bytes (0: unlimited) that they share, at most
// `own_limit`: an equal share, so that a newcomer gets room as the others add and give back their oldest.
std::uint64_t fair_share(std::uint64_t own_limit, std::uint64_t total, std::size_t sharers);

// Checks a write against the quota (except the request rate, which needs the bucket's state):
// `opens_stream` when the write would create a stream, `streams` the tenant's current count.
std::optional<quota_refusal> check_write(const tenant_quota& quota, bool opens_stream, std::size_t streams,
                                         std::optional<std::uint64_t> body_bytes);

}  // namespace live_origin::model
