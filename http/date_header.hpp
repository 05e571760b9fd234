#pragma once

#include <cstdint>
#include <string>

namespace live_origin::http {

// The Date header's value for a response sent now (RFC 9110 section 6.6.1: an origin with a clock sends it
// on every response; caches compute Age from it): the current second of the system clock as IMF-fixdate.
// Formatted at most once per second for the whole process and copied once per second into each calling
// thread, so a response costs a clock read and a comparison. The reference stays valid on this thread until
// its next call.
const std::string& http_date_now();

// The same for a given moment (Unix milliseconds), through the same process-wide cache.
const std::string& http_date_at(std::int64_t unix_ms);

}  // namespace live_origin::http
