#include "model/timeline.hpp"

#include <limits>

namespace live_origin::model {
namespace {

// Timeline math is done in 128 bits and saturated, so no segment number or clock value can overflow.
__extension__ typedef __int128 wide;

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

std::int64_t saturate(wide value) {
  if (value > int64_max) return int64_max;
  if (value < int64_min) return int64_min;
  return static_cast<std::int64_t>(value);
}

}  // namespace

std::int64_t due_ms(const timeline& line, std::uint64_t segment_number) {
  wide index = static_cast<wide>(segment_number) - static_cast<wide>(line.start_number) + 1;
  return saturate(static_cast<wide>(line.availability_start_ms) + index * line.segment_duration_ms);
}

std::optional<std::uint64_t> live_edge(const timeline& line, std::int64_t now_ms) {
  if (line.segment_duration_ms <= 0) return std::nullopt;
  wide elapsed = static_cast<wide>(now_ms) - line.availability_start_ms;
  wide segments_due = elapsed / line.segment_duration_ms;  // segments whose due time has come
  if (elapsed < 0 || segments_due < 1) return std::nullopt;
  wide edge = static_cast<wide>(line.start_number) + segments_due - 1;
  if (edge > std::numeric_limits<std::uint64_t>::max()) return std::numeric_limits<std::uint64_t>::max();
  return static_cast<std::uint64_t>(edge);
}

timeline anchored_timeline(std::uint64_t first_segment_number, std::int64_t arrived_at_ms, std::int64_t duration_ms) {
  return {duration_ms, first_segment_number, saturate(static_cast<wide>(arrived_at_ms) - duration_ms)};
}

timeline retimed(const timeline& line, std::int64_t new_duration_ms, std::uint64_t new_start_number,
                 std::int64_t now_ms) {
  auto anchor = live_edge(line, now_ms).value_or(line.start_number);
  if (anchor < new_start_number) anchor = new_start_number;
  auto anchor_due = due_ms(line, anchor);
  wide index = static_cast<wide>(anchor) - static_cast<wide>(new_start_number) + 1;
  return {new_duration_ms, new_start_number, saturate(static_cast<wide>(anchor_due) - index * new_duration_ms)};
}

std::string_view to_string(segment_position position) {
  switch (position) {
    case segment_position::before_start:
      return "before_start";
    case segment_position::expired:
      return "expired";
    case segment_position::missed:
      return "missed";
    case segment_position::awaited:
      return "awaited";
    case segment_position::ahead:
      return "ahead";
  }
  return "unknown";
}

segment_position position_of(const timeline& line, const live_policy& policy, std::uint64_t segment_number,
                             std::int64_t now_ms) {
  if (segment_number < line.start_number) return segment_position::before_start;
  auto due = due_ms(line, segment_number);
  if (static_cast<wide>(due) + policy.dvr_window_ms <= now_ms) return segment_position::expired;
  if (static_cast<wide>(due) + policy.retry_budget_ms <= now_ms) return segment_position::missed;
  if (due <= now_ms) return segment_position::awaited;  // due, still inside its retry budget
  // Not due yet: the next one after the edge is awaited, anything further is ahead.
  bool is_next = segment_number == line.start_number || due_ms(line, segment_number - 1) <= now_ms;
  return is_next ? segment_position::awaited : segment_position::ahead;
}

}  // namespace live_origin::model
