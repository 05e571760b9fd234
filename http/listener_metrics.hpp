#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <tuple>

#include "model/rejection.hpp"

namespace live_origin::http {

// Counters for one listener. Every refusal is counted by reason: packagers like ffmpeg ignore error
// statuses, so these counters (and the log) are the only place an operator sees them.
class listener_metrics {
 public:
  explicit listener_metrics(std::string listener) : listener_(std::move(listener)) {}

  // One finished request. `method` is counted as itself for GET, HEAD, PUT, POST and DELETE, else as
  // "other"; `tenant` is a configured tenant or empty (the caller keeps the label set bounded).
  // `seconds`: from the end of the request header to the last byte of the answer.
  void count_response(std::string_view method, unsigned status, std::string_view tenant, std::uint64_t body_bytes_out,
                      double seconds);
  void count_body_in(std::uint64_t bytes) { body_bytes_in_.fetch_add(bytes, std::memory_order_relaxed); }
  void count_rejection(model::rejection reason) {
    rejections_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  }
  void count_connection(bool refused);

  const std::string& listener() const { return listener_; }
  std::uint64_t rejections(model::rejection reason) const {
    return rejections_[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
  }

  // Prometheus text exposition of every listener's counters, one metric family after the other (the
  // format wants each family's samples together).
  static void write_prometheus(std::span<const listener_metrics* const> listeners, std::string& out);

 private:
  std::string listener_;
  mutable std::mutex requests_mutex_;  // one short map update per request
  std::map<std::tuple<std::string, unsigned, std::string>, std::uint64_t, std::less<>> requests_;
  // Request duration histogram (Prometheus buckets, seconds); holds land in the upper buckets.
  static constexpr std::array<double, 12> duration_buckets_s{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                             0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  std::array<std::atomic<std::uint64_t>, duration_buckets_s.size()> duration_counts_{};
  std::atomic<std::uint64_t> duration_count_{0};
  std::atomic<std::uint64_t> duration_sum_us_{0};
  std::atomic<std::uint64_t> body_bytes_out_{0};
  std::atomic<std::uint64_t> body_bytes_in_{0};
  std::atomic<std::uint64_t> connections_accepted_{0};
  std::atomic<std::uint64_t> connections_refused_{0};
  std::array<std::atomic<std::uint64_t>, model::rejection_count> rejections_{};
};

}  // namespace live_origin::http
