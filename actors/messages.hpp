#pragma once

// Every message that crosses an actor boundary: payload types, atoms, typed actor interfaces and the
// type-ID block that registers them with CAF (an unregistered type would arrive empty across nodes).

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/object_body.hpp"
#include "actors/stream_defaults.hpp"
#include "model/object_kind.hpp"
#include "model/read_policy.hpp"
#include "model/stored_record.hpp"
#include "model/timeline.hpp"
#include "model/write_policy.hpp"

namespace live_origin::actors {

// An object as the stream actor stores it: its bytes and what HTTP validators need.
struct stored_object {
  object_body body;
  std::uint64_t digest = 0;                 // model::content_digest of the bytes; the strong ETag
  std::int64_t stored_at_ms = 0;            // wall clock when it was stored (Last-Modified)
  std::int64_t delete_requested_at_ms = 0;  // 0: never; DELETE schedules expiry, it never removes at once
  bool served = false;                      // a 200 went out for it: a media segment's bytes are now fixed
  std::uint8_t defects = 0;                 // model::defect_set the packager reported (X-Origin-Defects)
  bool durable = false;                     // storage acknowledged it
  std::uint64_t cold_bytes = 0;             // > 0: left the hot window; its bytes (this many) are only in storage
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
  std::uint8_t defects = 0;              // X-Origin-Defects as a model::defect_set
  std::vector<std::string> events;       // X-Origin-Event values, recorded at this segment number
};

// The stream actor's answer to a write: the HTTP status the packager gets and the model's outcome
// (a model::write_outcome), which names a refusal in the counters.
struct write_reply {
  std::uint16_t status = 0;
  std::uint8_t outcome = 0;
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
  std::uint8_t outcome = 0;  // the model::read_outcome behind the status
  std::string cache_control;
  std::int64_t ttl_ms = -1;          // X-Origin-TTL-Ms when >= 0
  std::int64_t segment_number = -1;  // X-Origin-Segment when >= 0
  stored_object object;
  std::string pipeline;  // for 200: the pipeline whose candidate is served (X-Origin-Pipeline)
  std::string events;    // for segments: every notification so far (X-Origin-Events)
};

// The reply to a write decided as `outcome`: its status, and the outcome that names it in the counters.
inline write_reply write_reply_for(model::write_outcome outcome) {
  return {model::status_for(outcome), static_cast<std::uint8_t>(outcome)};
}

// A read answered without an object (no stream, or its owner lost): status and cache headers as the model
// gives them for `outcome`.
inline read_reply read_reply_for(model::read_outcome outcome, const model::cache_policy& cache) {
  auto headers = model::answer_for({outcome}, model::object_kind::plain, cache);
  return read_reply{headers.status, static_cast<std::uint8_t>(outcome), headers.cache_control, -1, -1, {}, {}, {}};
}

// An operator's exclusion of one pipeline for segment numbers [from, to] (inclusive).
struct pipeline_mask {
  std::string pipeline;
  std::uint64_t from = 0;
  std::uint64_t to = 0;
  friend bool operator==(const pipeline_mask&, const pipeline_mask&) = default;
};

// What one pipeline has delivered to a stream.
struct pipeline_stats {
  std::string pipeline;
  std::uint64_t segments_received = 0;
  std::uint64_t defects_short = 0;
  std::uint64_t defects_missing = 0;
  std::uint64_t defects_discontinuity = 0;
  std::int64_t last_segment = -1;  // -1: none yet
  std::int64_t lag_segments = -1;  // live edge - last segment; -1 when either is unknown
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

// Introspection: what /actors shows, gathered by asking each actor.
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

struct tenant_info {
  std::string name;
  std::uint64_t actor_id = 0;
  std::uint64_t mailbox = 0;
  std::uint64_t restarts = 0;
  std::uint64_t messages_handled = 0;
  std::vector<stream_info> streams;
  bool responsive = true;
};

struct origin_info {
  std::uint64_t actor_id = 0;
  std::uint64_t mailbox = 0;
  std::uint64_t messages_handled = 0;
  std::vector<tenant_info> tenants;
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
typename Inspector::result_type inspect(Inspector& f, pipeline_stats& x) {
  return f(caf::meta::type_name("pipeline_stats"), x.pipeline, x.segments_received, x.defects_short, x.defects_missing,
           x.defects_discontinuity, x.last_segment, x.lag_segments, x.segments_served);
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
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_info& x) {
  return f(caf::meta::type_name("tenant_info"), x.name, x.actor_id, x.mailbox, x.restarts, x.messages_handled,
           x.streams, x.responsive);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, origin_info& x) {
  return f(caf::meta::type_name("origin_info"), x.actor_id, x.mailbox, x.messages_handled, x.tenants);
}

// -- cluster --------------------------------------------------------------------------------------

// A node as its peers know it. A joining node owns nothing until the copies it is to hold have caught up.
enum class node_state : std::uint8_t { joining = 0, active = 1 };

struct node_record {
  std::string id;
  std::string host;  // where its cluster actor is published (BASP)
  std::uint16_t port = 0;
  std::uint8_t state = 0;  // a node_state
  std::string delivery;    // its listeners, HOST:PORT, for operators (GET /cluster)
  std::string ingest;
  std::string admin;
  friend bool operator==(const node_record&, const node_record&) = default;
};

// HOST:PORT of a node's cluster actor, as logs, GET /cluster and the cluster actor's bookkeeping name it.
std::string cluster_address(const std::string& host, std::uint16_t port);

// A GET answered by the stream's owner for another node. The body rides along only when it is at most
// one chunk; a larger one waits in the owner's outbox as `transfer` and is fetched in pieces. `cached`:
// the bytes are those the asking node said it has (no bytes sent).
struct remote_read {
  read_reply reply;
  std::uint64_t transfer = 0;
  std::uint64_t size = 0;
  bool cached = false;
  bool unknown_stream = false;  // no node has the stream: the asking node need not keep a proxy for it
};

// Raw store records from a stream's owner to a node that keeps a copy: what the owner wrote (or, for a
// catch-up, everything it holds for the stream), in the owner's order. A value larger than a chunk comes
// as consecutive pieces of a one-key batch (`piece_total` > 0).
struct record_batch {
  std::string tenant;
  std::string stream;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  std::vector<std::string> erases;
  std::uint64_t piece_offset = 0;
  std::uint64_t piece_total = 0;
  std::vector<std::string> erase_prefixes;  // a catch-up starts by dropping what the copy held before
  friend bool operator==(const record_batch&, const record_batch&) = default;
};

// A node and its cluster actor as /cluster and /actors show them.
struct cluster_member {
  node_record record;
  std::uint64_t actor_id = 0;
  bool self = false;
};

// Where one stream lives.
struct stream_placement {
  std::string tenant;
  std::string stream;
  std::string owner;
  std::string replica;
};

struct cluster_info {
  std::string self;
  std::uint64_t version = 0;  // bumped by every change of the live set
  std::vector<cluster_member> members;
  std::vector<stream_placement> streams;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_record& x) {
  return f(caf::meta::type_name("node_record"), x.id, x.host, x.port, x.state, x.delivery, x.ingest, x.admin);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_read& x) {
  return f(caf::meta::type_name("remote_read"), x.reply, x.transfer, x.size, x.cached, x.unknown_stream);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_batch& x) {
  return f(caf::meta::type_name("record_batch"), x.tenant, x.stream, x.keys, x.values, x.erases, x.piece_offset,
           x.piece_total, x.erase_prefixes);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_member& x) {
  return f(caf::meta::type_name("cluster_member"), x.record, x.actor_id, x.self);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_placement& x) {
  return f(caf::meta::type_name("stream_placement"), x.tenant, x.stream, x.owner, x.replica);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_info& x) {
  return f(caf::meta::type_name("cluster_info"), x.self, x.version, x.members, x.streams);
}

}  // namespace live_origin::actors

namespace live_origin::actors {

// One candidate as durable storage has it (or is to have it).
struct stored_candidate {
  std::string tenant;
  std::string stream;
  std::string object;
  std::string pipeline;
  stored_object candidate;
  std::int64_t deadline_ms = 0;  // wall clock after which storage must not write it any more (0: none)
};

// What storage holds for one stream: what its actor resumes from. Records that fail their checksum are
// reported and skipped, never returned.
struct recovered_stream {
  std::string tenant;
  std::string stream;
  std::optional<model::timeline> timeline;
  std::optional<model::stream_state_record> state;  // masks, notifications, 410 markers, DELETEs, settings
  std::vector<stored_candidate> candidates;
  std::vector<std::pair<std::string, std::string>> served;  // object -> the pipeline whose candidate was served
  std::size_t skipped = 0;                                  // unreadable records
};

// A tenant as configured: its name, what each new stream of it starts with, and (at process start) the
// streams storage holds for it.
struct tenant_setup {
  std::string name;
  std::shared_ptr<const stream_defaults> defaults;
  std::vector<recovered_stream> recovered;  // at process start: the streams storage holds
  // A tenant that starts after the process did (added by a reload, or its supervisor restarted) asks
  // storage for its streams itself.
  bool load_from_store = false;
};

// The tenants of a reloaded configuration (to the origin supervisor), or one tenant's new setup (to its
// supervisor). Local only: it carries shared pointers.
struct tenant_reload {
  std::vector<tenant_setup> tenants;
};

}  // namespace live_origin::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(live_origin::actors::tenant_reload)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(live_origin::actors::stored_candidate)  // local: storage actors run in-process
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(live_origin::actors::recovered_stream)

CAF_BEGIN_TYPE_ID_BLOCK(live_origin, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::object_body))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::stored_object))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::object_write))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::write_reply))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::object_read))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::read_reply))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::pipeline_mask))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::pipeline_stats))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::stream_settings))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::stream_status))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::stream_info))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::tenant_info))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::origin_info))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::node_record))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::remote_read))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::record_batch))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::cluster_member))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::stream_placement))
CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::cluster_info))
CAF_ADD_TYPE_ID(live_origin, (std::vector<live_origin::actors::node_record>))
CAF_ADD_TYPE_ID(live_origin, (std::vector<live_origin::actors::stream_placement>))
CAF_ADD_ATOM(live_origin, live_origin::actors, info_atom, "info")
CAF_ADD_ATOM(live_origin, live_origin::actors, upload_atom, "upload")
CAF_ADD_ATOM(live_origin, live_origin::actors, abort_atom, "abort")
CAF_ADD_ATOM(live_origin, live_origin::actors, release_atom, "release")
CAF_ADD_ATOM(live_origin, live_origin::actors, expire_atom, "expire")
CAF_ADD_ATOM(live_origin, live_origin::actors, sweep_atom, "sweep")
CAF_ADD_ATOM(live_origin, live_origin::actors, settings_atom, "settings")
CAF_ADD_ATOM(live_origin, live_origin::actors, mask_atom, "mask")
CAF_ADD_ATOM(live_origin, live_origin::actors, crash_atom, "crash")
CAF_ADD_ATOM(live_origin, live_origin::actors, reload_atom, "reload")
CAF_ADD_ATOM(live_origin, live_origin::actors, store_atom, "store")
CAF_ADD_ATOM(live_origin, live_origin::actors, erase_atom, "erase")
CAF_ADD_ATOM(live_origin, live_origin::actors, load_atom, "load")
CAF_ADD_ATOM(live_origin, live_origin::actors, served_atom, "served")
CAF_ADD_ATOM(live_origin, live_origin::actors, hello_atom, "hello")
CAF_ADD_ATOM(live_origin, live_origin::actors, member_atom, "member")
CAF_ADD_ATOM(live_origin, live_origin::actors, synced_atom, "synced")
CAF_ADD_ATOM(live_origin, live_origin::actors, tick_atom, "tick")
CAF_ADD_ATOM(live_origin, live_origin::actors, chunk_atom, "chunk")
CAF_ADD_ATOM(live_origin, live_origin::actors, fetch_atom, "fetch")
CAF_ADD_ATOM(live_origin, live_origin::actors, replicate_atom, "replicate")
CAF_ADD_ATOM(live_origin, live_origin::actors, apply_atom, "apply")
CAF_ADD_ATOM(live_origin, live_origin::actors, sync_atom, "sync")
CAF_ADD_ATOM(live_origin, live_origin::actors, list_atom, "list")
CAF_ADD_ATOM(live_origin, live_origin::actors, placement_atom, "placement")
CAF_END_TYPE_ID_BLOCK(live_origin)

namespace live_origin::actors {

using caf::delete_atom;
using caf::delete_atom_v;
using caf::get_atom;
using caf::get_atom_v;
using caf::open_atom;
using caf::open_atom_v;
using caf::put_atom;
using caf::put_atom_v;

// Durable storage, on its own thread (a detached actor): disk I/O never runs on the CAF scheduler or Asio.
using storage_actor = caf::typed_actor<
    caf::replies_to<store_atom, stored_candidate>::with<bool>,                 // write-through: true once durable
    caf::replies_to<store_atom, std::string, std::string>::with<bool>,         // a small record (key, value); true once
                                                                               // durable
    caf::replies_to<served_atom, std::string, std::string>::with<bool>,        // served marker (key, pipeline): durable
    caf::reacts_to<erase_atom, std::vector<std::string>>,                      // records that left the DVR window
    caf::replies_to<get_atom, std::string, std::uint64_t>::with<object_body>,  // key, digest: empty if no intact copy;
                                                                               // error if unreadable now
    caf::replies_to<load_atom, std::string, std::string>::with<recovered_stream>,  // tenant, stream
    // Cluster: records from a stream's owner (true once applied); everything held for a stream sent to a
    // node (tenant, stream, node id; true once it has applied all); the streams the store holds.
    caf::replies_to<apply_atom, record_batch>::with<bool>,
    caf::replies_to<sync_atom, std::string, std::string, std::string>::with<bool>,
    caf::replies_to<list_atom>::with<std::vector<stream_placement>>>;

// Storage actors share one store. A stream always uses the same one, so its writes reach the store in order.
using storage_pool = std::vector<storage_actor>;
inline std::optional<storage_actor> storage_for(const storage_pool& pool, std::string_view tenant,
                                                std::string_view stream) {
  if (pool.empty()) return std::nullopt;
  auto hash = std::hash<std::string_view>{}(tenant)*31 + std::hash<std::string_view>{}(stream);
  return pool[hash % pool.size()];
}

// One live stream: owns its objects, its timeline and its held requests.
using stream_actor =
    caf::typed_actor<caf::replies_to<put_atom, object_write>::with<write_reply>,
                     caf::replies_to<get_atom, object_read>::with<read_reply>,  // may be held until the object lands
                     caf::replies_to<delete_atom, std::string>::with<write_reply>,
                     caf::reacts_to<upload_atom, std::string>,                  // a PUT's body started arriving
                     caf::reacts_to<abort_atom, std::string>,                   // ... and failed before completing
                     caf::reacts_to<release_atom, std::string, std::uint64_t>,  // a held client went away
                     caf::reacts_to<expire_atom, std::string, std::uint64_t>,   // a hold's deadline (sent to itself)
                     caf::reacts_to<sweep_atom>,                                // DVR expiry (sent to itself)
                     caf::replies_to<settings_atom, stream_settings>::with<stream_status>,
                     caf::replies_to<settings_atom>::with<stream_status>,
                     caf::replies_to<mask_atom, pipeline_mask>::with<stream_status>,               // add a mask
                     caf::replies_to<mask_atom, delete_atom, pipeline_mask>::with<stream_status>,  // remove one
                     caf::replies_to<info_atom>::with<stream_info>,
                     caf::reacts_to<crash_atom>>;  // fault injection (admin drill, when enabled)

// One tenant: spawns, monitors and restarts its stream actors. In a cluster, a stream owned by another
// node is a local proxy actor with the same interface.
using tenant_supervisor_actor =
    caf::typed_actor<caf::replies_to<open_atom, std::string>::with<stream_actor>,
                     // The same, creating the stream only if `create` (a GET or DELETE must not create streams: an
                     // error, remote_lookup_failed, when storage does not know it). From another node: only this node's
                     // own actor for a stream it owns (else no_route_to_receiving_node).
                     caf::replies_to<open_atom, std::string, bool>::with<stream_actor>,
                     caf::reacts_to<placement_atom>,  // the live set changed: streams whose owner changed are retired
                     // The same, from a caller that found this incarnation gone: waits for its successor.
                     caf::replies_to<open_atom, std::string, stream_actor>::with<stream_actor>,
                     caf::replies_to<info_atom>::with<tenant_info>,
                     // Answered once the tenant has started the streams storage holds for it
                     // (tenant_setup::load_from_store).
                     caf::replies_to<caf::ping_atom>::with<caf::pong_atom>,
                     caf::reacts_to<reload_atom, tenant_reload>>;  // new defaults for streams opened from now on

// The root of the tree: one tenant supervisor per configured tenant.
// ping/pong proves the actor system schedules work (readiness).
// reload: the configured tenants now; starts new ones, retires removed ones (their streams stop), hands
// the others their new setup; answers with the number of tenants.
using origin_supervisor_actor = caf::typed_actor<caf::replies_to<info_atom>::with<origin_info>,
                                                 caf::replies_to<caf::ping_atom>::with<caf::pong_atom>,
                                                 caf::replies_to<reload_atom, tenant_reload>::with<std::uint64_t>>;

// One per node in a cluster: membership, and the far end of every request another node makes for a
// stream this node owns or keeps a copy of. Published with io::publish; peers reach it with remote_actor.
using cluster_actor = caf::typed_actor<
    // A node introduces itself; the answer is every member this node knows (itself included).
    caf::replies_to<hello_atom, node_record>::with<std::vector<node_record>>,
    caf::reacts_to<member_atom, node_record>,  // a member's state changed (it became active)
    caf::reacts_to<synced_atom, std::string>,  // an active node has sent this (joining) node its copies
    caf::reacts_to<tick_atom>,                 // reconnect to seeds and lost peers (sent to itself)
    caf::replies_to<open_atom, std::string, std::string, bool>::with<stream_actor>,  // tenant, stream, create
    // A forwarded PUT's body, in pieces (transfer id, total size, piece), then the PUT naming the transfer.
    caf::replies_to<chunk_atom, std::uint64_t, std::uint64_t, object_body>::with<bool>,
    caf::replies_to<put_atom, std::string, std::string, object_write, std::uint64_t>::with<write_reply>,
    // A forwarded GET (tenant, stream, read, digest of the bytes the asking node has cached or 0).
    caf::replies_to<get_atom, std::string, std::string, object_read, std::uint64_t>::with<remote_read>,
    caf::replies_to<fetch_atom, std::uint64_t, std::uint64_t>::with<object_body>,  // transfer, offset
    caf::replies_to<replicate_atom, record_batch>::with<bool>, caf::replies_to<info_atom>::with<cluster_info>>;

// Registers every message type above (and the typed handles) with the actor system config.
void register_message_types(caf::actor_system_config& config);

}  // namespace live_origin::actors
