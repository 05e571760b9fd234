#pragma once

// The origin's own look at what a pipeline uploads (model/media_inspector.hpp): every stored init and
// media segment is read once, when its upload completes, and what it shows joins the defects the packager
// reported, so selection works with stock packagers that report none. What is found is logged (one line
// per defective candidate), counted per tenant, pipeline and kind for /metrics, and listed per pipeline in
// the stream's status. The inspector's memory (init segments, where tracks ended) lives with the actor:
// a restarted stream judges again once it has seen an init segment and one segment per representation.

#include <cstddef>
#include <cstdint>
#include <string>

#include "actors/stream/state.hpp"
#include "model/selection.hpp"

namespace live_origin::actors::stream {

// Defective segments a pipeline's status lists, the newest last.
inline constexpr std::size_t recent_defects_per_pipeline = 10;

struct upload_verdict {
  model::defect_set defects = model::defects::none;
  std::string found;  // what showed them, for operators
};

// The defects the origin finds in the pipeline's upload (none for objects that are not segments, for
// bytes it does not recognise, and for checks the tenant switched off).
upload_verdict inspect_upload(stream_state& st, const model::object_class& object, const object_write& write,
                              std::size_t pipeline);

// A segment received with defects (reported or found), listed in the pipeline's status.
void note_defective(stream_state& st, std::size_t pipeline, const std::string& object, model::defect_set defects,
                    std::string found, std::int64_t now);

}  // namespace live_origin::actors::stream
