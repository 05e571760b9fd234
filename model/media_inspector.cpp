#include "model/media_inspector.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace live_origin::model {
namespace {

constexpr std::array<std::pair<std::string_view, bool inspection_checks::*>, 4> check_names{{
    {"short", &inspection_checks::short_samples},
    {"discontinuity", &inspection_checks::discontinuity},
    {"corrupt", &inspection_checks::corruption},
    {"slate", &inspection_checks::slate},
}};

std::string_view folder_of(std::string_view object) {
  auto slash = object.rfind('/');
  return slash == std::string_view::npos ? std::string_view{} : object.substr(0, slash);
}

}  // namespace

std::optional<inspection_checks> parse_inspection_checks(const std::vector<std::string>& names) {
  inspection_checks checks{.short_samples = false, .discontinuity = false, .corruption = false, .slate = false};
  for (const auto& name : names) {
    auto known = std::find_if(check_names.begin(), check_names.end(), [&](const auto& c) { return c.first == name; });
    if (known == check_names.end()) return std::nullopt;
    checks.*(known->second) = true;
  }
  return checks;
}

std::vector<std::string> inspection_check_names(const inspection_checks& checks) {
  std::vector<std::string> names;
  for (const auto& [name, member] : check_names)
    if (checks.*member) names.emplace_back(name);
  return names;
}

media_inspector::media_inspector(std::size_t pipelines) : pipelines_(pipelines) {}

inspection media_inspector::init_stored(std::size_t pipeline, const std::string& object,
                                        std::span<const std::uint8_t> bytes, const inspection_settings& settings) {
  auto& memory = pipelines_.at(pipeline);
  auto parsed = parse_init_segment(bytes);
  inspection verdict;
  if (parsed.status == parse_status::unknown_format) {
    memory.inits.erase(object);
    return verdict;
  }
  verdict.format = media_format::isobmff;
  if (parsed.status == parse_status::corrupt) {
    memory.inits.erase(object);  // judging segments by a broken init would only invent defects
    if (settings.checks.corruption) {
      verdict.defects = defects::corrupt;
      verdict.findings.push_back({defects::corrupt, "init segment: " + parsed.problem});
    }
    return verdict;
  }
  memory.inits.insert_or_assign(object, std::move(parsed.init));
  return verdict;
}

inspection media_inspector::segment_stored(std::size_t pipeline, const std::string& object,
                                           const object_class& object_class, std::span<const std::uint8_t> bytes,
                                           std::optional<std::int64_t> duration_ms,
                                           const inspection_settings& settings) {
  auto& memory = pipelines_.at(pipeline);
  segment_expectations expected{
      .duration_ms = duration_ms, .tolerance_ms = settings.tolerance_ms, .checks = settings.checks};
  auto known = memory.positions.find(object_class.track);
  if (known != memory.positions.end() && known->second.segment_number + 1 == object_class.segment_number)
    expected.previous_ends = known->second.ends;
  auto verdict = inspect_media(bytes, init_for(memory, object), expected);
  if (verdict.format == media_format::unknown) return verdict;
  // A re-upload of an older segment does not move the representation back.
  if (known == memory.positions.end())
    memory.positions.emplace(object_class.track, position{object_class.segment_number, verdict.track_ends});
  else if (object_class.segment_number >= known->second.segment_number)
    known->second = position{object_class.segment_number, verdict.track_ends};
  return verdict;
}

const init_segment* media_inspector::init_for(const pipeline_memory& memory, std::string_view object) const {
  if (auto name = init_object_for(object))
    if (auto it = memory.inits.find(*name); it != memory.inits.end()) return &it->second;
  // Names ffmpeg's patterns do not cover: the one init segment of the segment's folder, if there is one.
  const init_segment* only = nullptr;
  for (const auto& [name, init] : memory.inits) {
    if (folder_of(name) != folder_of(object)) continue;
    if (only) return nullptr;
    only = &init;
  }
  return only;
}

std::size_t media_inspector::inits_kept() const {
  std::size_t n = 0;
  for (const auto& memory : pipelines_) n += memory.inits.size();
  return n;
}

std::size_t media_inspector::positions_kept() const {
  std::size_t n = 0;
  for (const auto& memory : pipelines_) n += memory.positions.size();
  return n;
}

}  // namespace live_origin::model
