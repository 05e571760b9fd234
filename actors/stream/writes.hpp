#pragma once

// What a PUT (or POST) and a DELETE do to a stream: the write decided against the pipeline's candidate
// (model::classify_write), the tenant's stored-bytes quota, the candidate kept in memory, the timeline
// learned from the first segment, and then the write-through (durability.hpp) before the packager hears 2xx.

#include <cstdint>
#include <string>
#include <vector>

#include "actors/stream/state.hpp"

namespace live_origin::actors::stream {

caf::result<write_reply> write_object(stream_pointer self, const object_write& write);

// DELETE means "expire later": scheduled (by the tenant's policy) and answered once storage has it.
caf::result<write_reply> schedule_delete(stream_pointer self, const std::string& name);

// A PUT's body started arriving (GETs for it wait rather than 404), and one that ended without completing.
void upload_started(stream_state& st, const std::string& name);
void upload_aborted(stream_pointer self, const std::string& name);

// The entry for an object, created if needed, with a slot per pipeline.
stream_state::object_entry& entry_for(stream_state& st, const std::string& name);

// A media segment's track is known from its first upload or write on: only known tracks are held.
void note_track(stream_state& st, const model::object_class& object);

void count_segment(pipeline_stats& stats, std::uint64_t segment_number, model::defect_set defects);

}  // namespace live_origin::actors::stream
