#pragma once

// Helpers for tests that publish a live stream /demo/live on a timeline.

#include <chrono>
#include <cstdint>
#include <string>

namespace live_origin::test {

// Wall-clock Unix milliseconds, the origin's timeline clock.
inline std::int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Media segment n of the test stream's first rendition, named as ffmpeg's DASH muxer names it.
inline std::string segment(std::int64_t n) { return "/demo/live/chunk-stream0-" + std::to_string(n) + ".m4s"; }

}  // namespace live_origin::test
