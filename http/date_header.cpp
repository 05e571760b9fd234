#include "http/date_header.hpp"

#include <chrono>
#include <mutex>

#include "http/representation.hpp"

namespace live_origin::http {

const std::string& http_date_at(std::int64_t unix_ms) {
  auto second = unix_ms / 1000;
  thread_local std::int64_t seen_second = -1;
  thread_local std::string seen_text;
  if (second == seen_second) return seen_text;
  // The process-wide copy, formatted once for each new second by whichever thread gets there first.
  static std::mutex mutex;
  static std::int64_t formatted_second = -1;
  static std::string formatted_text;
  {
    std::lock_guard lock(mutex);
    if (second != formatted_second) {
      formatted_text = format_http_date(second * 1000);
      formatted_second = second;
    }
    seen_text = formatted_text;
  }
  seen_second = second;
  return seen_text;
}

const std::string& http_date_now() {
  using namespace std::chrono;
  return http_date_at(duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

}  // namespace live_origin::http
