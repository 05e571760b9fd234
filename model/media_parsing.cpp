#include "model/media_parsing.hpp"

#include <algorithm>

namespace live_origin::model {

void byte_reader::skip(std::size_t count) {
  if (!ok_ || count > remaining()) {
    ok_ = false;
    return;
  }
  position_ += count;
}

std::uint64_t byte_reader::read(std::size_t count) {
  if (!ok_ || count > remaining()) {
    ok_ = false;
    return 0;
  }
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value = value << 8 | bytes_[position_ + i];
  position_ += count;
  return value;
}

void duration_histogram::add(std::uint64_t duration, std::uint64_t count) {
  if (count == 0) return;
  auto at = std::lower_bound(counts_.begin(), counts_.end(), duration,
                             [](const auto& entry, std::uint64_t value) { return entry.first < value; });
  if (at != counts_.end() && at->first == duration) {
    at->second = saturating_add(at->second, count);
  } else if (counts_.size() < max_distinct) {
    counts_.insert(at, {duration, count});
  }
}

std::uint64_t duration_histogram::median() const {
  std::uint64_t total = 0;
  for (const auto& [duration, count] : counts_) total = saturating_add(total, count);
  if (total == 0) return 0;
  std::uint64_t wanted = (total - 1) / 2;  // index of the lower median among all samples
  for (const auto& [duration, count] : counts_) {
    if (wanted < count) return duration;
    wanted -= count;
  }
  return counts_.back().first;
}

}  // namespace live_origin::model
