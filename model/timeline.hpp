#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace live_origin::model {

// When each segment of a stream is due (PRODUCT.md "Timeline"). All tracks of a stream share it.
// Times are Unix milliseconds; every function takes `now_ms` so tests control the clock.
struct timeline {
  std::int64_t segment_duration_ms = 2000;
  std::uint64_t start_number = 0;
  std::int64_t availability_start_ms = 0;

  friend bool operator==(const timeline&, const timeline&) = default;
};

// How long segments are waited for and kept.
struct live_policy {
  std::int64_t retry_budget_ms = 2000;     // a segment missing at due + this is gone
  std::int64_t dvr_window_ms = 3'600'000;  // older segments are expired and freed
  std::int64_t max_hold_ms = 6000;         // no request is held longer than this
  std::uint64_t live_window_segments = 3;  // further behind the live edge is a DVR read (sheddable)
};

// due(n) = availability_start + (n - start_number + 1) * duration, saturated to the int64 range so
// absurd segment numbers cannot overflow into the past.
std::int64_t due_ms(const timeline& line, std::uint64_t segment_number);

// The highest n >= start_number with due(n) <= now; none before the first segment is due.
std::optional<std::uint64_t> live_edge(const timeline& line, std::int64_t now_ms);

// The timeline a stream learns when nothing is configured: the first segment to arrive is due now.
timeline anchored_timeline(std::uint64_t first_segment_number, std::int64_t arrived_at_ms, std::int64_t duration_ms);

// A learned timeline given a new duration and/or start number: the segment at the live edge (or the start
// segment, before anything is due) stays due exactly when it was, so changing the duration of a running
// stream does not move the edge by hours.
timeline retimed(const timeline& line, std::int64_t new_duration_ms, std::uint64_t new_start_number,
                 std::int64_t now_ms);

// Where a segment number stands at `now` relative to the timeline (not knowing whether it is stored).
enum class segment_position {
  before_start,  // n < start_number: never produced
  expired,       // due at or before now - DVR window
  missed,        // due + retry budget has passed
  awaited,       // the next segment after the live edge, or due and still inside its retry budget
  ahead,         // further ahead than the next segment
};

std::string_view to_string(segment_position position);

segment_position position_of(const timeline& line, const live_policy& policy, std::uint64_t segment_number,
                             std::int64_t now_ms);

}  // namespace live_origin::model
