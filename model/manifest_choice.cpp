#include "model/manifest_choice.hpp"

#include <algorithm>

namespace live_origin::model {

void manifest_history::note_written(std::size_t pipeline, std::int64_t listed_segment, std::int64_t now_ms) {
  if (pipeline >= versions_.size()) versions_.resize(pipeline + 1);
  auto& written = versions_[pipeline];
  written.written = true;
  written.written_at_ms = now_ms;
  written.listed_segment = listed_segment;
  std::int64_t lead = -1;
  for (const auto& version : versions_)
    if (version.written) lead = std::max(lead, version.listed_segment);
  for (auto& version : versions_) {
    if (!version.written || version.listed_segment >= lead)
      version.behind_since_ms.reset();
    else if (!version.behind_since_ms)
      version.behind_since_ms = now_ms;  // fell behind just now; a pipeline already behind keeps its moment
  }
}

void manifest_history::note_served(std::size_t pipeline) {
  // The choice only serves less than before when every version lists less: then the history starts anew.
  served_segment_ = versions_.at(pipeline).listed_segment;
}

bool manifest_is_current(const manifest_version& version, std::int64_t now_ms, const manifest_timing& timing) {
  bool fresh = version.written_at_ms >= now_ms - timing.fresh_for_ms;
  bool caught_up = !version.behind_since_ms || now_ms - *version.behind_since_ms < timing.grace_ms;
  return fresh && caught_up;
}

std::optional<std::size_t> choose_manifest(const manifest_history& history, const std::vector<std::size_t>& order,
                                           const std::vector<bool>& present, std::int64_t now_ms,
                                           const manifest_timing& timing) {
  auto stored = [&](std::size_t i) {
    return i < present.size() && present[i] && i < history.pipelines() && history.version(i).written;
  };
  auto eligible = [&](std::size_t i) {
    return stored(i) && history.version(i).listed_segment >= history.served_segment();
  };
  for (auto i : order)
    if (eligible(i) && manifest_is_current(history.version(i), now_ms, timing)) return i;
  // Nothing current: the version listing the most, the most recently written on a tie, then the earlier one.
  auto most_listed = [&](auto&& allowed) {
    std::optional<std::size_t> best;
    for (auto i : order) {
      if (!allowed(i)) continue;
      const auto& candidate = history.version(i);
      if (!best) {
        best = i;
        continue;
      }
      const auto& so_far = history.version(*best);
      if (candidate.listed_segment > so_far.listed_segment ||
          (candidate.listed_segment == so_far.listed_segment && candidate.written_at_ms > so_far.written_at_ms))
        best = i;
    }
    return best;
  };
  if (auto best = most_listed(eligible)) return best;
  return most_listed(stored);
}

}  // namespace live_origin::model
