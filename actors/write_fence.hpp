#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>

namespace live_origin::actors {

// Whether this node may accept writes now. With leased ownership (cluster/lease_keeper.hpp), only while
// its etcd lease is surely alive (model/lease.hpp has the rule): an owner cut off from etcd stops before
// another node can take its streams. The lease keeper moves it; every stream actor reads it on each
// write; without etcd there is none and writes are always accepted. Times are milliseconds on the
// monotonic clock, which wall-clock jumps do not move and which counts a stopped process's pause.
class write_fence {
 public:
  static std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  }

  bool open() const { return now_ms() < until_ms_.load(std::memory_order_acquire); }
  void open_until(std::int64_t until_ms) { until_ms_.store(until_ms, std::memory_order_release); }
  void close() { open_until(std::numeric_limits<std::int64_t>::min()); }

 private:
  std::atomic<std::int64_t> until_ms_{std::numeric_limits<std::int64_t>::min()};
};

}  // namespace live_origin::actors
