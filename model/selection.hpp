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

}  // namespace live_origin::model
