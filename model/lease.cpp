#include "model/lease.hpp"

#include <algorithm>

namespace live_origin::model {

void lease_validity::renewed(std::int64_t sent_ms, std::int64_t ttl_s) {
  if (ttl_s <= 0) return lost();
  // An answer to an older keep-alive than one already counted moves nothing.
  if (valid_until_ms_ && sent_ms < last_sent_ms_) return;
  last_sent_ms_ = sent_ms;
  ttl_ms_ = ttl_s * 1000;
  auto until = sent_ms + ttl_ms_ - margin_ms_;
  if (until <= sent_ms) return lost();  // a margin as long as the TTL leaves no time to act in
  valid_until_ms_ = until;
}

std::int64_t lease_validity::next_renewal_ms(std::int64_t now_ms) const {
  if (!valid_until_ms_) return now_ms;
  return std::max(now_ms, last_sent_ms_ + ttl_ms_ / 3);
}

}  // namespace live_origin::model
