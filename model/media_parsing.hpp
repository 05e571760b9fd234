#pragma once

// What the media parsers (isobmff.hpp, mpeg_ts.hpp) share: their outcome, a bounds-checked reader of
// big-endian fields, and the histogram a track's typical sample duration comes from.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace live_origin::model {

// What a parser made of some bytes. `unknown_format` is no verdict at all: the bytes do not begin like
// this format, so nothing about them is judged (random bytes must never read as a broken segment).
// `corrupt`: they begin like it and then break its structure.
enum class parse_status { unknown_format, ok, corrupt };

// a + b, held at the largest value instead of wrapping: hostile sizes and durations cannot wrap a sum
// back into a plausible one.
constexpr std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b ? std::numeric_limits<std::uint64_t>::max() : a + b;
}

// Reads big-endian fields from a span. A read past the end fails for good: it and every later read return
// 0 and ok() turns false, so a parser reads a whole structure and checks once.
class byte_reader {
 public:
  explicit byte_reader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(read(1)); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(read(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(read(4)); }
  std::uint64_t u64() { return read(8); }
  void skip(std::size_t count);

  bool ok() const { return ok_; }
  std::size_t remaining() const { return bytes_.size() - position_; }
  std::span<const std::uint8_t> rest() const { return bytes_.subspan(position_); }

 private:
  std::uint64_t read(std::size_t count);

  std::span<const std::uint8_t> bytes_;
  std::size_t position_ = 0;
  bool ok_ = true;
};

// How often each sample duration occurs in a track, for its typical (median) duration. Real encoders
// produce one to a few distinct durations; past `max_distinct` of them, further new values are left out,
// so a hostile input cannot make it grow.
class duration_histogram {
 public:
  static constexpr std::size_t max_distinct = 64;

  void add(std::uint64_t duration, std::uint64_t count = 1);

  // The lower median of the durations added (0 when none): a gap of many frames in a segment of few
  // samples is still measured against a frame, not against itself.
  std::uint64_t median() const;

  friend bool operator==(const duration_histogram&, const duration_histogram&) = default;

 private:
  std::vector<std::pair<std::uint64_t, std::uint64_t>> counts_;  // (duration, count), by duration
};

}  // namespace live_origin::model
