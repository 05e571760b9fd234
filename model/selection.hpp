#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace live_origin::model {

// What a packager's media inspection found in a candidate (X-Origin-Defects), as a bit set.
using defect_set = std::uint8_t;
namespace defects {
constexpr defect_set none = 0;
constexpr defect_set discontinuity = 1;  // a timestamp jump (tfdt) at the segment boundary
constexpr defect_set short_segment = 2;  // shorter than the segment duration
constexpr defect_set missing = 4;        // content is missing (e.g. a dropped track or frames)
constexpr defect_set slate = 8;          // filler the packager sent instead of content (styp brand `slat`)
constexpr defect_set corrupt = 16;       // the bytes break their own format (truncated box, lost TS packets)
}  // namespace defects

// The kinds one at a time, for counting: kind i is the bit 1 << i, named as in the header.
inline constexpr std::size_t defect_kind_count = 5;
std::string_view defect_kind_name(std::size_t kind);

// Parses "short, missing, discontinuity, slate, corrupt" (comma-separated, case-insensitive, spaces allowed, empty =
// none). An unknown token is an error: nullopt.
std::optional<defect_set> parse_defects(std::string_view header);

// The header form, in a fixed order: "discontinuity, short, missing, slate, corrupt"; empty for none.
std::string format_defects(defect_set set);

// How bad a defective candidate is, for choosing the least bad when every candidate is defective:
// corrupt is worst (players may stall or fail on it), then slate (no content at all, however well formed),
// then real content: more kinds of defect is worse; with as many, missing content is worse than a short
// segment, which is worse than a discontinuity (players ride over a timestamp jump, not over missing content).
int badness(defect_set set);

// One pipeline's candidate for a segment, in the stream's pipeline order.
struct candidate_view {
  bool present = false;
  defect_set defects = defects::none;
  bool masked = false;  // an operator excluded this pipeline for this segment number
};

struct selection {
  std::optional<std::size_t> chosen;  // index into the candidates
  bool wait_for_clean = false;        // every present candidate is defective and a clean one may still come
};

// Picks the candidate to serve (PRODUCT.md "Selection between pipelines"):
// - a candidate already served keeps being served while it is present and not masked (CDNs cached it);
// - else, in pipeline order, skipping masked ones, the first without defects;
// - else, if `clean_may_still_arrive` (within the retry budget) and some unmasked pipeline has no candidate
//   yet: wait;
// - else the least bad unmasked candidate (earlier pipeline on a tie); never withheld for being defective.
selection select_candidate(const std::vector<candidate_view>& candidates, std::optional<std::size_t> served,
                           bool clean_may_still_arrive);

// One pipeline's manifest: when its latest version arrived, and the pipeline's newest media segment at
// that moment (the most that version can list; -1 for none).
struct manifest_source {
  std::int64_t written_at_ms = 0;
  std::int64_t listed_segment = -1;
};

// The newest segment any pipeline's manifest lists, and since when one has listed it.
struct manifest_lead {
  std::int64_t segment = -1;
  std::int64_t since_ms = 0;
};

// Whether a pipeline's manifest may still be preferred over the next pipeline's: written within
// `fresh_for_ms`, and not behind the lead for longer than `grace_ms`. Healthy pipelines deliver each
// segment within milliseconds of each other, so the grace keeps the served manifest from flapping
// between them; a pipeline that dies loses preference `grace_ms` after another lists a segment it has
// not, instead of leaving players on a frozen playlist for the whole freshness window.
bool manifest_is_current(const manifest_source& source, const manifest_lead& lead, std::int64_t now_ms,
                         std::int64_t fresh_for_ms, std::int64_t grace_ms);

}  // namespace live_origin::model
