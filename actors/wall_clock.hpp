#pragma once

#include <chrono>
#include <cstdint>

namespace live_origin::actors {

// Unix time in milliseconds: what timelines, Last-Modified and stored records use.
inline std::int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace live_origin::actors
