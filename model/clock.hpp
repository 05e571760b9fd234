#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

namespace live_origin::model {

// Where the origin reads the time: Unix milliseconds, as timelines, Last-Modified and stored records use
// it. Actors are handed one when they start, so tests can give them a clock that follows simulated time.
class wall_clock {
 public:
  virtual ~wall_clock() = default;
  virtual std::int64_t unix_now_ms() const = 0;
};

// The system's real-time clock.
class system_clock final : public wall_clock {
 public:
  std::int64_t unix_now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  }
};

inline std::shared_ptr<const wall_clock> system_wall_clock() {
  static const auto clock = std::make_shared<const system_clock>();
  return clock;
}

}  // namespace live_origin::model
