#pragma once

#include <cstdint>
#include <optional>

namespace live_origin::model {

// How long a node may act on its etcd lease (issue 23: an owner that cannot renew stops accepting writes
// before the lease can expire). etcd restarts a lease's TTL when it receives a keep-alive; the node only
// knows when it sent one, which is earlier, so counting the TTL from the send ends the node's validity
// before etcd's expiry. `margin` covers the rest: the two clocks' rates differing, and the time between
// the check and the write it allows. Times are milliseconds on a monotonic clock, which neither wall-clock
// jumps nor a stopped process (SIGSTOP) can set back: a process that wakes after its lease ran out finds
// itself invalid before it acts.
class lease_validity {
 public:
  explicit lease_validity(std::int64_t margin_ms) : margin_ms_(margin_ms) {}

  // etcd answered the keep-alive (or the grant) sent at `sent_ms` with `ttl_s`; 0: the lease is gone.
  void renewed(std::int64_t sent_ms, std::int64_t ttl_s);
  void lost() { valid_until_ms_.reset(); }

  bool valid(std::int64_t now_ms) const { return valid_until_ms_ && now_ms < *valid_until_ms_; }
  std::optional<std::int64_t> valid_until_ms() const { return valid_until_ms_; }

  // When to send the next keep-alive: a third of the TTL after the last one was sent, so two more attempts
  // fit before the node must stop.
  std::int64_t next_renewal_ms(std::int64_t now_ms) const;

 private:
  std::int64_t margin_ms_;
  std::int64_t ttl_ms_ = 0;
  std::int64_t last_sent_ms_ = 0;
  std::optional<std::int64_t> valid_until_ms_;
};

}  // namespace live_origin::model
