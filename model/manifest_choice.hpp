#pragma once

// Which pipeline's version of a manifest a GET gets (PRODUCT.md "Delivery": the latest version from the
// preferred healthy pipeline), so that a playlist a player reloads never goes backwards.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace live_origin::model {

// One pipeline's current version of a manifest.
struct manifest_version {
  bool written = false;
  std::int64_t written_at_ms = 0;    // last accepted write, even of the same bytes (packagers re-PUT unchanged ones)
  std::int64_t listed_segment = -1;  // the newest media segment it lists (model::listed_segment); -1: none
  // Since when another pipeline's version has listed more than this one, without a break; none while this
  // one lists as much as any other.
  std::optional<std::int64_t> behind_since_ms;
};

// What a stream remembers of one manifest name: each pipeline's current version, and the most any version
// served under this name has listed. Kept in the stream actor's memory only: a restarted actor starts a new
// history (it then knows neither the restored versions' listings nor what was served before), so for up to one
// round of manifest writes after a restart the rules below work from less.
class manifest_history {
 public:
  explicit manifest_history(std::size_t pipelines = 0) : versions_(pipelines) {}

  // `pipeline` wrote a version listing `listed_segment` (model::listed_segment). A pipeline falls behind when
  // another's version first lists more than its own, and catches up when its own lists as much as any.
  void note_written(std::size_t pipeline, std::int64_t listed_segment, std::int64_t now_ms);

  // `pipeline`'s current version was served: later GETs never get a version listing less (choose_manifest).
  void note_served(std::size_t pipeline);

  std::size_t pipelines() const { return versions_.size(); }
  const manifest_version& version(std::size_t pipeline) const { return versions_.at(pipeline); }
  // The newest segment a served version listed (-1: nothing served yet, or only versions listing none).
  std::int64_t served_segment() const { return served_segment_; }

 private:
  std::vector<manifest_version> versions_;
  std::int64_t served_segment_ = -1;
};

struct manifest_timing {
  std::int64_t fresh_for_ms = 6000;  // a version not written for this long is stale
  std::int64_t grace_ms = 1000;      // how long a pipeline that fell behind stays preferred
};

// Whether a pipeline's version may still be preferred over later pipelines': written within `fresh_for_ms`,
// and not behind another pipeline's for `grace_ms` or longer, counted from when it fell behind. Healthy
// pipelines deliver each segment within milliseconds of each other, so the grace keeps the served manifest from
// flapping between them; a pipeline that stops loses preference `grace_ms` after another first lists a segment
// it has not, and stays without it however often the other advances.
bool manifest_is_current(const manifest_version& version, std::int64_t now_ms, const manifest_timing& timing);

// The pipeline whose version a GET gets. `order`: pipeline indices in the stream's preference order;
// `present[i]`: whether pipeline i's version is stored.
// - Versions listing less than a served one are never served again (a player would see its playlist shrink):
//   only versions listing at least history.served_segment() are eligible.
// - The first eligible pipeline in order whose version is current (manifest_is_current).
// - Else the eligible version listing the most; on a tie the most recently written, then the earlier pipeline.
// - Else (every stored version lists less than one served before: the packagers went backwards themselves) the
//   version listing the most, chosen the same way; it starts the history anew once served. Never withheld.
std::optional<std::size_t> choose_manifest(const manifest_history& history, const std::vector<std::size_t>& order,
                                           const std::vector<bool>& present, std::int64_t now_ms,
                                           const manifest_timing& timing);

}  // namespace live_origin::model
