#include "model/selection.hpp"

#include "model/text.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace live_origin::model {
namespace {

constexpr std::array<std::pair<std::string_view, defect_set>, 5> defect_names{{
    {"discontinuity", defects::discontinuity},
    {"short", defects::short_segment},
    {"missing", defects::missing},
    {"slate", defects::slate},
    {"corrupt", defects::corrupt},
}};

}  // namespace

std::string_view defect_kind_name(std::size_t kind) {
  static_assert(defect_names.size() == defect_kind_count);
  static_assert(
      [] {
        for (std::size_t i = 0; i < defect_names.size(); ++i)
          if (defect_names[i].second != (1u << i)) return false;
        return true;
      }(),
      "defect_names lists the kinds in bit order");
  return kind < defect_names.size() ? defect_names[kind].first : std::string_view{};
}

std::optional<defect_set> parse_defects(std::string_view header) {
  defect_set set = defects::none;
  if (trim_whitespace(header).empty()) return set;
  while (true) {
    auto comma = header.find(',');
    auto token = trim_whitespace(header.substr(0, comma));
    auto known = std::find_if(defect_names.begin(), defect_names.end(),
                              [&](const auto& entry) { return iequals(entry.first, token); });
    if (known == defect_names.end()) return std::nullopt;
    set |= known->second;
    if (comma == std::string_view::npos) return set;
    header.remove_prefix(comma + 1);
  }
}

std::string format_defects(defect_set set) {
  std::string out;
  for (const auto& [name, bit] : defect_names) {
    if (!(set & bit)) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

int badness(defect_set set) {
  int kinds = (set & defects::discontinuity ? 1 : 0) + (set & defects::short_segment ? 1 : 0) +
              (set & defects::missing ? 1 : 0);
  int content = kinds * 8 + (set & 7);  // 0..31; the bit values already rank missing > short > discontinuity
  return (set & defects::corrupt ? 64 : 0) + (set & defects::slate ? 32 : 0) + content;
}

selection select_candidate(const std::vector<candidate_view>& candidates, std::optional<std::size_t> served,
                           bool clean_may_still_arrive) {
  auto usable = [&](std::size_t i) { return candidates[i].present && !candidates[i].masked; };
  if (served && *served < candidates.size() && usable(*served)) return {served, false};
  std::optional<std::size_t> least_bad;
  bool some_pipeline_pending = false;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (candidates[i].masked) continue;
    if (!candidates[i].present) {
      some_pipeline_pending = true;
      continue;
    }
    if (candidates[i].defects == defects::none) return {i, false};
    if (!least_bad || badness(candidates[i].defects) < badness(candidates[*least_bad].defects)) least_bad = i;
  }
  if (least_bad && clean_may_still_arrive && some_pipeline_pending) return {std::nullopt, true};
  return {least_bad, false};
}

}  // namespace live_origin::model
