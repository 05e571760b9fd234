#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace live_origin::model {

// Which media segment bytes a stream keeps in memory. Every byte in memory is counted (manifests and
// init segments too, which always stay); durable media segment candidates may leave, oldest segment
// first, when the stream holds more than its bound or the process more than its own. Their bytes stay in
// storage and are read back when asked for. The bookkeeping only: the stream actor moves the bytes.
class hot_window {
 public:
  // One pipeline's candidate for one media segment.
  struct candidate {
    std::uint64_t segment_number = 0;
    std::string object;
    std::size_t pipeline = 0;
    auto operator<=>(const candidate&) const = default;
  };

  explicit hot_window(std::uint64_t stream_limit_bytes) : stream_limit_bytes_(stream_limit_bytes) {}

  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t stream_limit_bytes() const { return stream_limit_bytes_; }
  std::size_t coolable_count() const { return coolable_.size(); }

  // Bytes that came into memory, or left it.
  void add(std::uint64_t bytes) { bytes_ += bytes; }
  void remove(std::uint64_t bytes);

  // A durable candidate in memory that may leave from now on, and one that went (replaced or expired).
  void may_leave(candidate which) { coolable_.insert(std::move(which)); }
  void forget(const candidate& which) { coolable_.erase(which); }

  // The candidates to move out of memory, oldest segment first, until the stream is within its bound and
  // at least `process_excess_bytes` are freed (what the process holds over its own bound, so one stream's
  // write does not empty its own window for all the others). `bytes_in_memory(c)`: what the candidate
  // still holds in memory, 0 when it no longer may leave (replaced, read back cold, empty): such entries
  // are dropped and skipped. The chosen ones leave the index; the caller removes their bytes. O(log n)
  // per candidate taken.
  std::vector<candidate> take_to_cool(std::uint64_t process_excess_bytes,
                                      const std::function<std::uint64_t(const candidate&)>& bytes_in_memory);

 private:
  std::uint64_t stream_limit_bytes_;
  std::uint64_t bytes_ = 0;
  std::set<candidate> coolable_;  // oldest segment first; entries may be stale, checked when taken
};

}  // namespace live_origin::model
