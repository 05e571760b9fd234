#pragma once

// What the HTTP side (and other nodes) send to a stream actor, and what it answers: the payloads and their
// serialization. Type IDs: actors/type_ids.hpp; the stream actor's interface: actors/interfaces.hpp.

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "model/read_policy.hpp"
#include "model/selection.hpp"
#include "model/write_policy.hpp"
#include "storage/object_body.hpp"

namespace live_origin::actors {

using storage::object_body;

// An object as the stream actor stores it: its bytes and what HTTP validators need.
struct stored_object {
  object_body body;
  std::uint64_t digest = 0;                          // model::content_digest of the bytes; the strong ETag
  std::int64_t stored_at_ms = 0;                     // wall clock when it was stored (Last-Modified)
  std::int64_t delete_requested_at_ms = 0;           // 0: never; DELETE schedules expiry, it never removes at once
  bool served = false;                               // a 200 went out for it: a media segment's bytes are now fixed
  model::defect_set defects = model::defects::none;  // what the packager reported (X-Origin-Defects)
  bool durable = false;                              // storage acknowledged it
  std::uint64_t cold_bytes = 0;  // > 0: left the hot window; its bytes (this many) are only in storage
};

// A write from a packager: the object name inside the stream, the bytes and their digest
// (computed on the ingest thread, so the stream actor never hashes megabytes).
struct object_write {
  std::string object;
  object_body body;
  std::uint64_t digest = 0;
  std::int64_t segment_duration_ms = 0;  // X-Origin-Segment-Duration, 0 when absent
  caf::actor_id announced_to = 0;        // the incarnation told (upload_atom) when the body started; 0: none
  std::string pipeline;                  // X-Origin-Pipeline (validated); empty: the first pipeline
  model::defect_set defects = model::defects::none;  // X-Origin-Defects
  std::vector<std::string> events;                   // X-Origin-Event values, recorded at this segment number
};

// The stream actor's answer to a write: the HTTP status the packager gets and the model's outcome, which
// names a refusal in the counters.
struct write_reply {
  std::uint16_t status = 0;
  model::write_outcome outcome = model::write_outcome::created;
};

// A read from a CDN node. `token` identifies this request so its hold can be released when the client
// goes away; `shed_dvr` is set while the delivery side is over its load bound.
struct object_read {
  std::string object;
  std::uint64_t token = 0;
  bool shed_dvr = false;
};

// The stream actor's answer to a read: status, cache headers, and for 200 the object.
struct read_reply {
  std::uint16_t status = 0;
  model::read_outcome outcome = model::read_outcome::serve;  // the decision behind the status
  std::string cache_control;
  std::int64_t ttl_ms = -1;          // X-Origin-TTL-Ms when >= 0
  std::int64_t segment_number = -1;  // X-Origin-Segment when >= 0
  stored_object object;
  std::string pipeline;  // for 200: the pipeline whose candidate is served (X-Origin-Pipeline)
  std::string events;    // for segments: every notification so far (X-Origin-Events)
};

// The reply to a write decided as `outcome`: its status, and the outcome that names it in the counters.
inline write_reply write_reply_for(model::write_outcome outcome) {
  return {.status = model::status_for(outcome), .outcome = outcome};
}

// A read answered without an object (no stream, or its owner lost): status and cache headers as the model
// gives them for `outcome`.
inline read_reply read_reply_for(model::read_outcome outcome, const model::cache_policy& cache) {
  auto headers = model::answer_for({outcome}, model::object_kind::plain, cache);
  return {.status = headers.status, .outcome = outcome, .cache_control = headers.cache_control};
}

// An operator's exclusion of one pipeline for segment numbers [from, to] (inclusive).
struct pipeline_mask {
  std::string pipeline;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  friend bool operator==(const pipeline_mask&, const pipeline_mask&) = default;
};

// A defective segment or init segment a pipeline uploaded, for operators.
struct defect_report {
  std::string object;
  std::string defects;  // header form: "short, corrupt"
  std::string found;    // what the origin's inspection found ("video: 35 of 50 samples, ..."); empty when
                        // only the packager reported the defects
  std::int64_t at_ms = 0;
  friend bool operator==(const defect_report&, const defect_report&) = default;
};

// What one pipeline has delivered to a stream.
struct pipeline_stats {
  std::string pipeline;
  std::uint64_t segments_received = 0;
  std::uint64_t defects_short = 0;  // segments received with each kind (reported or found)
  std::uint64_t defects_missing = 0;
  std::uint64_t defects_discontinuity = 0;
  std::uint64_t defects_slate = 0;
  std::uint64_t defects_corrupt = 0;
  std::vector<defect_report> recent_defects;  // the last few, oldest first
  std::int64_t last_segment = -1;             // -1: none yet
  std::int64_t lag_segments = -1;             // live edge - last segment; -1 when either is unknown
  std::uint64_t segments_served = 0;
};

// Per-stream timeline and policy changes from the admin API; `unset` leaves a field as it is.
struct stream_settings {
  static constexpr std::int64_t unset = INT64_MIN;
  std::int64_t segment_duration_ms = unset;
  std::int64_t start_number = unset;
  std::int64_t availability_start_ms = unset;
  std::int64_t retry_budget_ms = unset;
  std::int64_t dvr_window_ms = unset;
  std::int64_t max_hold_ms = unset;
  std::int64_t live_window_segments = unset;
  std::int64_t force_shedding = unset;      // 0 or 1: shed this stream's DVR reads regardless of load (drills)
  std::vector<std::string> pipeline_order;  // empty: unchanged; else every configured pipeline, once
};

// A stream's timeline and state as the admin API shows it.
struct stream_status {
  bool has_timeline = false;
  std::int64_t segment_duration_ms = 0;
  std::int64_t start_number = 0;
  std::int64_t availability_start_ms = 0;
  std::int64_t live_edge = -1;  // -1: nothing due yet
  std::int64_t retry_budget_ms = 0;
  std::int64_t dvr_window_ms = 0;
  std::int64_t max_hold_ms = 0;
  std::int64_t live_window_segments = 0;
  bool force_shedding = false;
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t hot_bytes = 0;  // of `bytes`, those in memory (the rest is read from storage on demand)
  std::uint64_t held_requests = 0;
  std::uint64_t uploads_in_flight = 0;
  std::int64_t now_ms = 0;
  std::vector<std::string> pipeline_order;
  std::vector<pipeline_stats> pipelines;
  std::vector<pipeline_mask> masks;
};

// Introspection: what /actors shows of a stream, gathered by asking its actor.
struct stream_info {
  std::string name;
  std::uint64_t actor_id = 0;
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t mailbox = 0;
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
  std::uint64_t held_requests = 0;
  std::uint64_t messages_handled = 0;
  bool responsive = true;  // false: it did not answer the introspection request in time
  std::string node;        // in a cluster: the node this actor runs on (a stream owned elsewhere shows its owner's)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_object& x) {
  return f(caf::meta::type_name("stored_object"), x.body, x.digest, x.stored_at_ms, x.delete_requested_at_ms, x.served,
           x.defects, x.durable, x.cold_bytes);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, object_write& x) {
  return f(caf::meta::type_name("object_write"), x.object, x.body, x.digest, x.segment_duration_ms, x.announced_to,
           x.pipeline, x.defects, x.events);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_reply& x) {
  return f(caf::meta::type_name("write_reply"), x.status, x.outcome);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, object_read& x) {
  return f(caf::meta::type_name("object_read"), x.object, x.token, x.shed_dvr);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, read_reply& x) {
  return f(caf::meta::type_name("read_reply"), x.status, x.outcome, x.cache_control, x.ttl_ms, x.segment_number,
           x.object, x.pipeline, x.events);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pipeline_mask& x) {
  return f(caf::meta::type_name("pipeline_mask"), x.pipeline, x.from, x.to);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, defect_report& x) {
  return f(caf::meta::type_name("defect_report"), x.object, x.defects, x.found, x.at_ms);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pipeline_stats& x) {
  return f(caf::meta::type_name("pipeline_stats"), x.pipeline, x.segments_received, x.defects_short, x.defects_missing,
           x.defects_discontinuity, x.defects_slate, x.defects_corrupt, x.recent_defects, x.last_segment,
           x.lag_segments, x.segments_served);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_settings& x) {
  return f(caf::meta::type_name("stream_settings"), x.segment_duration_ms, x.start_number, x.availability_start_ms,
           x.retry_budget_ms, x.dvr_window_ms, x.max_hold_ms, x.live_window_segments, x.force_shedding,
           x.pipeline_order);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_status& x) {
  return f(caf::meta::type_name("stream_status"), x.has_timeline, x.segment_duration_ms, x.start_number,
           x.availability_start_ms, x.live_edge, x.retry_budget_ms, x.dvr_window_ms, x.max_hold_ms,
           x.live_window_segments, x.force_shedding, x.objects, x.bytes, x.hot_bytes, x.held_requests,
           x.uploads_in_flight, x.now_ms, x.pipeline_order, x.pipelines, x.masks);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_info& x) {
  return f(caf::meta::type_name("stream_info"), x.name, x.actor_id, x.objects, x.bytes, x.mailbox, x.writes, x.reads,
           x.held_requests, x.messages_handled, x.responsive, x.node);
}

}  // namespace live_origin::actors
