#pragma once

// A stream actor's state and the small helpers every part of it uses. The parts: reads.hpp (what a GET
// gets), writes.hpp (what a PUT does), holds.hpp (GETs that wait), durability.hpp (write-through and the
// first-serve protocol, with its diagram), memory.hpp (the hot window and byte accounting),
// recovery.hpp (restore and DVR sweep), settings.hpp (operators' changes and status). The behaviour that
// ties them to messages is in actors/stream_actor.cpp.

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/stream_defaults.hpp"
#include "model/hot_window.hpp"
#include "model/manifest_choice.hpp"
#include "model/media_inspector.hpp"
#include "model/object_kind.hpp"
#include "model/timeline.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::actors::stream {

// Stream-event notifications kept per stream (the oldest go first); they also leave with the DVR window.
inline constexpr std::size_t max_events_per_stream = 1000;
// Operator masks per stream (more are ignored; an operator needs few).
inline constexpr std::size_t max_masks_per_stream = 1000;
// DVR expiry runs this often, or once per segment when segments are shorter.
inline constexpr std::int64_t sweep_interval_ms = 1000;

struct held_request {
  caf::typed_response_promise<read_reply> promise;
  std::uint64_t token = 0;
};

// How the state record write an answer waited for ended.
enum class state_write { stored, failed, actor_ending };

struct stream_state {
  static inline const char* name = "stream";
  std::string tenant;
  std::string stream;
  std::shared_ptr<const stream_defaults> defaults;

  // -- timeline: fixed pieces from config or the admin API; the rest is learned from the first segment.
  std::int64_t segment_duration_ms = 2000;
  std::optional<std::uint64_t> fixed_start_number;
  std::optional<std::int64_t> fixed_availability_start_ms;
  std::optional<model::timeline> timeline;
  model::live_policy policy;
  bool force_shedding = false;

  // -- objects: every name has one candidate per pipeline (index = position in defaults->pipelines).
  struct object_entry {
    std::vector<stored_object> candidates;  // absent: no body
    // Manifests: when each pipeline last wrote its version (even the same bytes: a live packager re-PUTs an
    // unchanged manifest), what it lists, and what served versions listed, so a playlist never goes backwards
    // (model::choose_manifest). In memory only: a restarted actor starts a new history.
    std::optional<model::manifest_history> manifest;
    std::optional<std::size_t> served;  // the candidate CDNs got; later GETs get the same bytes
    std::int64_t delete_requested_at_ms = 0;
    // Per pipeline, the write-through requests to storage (ids grow with every request this actor sends):
    // which one carried the candidate's current bytes, the last one sent, the last one answered.
    struct write_ids {
      std::uint64_t content = 0, last_sent = 0, last_answered = 0;
    };
    std::vector<write_ids> writes;
  };
  std::unordered_map<std::string, object_entry> objects;
  std::unordered_set<std::string> declared_gone;  // media segments a 410 was served for
  std::unordered_set<std::string> known_tracks;   // tracks a packager has published or started to
  std::unordered_map<std::string, std::uint32_t> uploads_in_flight;
  std::vector<std::pair<std::uint64_t, std::string>> events;  // (segment number, encoded notification)

  // -- pipelines
  std::vector<std::size_t> order;  // pipeline indices in this stream's selection order
  struct mask {
    std::size_t pipeline;
    std::uint64_t from;
    std::uint64_t to;
  };
  std::vector<mask> masks;
  std::vector<pipeline_stats> stats;    // by pipeline index
  model::media_inspector inspector{0};  // inspection.hpp: sized to the pipelines at start

  // -- holds (holds.hpp)
  std::unordered_map<std::string, std::vector<held_request>> holds;
  std::size_t held = 0;  // requests in `holds`, also counted in defaults->held_total

  // -- memory (memory.hpp): bytes stored (in memory or not), the hot window, the tenant's object count.
  std::uint64_t bytes = 0;
  model::hot_window hot{0};
  std::int64_t objects_counted = 0;  // objects.size() as last added to the tenant's usage

  // -- durability (durability.hpp)
  std::optional<storage::storage_actor> storage;   // none: objects live in memory only (actor tests)
  std::optional<model::timeline> stored_timeline;  // the timeline storage has, to write it only on change
  bool state_changed = false;  // masks, notifications, 410 markers, DELETEs or settings changed: persist_state()
  // Segments served for the first time since the last flush_served() (object, pipeline index): storage
  // learns which candidate CDNs have, so a restarted actor keeps serving the same bytes.
  std::vector<std::pair<std::string, std::size_t>> newly_served;
  // Writes waiting for storage, by request id: answered when storage has them, or failed if this actor dies.
  std::unordered_map<std::uint64_t, caf::typed_response_promise<write_reply>> writes_in_storage;
  std::uint64_t last_write_id = 0;
  // Reads waiting for storage, by (object, pipeline index): a segment's first 200 waits until storage has
  // its bytes and the served marker (first_serves); bytes outside the hot window are read once for all
  // requests that want them (cold_reads).
  struct waiting_read {
    caf::typed_response_promise<read_reply> promise;
    read_reply reply;
  };
  using read_key = std::pair<std::string, std::size_t>;
  std::map<read_key, std::vector<waiting_read>> first_serves;
  std::map<read_key, std::vector<waiting_read>> cold_reads;
  // Segment choices this incarnation made whose bytes no reader has got yet: if storage turns out to have
  // no intact copy, the choice can still be withdrawn (nobody has those bytes) and another pipeline chosen.
  std::set<read_key> undelivered_choices;
  // Answers that go out only once storage has the state record written for them (a 410 declaring a segment
  // gone, a DELETE's schedule, a mask or settings change), keyed by the number of that state write.
  std::uint64_t state_writes_sent = 0;
  std::uint64_t state_writes_answered = 0;
  std::uint64_t timeline_writes_failed = 0;  // an operator's timeline change is answered only if its write held
  std::multimap<std::uint64_t, std::function<void(state_write)>> after_state;

  // -- introspection
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
  std::uint64_t messages_handled = 0;  // every message, counted by actors::counted

  // However the actor ends (even exit_reason::kill, which skips every handler), its holds, bytes and
  // objects leave the process-wide and tenant-wide counts.
  ~stream_state() {
    if (!defaults) return;
    defaults->held_total->fetch_sub(held);
    defaults->tenant->stored.shrink(bytes);  // the memory goes with the actor
    defaults->hot_total->fetch_sub(hot.bytes(), std::memory_order_relaxed);
    defaults->tenant->stored.add_objects(-objects_counted);
  }
};

using stream_pointer = stream_actor::stateful_pointer<stream_state>;

// Unix time as this stream's clock says.
inline std::int64_t now_ms(const stream_state& st) { return st.defaults->clock->unix_now_ms(); }

inline model::object_class classify(const stream_state& st, const std::string& object) {
  return model::classify_object(object, st.defaults->profile.naming);
}

inline bool present(const stored_object& candidate) {
  return candidate.body.bytes != nullptr || candidate.cold_bytes > 0;
}
inline bool hot(const stored_object& candidate) { return candidate.body.bytes != nullptr; }
inline std::uint64_t stored_size(const stored_object& candidate) {
  return hot(candidate) ? candidate.body.size() : candidate.cold_bytes;
}

// The tenant's per-pipeline counters are sized when its defaults are made; never index past them.
inline void count_for_pipeline(std::vector<std::atomic<std::uint64_t>>& counters, std::size_t pipeline) {
  if (pipeline < counters.size()) counters[pipeline].fetch_add(1, std::memory_order_relaxed);
}

inline std::optional<std::size_t> find_pipeline(const stream_state& st, const std::string& pipeline) {
  const auto& ids = st.defaults->pipelines;
  auto it = std::find(ids.begin(), ids.end(), pipeline);
  if (it == ids.end()) return std::nullopt;
  return static_cast<std::size_t>(it - ids.begin());
}

inline std::size_t pipeline_index(const stream_state& st, const std::string& pipeline) {
  return find_pipeline(st, pipeline).value_or(0);  // the HTTP layer validated it
}

}  // namespace live_origin::actors::stream
