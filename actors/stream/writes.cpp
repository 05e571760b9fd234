#include "actors/stream/writes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>

#include "actors/stream/durability.hpp"
#include "actors/stream/holds.hpp"
#include "actors/stream/inspection.hpp"
#include "actors/stream/memory.hpp"
#include "model/events.hpp"
#include "model/manifest_listing.hpp"
#include "model/write_policy.hpp"

namespace live_origin::actors::stream {
namespace {

// The first media segment anchors a timeline that config or the admin API did not fix.
void ensure_timeline(stream_state& st, const model::object_class& object, std::int64_t duration_header_ms,
                     std::int64_t now) {
  if (object.kind != model::object_kind::media_segment) return;
  if (duration_header_ms > 0 && duration_header_ms != st.segment_duration_ms) {
    st.segment_duration_ms = duration_header_ms;
    if (st.timeline && !st.fixed_availability_start_ms) st.timeline.reset();  // learned: learn again
    if (st.timeline) st.timeline->segment_duration_ms = duration_header_ms;
  }
  if (st.timeline) return;
  auto start = st.fixed_start_number.value_or(object.segment_number);
  if (object.segment_number < start) return;  // before the configured start: nothing to anchor on
  model::timeline line{st.segment_duration_ms, start, 0};
  if (st.fixed_availability_start_ms) {
    line.availability_start_ms = *st.fixed_availability_start_ms;
  } else {
    // This segment is due now: due(n) = availability_start + (n - start + 1) * duration.
    auto anchored = model::anchored_timeline(object.segment_number, now, st.segment_duration_ms);
    line.availability_start_ms = anchored.availability_start_ms -
                                 static_cast<std::int64_t>(object.segment_number - start) * st.segment_duration_ms;
  }
  st.timeline = line;
  spdlog::info("stream /{}/{}: timeline anchored at segment {} (start {}, {} ms segments)", st.tenant, st.stream,
               object.segment_number, line.start_number, line.segment_duration_ms);
}

// Notifications are kept per segment number for as long as the segment is in the DVR window; each PUT's
// are recorded once, however many pipelines send the same segment.
void record_events(stream_state& st, std::uint64_t segment_number, const std::vector<std::string>& texts) {
  for (const auto& text : texts) {
    auto encoded = model::encode_event(text);
    bool known = std::any_of(st.events.begin(), st.events.end(),
                             [&](const auto& e) { return e.first == segment_number && e.second == encoded; });
    if (!known) {
      st.events.emplace_back(segment_number, std::move(encoded));
      st.state_changed = true;
    }
  }
  if (st.events.size() > max_events_per_stream)
    st.events.erase(st.events.begin(), st.events.end() - max_events_per_stream);
}

// Only while this node's fence is open (its etcd lease surely alive), when there is one.
bool may_write(const stream_state& st) { return !st.defaults->fence || st.defaults->fence->open(); }

// Only the incarnation that heard of the upload counts it finished (a retry may reach its successor).
void finish_upload(stream_state& st, const std::string& name) {
  if (auto upload = st.uploads_in_flight.find(name); upload != st.uploads_in_flight.end())
    if (--upload->second == 0) st.uploads_in_flight.erase(upload);
}

// What the model says of a write to the pipeline's candidate (before the tenant's quota is asked).
model::write_outcome decide_write(const stream_state& st, const model::object_class& object, const object_write& write,
                                  const stored_object& candidate) {
  std::string_view stored_bytes;
  model::write_facts facts;
  bool is_segment = object.kind == model::object_kind::media_segment;
  if (present(candidate)) {
    stored_bytes = candidate.body.view();
    facts.stored = hot(candidate) ? &stored_bytes : nullptr;
    facts.stored_elsewhere = !hot(candidate);
    facts.stored_digest = candidate.digest;
    facts.immutable = is_segment && candidate.served;
  }
  facts.declared_gone = is_segment && st.declared_gone.count(write.object) > 0;
  return model::classify_write(facts, write.body.view(), write.digest);
}

// Growth is reserved against the tenant's stored-bytes quota, across all its streams; false when over it.
bool reserve_growth(stream_state& st, const stored_object& candidate, std::uint64_t new_size) {
  auto old_size = stored_size(candidate);
  return new_size <= old_size || st.defaults->tenant->stored.try_grow(new_size - old_size);
}

// The pipeline's candidate takes the written bytes (not yet durable when there is storage), with what
// counts it: stored and hot bytes, the pipeline's first copy of a segment, notifications.
void store_candidate(stream_state& st, const model::object_class& object, stream_state::object_entry& entry,
                     std::size_t pipeline, const object_write& write, model::defect_set defects, std::int64_t now) {
  auto& candidate = entry.candidates[pipeline];
  auto old_size = stored_size(candidate);
  if (write.body.size() < old_size) st.defaults->tenant->stored.shrink(old_size - write.body.size());
  assert(st.bytes >= old_size && "the replaced bytes were counted");
  st.bytes -= old_size;
  st.bytes += write.body.size();
  bool first = !present(candidate);
  count_hot(st, candidate, false);
  candidate = stored_object{
      .body = write.body, .digest = write.digest, .stored_at_ms = now, .defects = defects, .durable = !st.storage};
  count_hot(st, candidate, true);
  if (entry.delete_requested_at_ms != 0) st.state_changed = true;
  entry.delete_requested_at_ms = 0;  // written again after a DELETE: it stays
  bool is_segment = object.kind == model::object_kind::media_segment;
  if (is_segment && first) {
    count_segment(st.stats[pipeline], object.segment_number, defects);
    count_for_pipeline(st.defaults->tenant->received, pipeline);
  }
  // Notifications on a manifest or other object count from the current live edge.
  auto at = is_segment    ? object.segment_number
            : st.timeline ? model::live_edge(*st.timeline, now).value_or(st.timeline->start_number)
                          : 0;
  record_events(st, at, write.events);
}

// An accepted write of a manifest (even of the same bytes: a live packager re-PUTs an unchanged one) says when
// the pipeline last wrote it and what its version lists (model::listed_segment).
void note_written(stream_state& st, const model::object_class& object, stream_state::object_entry& entry,
                  std::size_t pipeline, const object_write& write, std::int64_t now) {
  if (object.kind != model::object_kind::manifest) return;
  if (!entry.manifest) entry.manifest.emplace(st.defaults->pipelines.size());
  auto listed = model::listed_segment(write.body.view(), st.defaults->profile.naming, st.stats[pipeline].last_segment);
  entry.manifest->note_written(pipeline, listed, now);
}

}  // namespace

caf::result<write_reply> write_object(stream_pointer self, const object_write& write) {
  auto& st = self->state;
  ++st.writes;
  if (write.announced_to == self->id()) finish_upload(st, write.object);
  if (!may_write(st)) {
    resolve_holds(self, write.object);  // a read held for this upload's end decides again without it
    return write_reply_for(model::write_outcome::refused_no_lease);
  }
  auto now = now_ms(st);
  auto object = classify(st, write.object);
  ensure_timeline(st, object, write.segment_duration_ms, now);
  note_track(st, object);
  auto pipeline = pipeline_index(st, write.pipeline);
  auto& entry = entry_for(st, write.object);
  auto outcome = decide_write(st, object, write, entry.candidates[pipeline]);
  bool stores = outcome == model::write_outcome::created || outcome == model::write_outcome::replaced;
  if (stores && !reserve_growth(st, entry.candidates[pipeline], write.body.size()))
    stores = false, outcome = model::write_outcome::refused_quota;
  if (stores) {
    auto verdict = inspect_upload(st, object, write, pipeline);
    auto defects = static_cast<model::defect_set>(write.defects | verdict.defects);
    store_candidate(st, object, entry, pipeline, write, defects, now);
    if (defects != model::defects::none)
      note_defective(st, pipeline, write.object, defects, std::move(verdict.found), now);
  }
  if (model::status_for(outcome) < 300) note_written(st, object, entry, pipeline, write, now);
  // The same bytes again while the first write is still on its way to storage (a packager's retry) must
  // not be acknowledged before storage has them either: it is written through too.
  const auto& candidate = entry.candidates[pipeline];
  bool retry_of_unstored = outcome == model::write_outcome::unchanged && present(candidate) && !candidate.durable;
  if (!present(candidate) && std::none_of(entry.candidates.begin(), entry.candidates.end(), present))
    st.objects.erase(write.object);  // refused before anything was stored (`entry` is gone from here on)
  count_objects(st);
  persist_timeline(self);
  persist_state(self);
  auto reply = write_reply_for(outcome);
  if ((!stores && !retry_of_unstored) || !st.storage) {
    resolve_holds(self, write.object);
    return reply;
  }
  auto acknowledged = write_through(self, write.object, pipeline, reply, stores, now);
  // After the write request: a segment's first serve marker must reach storage behind its bytes.
  resolve_holds(self, write.object);
  return acknowledged;
}

caf::result<write_reply> schedule_delete(stream_pointer self, const std::string& name) {
  auto& st = self->state;
  if (!may_write(st)) return write_reply_for(model::write_outcome::refused_no_lease);
  auto it = st.objects.find(name);
  if (st.defaults->profile.on_delete == model::delete_policy::expire && it != st.objects.end() &&
      it->second.delete_requested_at_ms == 0) {
    it->second.delete_requested_at_ms = now_ms(st);
    st.state_changed = true;
  }
  auto promise = self->make_response_promise<write_reply>();
  when_state_stored(self, [promise](state_write write) mutable {
    if (write == state_write::stored)
      promise.deliver(write_reply_for(model::write_outcome::delete_scheduled));
    else if (write == state_write::failed)
      promise.deliver(write_reply_for(model::write_outcome::store_failed));
    else
      promise.deliver(caf::make_error(caf::sec::request_receiver_down));
  });
  persist_state(self);
  return promise;
}

void upload_started(stream_state& st, const std::string& name) {
  note_track(st, classify(st, name));
  ++st.uploads_in_flight[name];
}

void upload_aborted(stream_pointer self, const std::string& name) {
  finish_upload(self->state, name);
  resolve_holds(self, name);
}

stream_state::object_entry& entry_for(stream_state& st, const std::string& name) {
  auto& entry = st.objects[name];
  auto pipelines = st.defaults->pipelines.size();
  entry.candidates.resize(pipelines);
  entry.writes.resize(pipelines);
  return entry;
}

void note_track(stream_state& st, const model::object_class& object) {
  if (object.kind == model::object_kind::media_segment) st.known_tracks.insert(object.track);
}

void count_segment(pipeline_stats& stats, std::uint64_t segment_number, model::defect_set defects) {
  ++stats.segments_received;
  if (defects & model::defects::short_segment) ++stats.defects_short;
  if (defects & model::defects::missing) ++stats.defects_missing;
  if (defects & model::defects::discontinuity) ++stats.defects_discontinuity;
  if (defects & model::defects::slate) ++stats.defects_slate;
  if (defects & model::defects::corrupt) ++stats.defects_corrupt;
  stats.last_segment = std::max(stats.last_segment, static_cast<std::int64_t>(segment_number));
}

}  // namespace live_origin::actors::stream
