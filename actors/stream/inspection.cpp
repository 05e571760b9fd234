#include "actors/stream/inspection.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <span>
#include <utility>
#include <vector>

namespace live_origin::actors::stream {
namespace {

std::span<const std::uint8_t> bytes_of(const object_write& write) {
  auto view = write.body.view();
  return {reinterpret_cast<const std::uint8_t*>(view.data()), view.size()};
}

void count_found(stream_state& st, std::size_t pipeline, model::defect_set found) {
  auto& counters = st.defaults->tenant->derived_defects;
  for (std::size_t kind = 0; kind < model::defect_kind_count; ++kind)
    if (found & (1u << kind)) count_for_pipeline(counters, pipeline * model::defect_kind_count + kind);
}

}  // namespace

upload_verdict inspect_upload(stream_state& st, const model::object_class& object, const object_write& write,
                              std::size_t pipeline) {
  const auto& settings = st.defaults->profile.inspection;
  model::inspection verdict;
  if (object.kind == model::object_kind::init_segment)
    verdict = st.inspector.init_stored(pipeline, write.object, bytes_of(write), settings);
  else if (object.kind == model::object_kind::media_segment)
    verdict =
        st.inspector.segment_stored(pipeline, write.object, object, bytes_of(write), st.segment_duration_ms, settings);
  if (verdict.defects == model::defects::none) return {};
  std::vector<std::string> found;
  found.reserve(verdict.findings.size());
  for (const auto& finding : verdict.findings) found.push_back(finding.description);
  auto text = fmt::format("{}", fmt::join(found, "; "));
  spdlog::warn("stream /{}/{}: pipeline {}'s {} is {}: {}", st.tenant, st.stream, st.defaults->pipelines[pipeline],
               write.object, model::format_defects(verdict.defects), text);
  count_found(st, pipeline, verdict.defects);
  return {.defects = verdict.defects, .found = std::move(text)};
}

void note_defective(stream_state& st, std::size_t pipeline, const std::string& object, model::defect_set defects,
                    std::string found, std::int64_t now) {
  auto& recent = st.stats[pipeline].recent_defects;
  if (recent.size() >= recent_defects_per_pipeline) recent.erase(recent.begin());
  recent.push_back(
      {.object = object, .defects = model::format_defects(defects), .found = std::move(found), .at_ms = now});
}

}  // namespace live_origin::actors::stream
