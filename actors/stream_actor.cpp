#include "actors/stream_actor.hpp"

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "actors/counted.hpp"
#include "model/events.hpp"
#include "model/selection.hpp"
#include "model/stored_record.hpp"
#include "model/timeline.hpp"

namespace live_origin::actors {
namespace {

using storage::erase_atom_v;
using storage::recovered_stream;
using storage::served_atom_v;
using storage::storage_actor;
using storage::store_atom_v;

// DVR expiry runs this often, or once per segment when segments are shorter.
constexpr std::int64_t sweep_interval_ms = 1000;
// Stream-event notifications kept per stream (the oldest go first); they also leave with the DVR window.
constexpr std::size_t max_events_per_stream = 1000;
// Operator masks per stream (more are ignored; an operator needs few).
constexpr std::size_t max_masks_per_stream = 1000;
// How long a write waits for storage before the packager gets a 503 (it stays below the HTTP side's
// request timeout, so the answer is this one rather than the bridge's); reads wait as long at most.
constexpr auto storage_timeout = std::chrono::seconds(4);

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
  std::optional<storage_actor> storage;            // none: objects live in memory only (actor tests)
  std::optional<model::timeline> stored_timeline;  // the timeline storage has, to write it only on change
  bool state_changed = false;  // masks, notifications, 410 markers, DELETEs or settings changed: persist_state()

  // Timeline: fixed pieces from config or the admin API; the rest is learned from the first segment.
  std::int64_t segment_duration_ms = 2000;
  std::optional<std::uint64_t> fixed_start_number;
  std::optional<std::int64_t> fixed_availability_start_ms;
  std::optional<model::timeline> timeline;
  model::live_policy policy;
  bool force_shedding = false;

  // Every object name has one candidate per pipeline (index = position in defaults->pipelines).
  struct object_entry {
    std::vector<stored_object> candidates;    // absent: no body
    std::vector<std::int64_t> written_at_ms;  // last accepted write per pipeline, even of the same bytes
                                              // (a live packager re-PUTs an unchanged manifest)
    // Manifests: the pipeline's newest segment when its manifest was last written (what that manifest
    // can list at most), and since when it has listed that.
    std::vector<std::int64_t> listed_segment;
    std::vector<std::int64_t> listed_since_ms;
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
  std::vector<std::pair<std::uint64_t, std::string>> events;  // (segment number, encoded notification)
  std::vector<std::size_t> order;                             // pipeline indices in this stream's selection order
  struct mask {
    std::size_t pipeline;
    std::uint64_t from;
    std::uint64_t to;
  };
  std::vector<mask> masks;
  std::vector<pipeline_stats> stats;              // by pipeline index
  std::unordered_set<std::string> declared_gone;  // media segments a 410 was served for
  std::unordered_map<std::string, std::uint32_t> uploads_in_flight;
  std::unordered_map<std::string, std::vector<held_request>> holds;
  std::unordered_set<std::string> known_tracks;  // tracks a packager has published or started to
  std::size_t held = 0;
  std::uint64_t bytes = 0;      // stored, in memory or not
  std::uint64_t hot_bytes = 0;  // in memory (the hot window)
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
  std::uint64_t messages_handled = 0;  // every message, counted by actors::counted

  // However the actor ends (even exit_reason::kill, which skips every handler), its holds leave the
  // process-wide count.
  std::int64_t objects_counted = 0;  // st.objects.size() as last added to the tenant's usage
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
  // Durable media segment candidates in memory, oldest segment first: what may leave the hot window.
  // Entries may be stale (replaced, cooled, expired); cool_down() checks each one it takes.
  std::set<std::tuple<std::uint64_t, std::string, std::size_t>> coolable;

  ~stream_state() {
    if (!defaults) return;
    defaults->held_total->fetch_sub(held);
    defaults->tenant->stored.shrink(bytes);  // the memory goes with the actor
    defaults->hot_total->fetch_sub(hot_bytes, std::memory_order_relaxed);
    defaults->tenant->stored.add_objects(-objects_counted);
  }
};

using stream_pointer = stream_actor::stateful_pointer<stream_state>;

// Unix time as this stream's clock says.
std::int64_t now_ms(const stream_state& st) { return st.defaults->clock->unix_now_ms(); }

model::object_class classify(const stream_state& st, const std::string& object) {
  return model::classify_object(object, st.defaults->profile.naming);
}

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

bool present(const stored_object& candidate) { return candidate.body.bytes != nullptr || candidate.cold_bytes > 0; }
bool hot(const stored_object& candidate) { return candidate.body.bytes != nullptr; }
std::uint64_t stored_size(const stored_object& candidate) {
  return hot(candidate) ? candidate.body.size() : candidate.cold_bytes;
}

// The tenant's per-pipeline counters are sized when its defaults are made; never index past them.
void count_for_pipeline(std::vector<std::atomic<std::uint64_t>>& counters, std::size_t pipeline) {
  if (pipeline < counters.size()) counters[pipeline].fetch_add(1, std::memory_order_relaxed);
}

// Which candidate a GET would get now, if any (model::select_candidate over this stream's pipelines).
// `may_wait`: false when a hold is ending, so a defective candidate is served rather than nothing.
model::selection select(const stream_state& st, const model::object_class& object, const std::string& name,
                        std::int64_t now, bool may_wait) {
  auto it = st.objects.find(name);
  if (it == st.objects.end()) return {};
  const auto& entry = it->second;
  bool is_segment = object.kind == model::object_kind::media_segment;
  // Views in this stream's pipeline order; answers are mapped back to pipeline indices.
  std::vector<model::candidate_view> views;
  std::optional<std::size_t> served_position;
  for (std::size_t position = 0; position < st.order.size(); ++position) {
    auto index = st.order[position];
    const auto& candidate = entry.candidates[index];
    bool masked = is_segment && std::any_of(st.masks.begin(), st.masks.end(), [&](const auto& m) {
                    return m.pipeline == index && m.from <= object.segment_number && object.segment_number <= m.to;
                  });
    views.push_back({present(candidate), candidate.defects, masked});
    if (entry.served == index) served_position = position;
  }
  auto to_index = [&](model::selection choice) {
    if (choice.chosen) choice.chosen = st.order[*choice.chosen];
    return choice;
  };
  if (object.kind == model::object_kind::manifest) {
    // A stalled pipeline's manifest stops being served: prefer current ones (model::manifest_is_current).
    model::manifest_lead lead{-1, now};
    for (std::size_t i = 0; i < entry.candidates.size(); ++i) {
      if (!present(entry.candidates[i])) continue;
      if (entry.listed_segment[i] > lead.segment)
        lead = {entry.listed_segment[i], entry.listed_since_ms[i]};
      else if (entry.listed_segment[i] == lead.segment)
        lead.since_ms = std::min(lead.since_ms, entry.listed_since_ms[i]);
    }
    auto fresh = views;
    for (std::size_t position = 0; position < fresh.size(); ++position) {
      auto index = st.order[position];
      fresh[position].masked = !model::manifest_is_current(
          {entry.written_at_ms[index], entry.listed_segment[index]}, lead, now,
          st.defaults->manifest_fresh_segments * st.segment_duration_ms, st.segment_duration_ms / 2);
    }
    if (auto choice = model::select_candidate(fresh, std::nullopt, false); choice.chosen) return to_index(choice);
    std::optional<std::size_t> latest;  // every manifest is stale: the most recently written one
    for (std::size_t i = 0; i < entry.candidates.size(); ++i)
      if (present(entry.candidates[i]) && (!latest || entry.written_at_ms[i] > entry.written_at_ms[*latest]))
        latest = i;
    return {latest, false};
  }
  bool clean_may_still_arrive = may_wait && is_segment && st.timeline &&
                                now < model::due_ms(*st.timeline, object.segment_number) + st.policy.retry_budget_ms;
  return to_index(model::select_candidate(views, served_position, clean_may_still_arrive));
}

model::object_facts facts_of(const stream_state& st, const model::object_class& object, const std::string& name,
                             const model::selection& choice) {
  auto upload = st.uploads_in_flight.find(name);
  bool known_track = object.kind != model::object_kind::media_segment || st.known_tracks.count(object.track) > 0;
  return {choice.chosen.has_value(), st.declared_gone.count(name) > 0,
          upload != st.uploads_in_flight.end() && upload->second > 0, known_track};
}

// Every notification up to and including segment `n`, in arrival order.
// Bounded by model::max_events_header_bytes: when they do not all fit, the most recent ones are kept.
std::string events_up_to(const stream_state& st, std::uint64_t n) {
  std::vector<const std::string*> kept;
  std::size_t bytes = 0;
  for (auto it = st.events.rbegin(); it != st.events.rend(); ++it) {
    if (it->first > n) continue;
    if (bytes + it->second.size() + 2 > model::max_events_header_bytes) break;
    bytes += it->second.size() + 2;
    kept.push_back(&it->second);
  }
  std::string out;
  for (auto it = kept.rbegin(); it != kept.rend(); ++it) {
    if (!out.empty()) out += ", ";
    out += **it;
  }
  return out;
}

void note_track(stream_state& st, const model::object_class& object) {
  if (object.kind == model::object_kind::media_segment) st.known_tracks.insert(object.track);
}

struct read_plan {
  model::read_decision decision;
  std::optional<std::size_t> chosen;  // the candidate to serve when the decision is serve
};

// Turns a decision into the reply; a 200 marks the chosen candidate served (its bytes are now fixed).
read_reply reply_for(stream_state& st, const model::object_class& object, const std::string& name,
                     const read_plan& plan, const model::answer_headers& headers) {
  read_reply reply{.status = headers.status,
                   .outcome = plan.decision.outcome,
                   .cache_control = headers.cache_control,
                   .ttl_ms = headers.ttl_ms};
  bool is_segment = object.kind == model::object_kind::media_segment;
  if (is_segment) reply.segment_number = static_cast<std::int64_t>(object.segment_number);
  if (headers.status == 200 && plan.chosen) {
    auto& entry = st.objects.at(name);
    auto& candidate = entry.candidates.at(*plan.chosen);
    // Media and init segments are kept by CDNs for long: which candidate they got is stored.
    bool fixed = is_segment || object.kind == model::object_kind::init_segment;
    if (fixed && !candidate.served) {
      st.newly_served.emplace_back(name, *plan.chosen);
      if (st.storage) {
        st.first_serves[{name, *plan.chosen}];  // answered once storage has the choice
        st.undelivered_choices.insert({name, *plan.chosen});
      }
      if (is_segment) {
        ++st.stats[*plan.chosen].segments_served;
        if (!entry.served) count_for_pipeline(st.defaults->tenant->served, *plan.chosen);
      }
    }
    candidate.served = true;
    entry.served = plan.chosen;
    reply.object = candidate;
    reply.object.delete_requested_at_ms = entry.delete_requested_at_ms;
    reply.pipeline = st.defaults->pipelines.at(*plan.chosen);
    if (is_segment) reply.events = events_up_to(st, object.segment_number);
  }
  bool stored = st.objects.count(name) > 0;  // masked candidates: an operator may unmask them
  if (headers.status == 410 && is_segment && !stored && st.timeline &&
      model::position_of(*st.timeline, st.policy, object.segment_number, now_ms(st)) == model::segment_position::missed)
    // Bounded: only numbers inside the DVR window are ever "missed".
    if (st.declared_gone.insert(name).second) st.state_changed = true;
  return reply;
}

// `shed_dvr` is the delivery side's overload signal for a new request; held requests are decided
// again with `new_request = false` and are never shed.
read_plan decide(stream_pointer self, const model::object_class& object, const std::string& name, bool new_request,
                 bool shed_dvr, std::int64_t now, bool may_wait = true) {
  auto& st = self->state;
  bool overloaded =
      new_request && (shed_dvr || st.force_shedding || self->mailbox().size() > st.defaults->shed_mailbox_messages);
  auto choice = select(st, object, name, now, may_wait);
  auto decision =
      model::decide_read(object, st.timeline, st.policy, facts_of(st, object, name, choice), now, overloaded);
  return {decision, choice.chosen};
}

std::optional<std::size_t> find_pipeline(const stream_state& st, const std::string& pipeline) {
  const auto& ids = st.defaults->pipelines;
  auto it = std::find(ids.begin(), ids.end(), pipeline);
  if (it == ids.end()) return std::nullopt;
  return static_cast<std::size_t>(it - ids.begin());
}

std::size_t pipeline_index(const stream_state& st, const std::string& pipeline) {
  return find_pipeline(st, pipeline).value_or(0);  // the HTTP layer validated it
}

// The entry for an object, created if needed, with a slot per pipeline.
stream_state::object_entry& entry_for(stream_state& st, const std::string& name) {
  auto& entry = st.objects[name];
  auto pipelines = st.defaults->pipelines.size();
  entry.candidates.resize(pipelines);
  entry.written_at_ms.resize(pipelines);
  entry.listed_segment.resize(pipelines, -1);
  entry.listed_since_ms.resize(pipelines);
  entry.writes.resize(pipelines);
  return entry;
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

void count_segment(pipeline_stats& stats, std::uint64_t segment_number, model::defect_set defects) {
  ++stats.segments_received;
  if (defects & model::defects::short_segment) ++stats.defects_short;
  if (defects & model::defects::missing) ++stats.defects_missing;
  if (defects & model::defects::discontinuity) ++stats.defects_discontinuity;
  stats.last_segment = std::max(stats.last_segment, static_cast<std::int64_t>(segment_number));
}

void finish_upload(stream_state& st, const std::string& name) {
  if (auto upload = st.uploads_in_flight.find(name); upload != st.uploads_in_flight.end())
    if (--upload->second == 0) st.uploads_in_flight.erase(upload);
}

std::optional<held_request> take_hold(stream_state& st, const std::string& name, std::uint64_t token) {
  auto it = st.holds.find(name);
  if (it == st.holds.end()) return std::nullopt;
  auto& waiting = it->second;
  auto hold = std::find_if(waiting.begin(), waiting.end(), [&](const held_request& h) { return h.token == token; });
  if (hold == waiting.end()) return std::nullopt;
  held_request taken = std::move(*hold);
  waiting.erase(hold);
  if (waiting.empty()) st.holds.erase(it);
  --st.held;
  st.defaults->held_total->fetch_sub(1);
  return taken;
}

// A stored segment that storage could not give back in time: ask again in a second.
read_reply storage_unavailable(const stream_state& st) {
  return read_reply_for(model::read_outcome::store_unavailable, st.defaults->cache);
}

void flush_served(stream_pointer self);
void answer(stream_pointer self, const std::string& name, read_reply reply,
            caf::typed_response_promise<read_reply> promise);

// Re-decides every request held for `name` (after a write or an aborted upload) and answers, in arrival
// order, those that no longer need to wait.
void resolve_holds(stream_pointer self, const std::string& name) {
  auto& st = self->state;
  auto it = st.holds.find(name);
  if (it == st.holds.end()) return;
  auto object = classify(st, name);
  auto plan = decide(self, object, name, false, false, now_ms(self->state));
  if (plan.decision.outcome == model::read_outcome::hold) return;
  auto reply = reply_for(st, object, name, plan, model::answer_for(plan.decision, object.kind, st.defaults->cache));
  auto waiting = std::move(it->second);
  st.holds.erase(it);
  st.held -= waiting.size();
  st.defaults->held_total->fetch_sub(waiting.size());
  st.defaults->hold_ends->released.fetch_add(waiting.size());
  for (auto& hold : waiting) answer(self, name, reply, hold.promise);
  flush_served(self);
}

// After a mask or settings change: every held request may now have its answer.
void resolve_all_holds(stream_pointer self) {
  std::vector<std::string> names;
  for (const auto& [name, waiting] : self->state.holds) names.push_back(name);
  for (const auto& name : names) resolve_holds(self, name);
}

// The actor is ending: everything waiting on it is told its receiver went down, so the HTTP side asks the
// successor (the tenant supervisor restarts a failed stream from storage) instead of timing out.
void fail_waiting(stream_state& st) {
  auto gone = [] { return caf::make_error(caf::sec::request_receiver_down); };
  for (auto& [name, waiting] : st.holds)
    for (auto& hold : waiting) hold.promise.deliver(gone());
  st.defaults->held_total->fetch_sub(st.held);
  st.held = 0;
  st.holds.clear();
  for (auto& [id, promise] : st.writes_in_storage) promise.deliver(gone());
  st.writes_in_storage.clear();
  for (auto* reads : {&st.first_serves, &st.cold_reads}) {
    for (auto& [key, waiting] : *reads)
      for (auto& read : waiting) read.promise.deliver(gone());
    reads->clear();
  }
  auto after_state = std::move(st.after_state);
  st.after_state.clear();
  for (auto& [write, deliver] : after_state) deliver(state_write::actor_ending);
}

// Runs `deliver` once storage has the stream's state as it is now: at once when nothing is waiting to be
// written, else when the write persist_state() sends next (or the one on its way) is answered.
void when_state_stored(stream_pointer self, std::function<void(state_write)> deliver) {
  auto& st = self->state;
  auto needed = st.state_writes_sent + (st.state_changed ? 1 : 0);
  if (!st.storage || needed <= st.state_writes_answered) return deliver(state_write::stored);
  st.after_state.emplace(needed, std::move(deliver));
}

void state_stored(stream_pointer self, std::uint64_t write, bool stored) {
  auto& st = self->state;
  st.state_writes_answered = std::max(st.state_writes_answered, write);
  if (!stored) {
    spdlog::error("stream /{}/{}: storage did not take its state record; writing it again", st.tenant, st.stream);
    st.state_changed = true;  // the next sweep (within a second) writes it again
  }
  auto end = st.after_state.upper_bound(write);
  std::vector<std::function<void(state_write)>> ready;
  for (auto it = st.after_state.begin(); it != end; ++it) ready.push_back(std::move(it->second));
  st.after_state.erase(st.after_state.begin(), end);
  for (auto& deliver : ready) deliver(stored ? state_write::stored : state_write::failed);
}

void persist_state(stream_pointer self);
void first_serve_stored(stream_pointer self, const stream_state::read_key& key, bool stored);

// Tells storage which segments were served for the first time; their first answers go out once it has
// the marker (first_serve_stored).
void flush_served(stream_pointer self) {
  auto& st = self->state;
  if (st.storage) {
    for (auto& [object, pipeline] : st.newly_served) {
      stream_state::read_key key{object, pipeline};
      self->request(*st.storage, storage_timeout, served_atom_v, model::served_marker_key(st.tenant, st.stream, object),
                    st.defaults->pipelines[pipeline])
          .then([self, key](bool stored) { first_serve_stored(self, key, stored); },
                [self, key](caf::error&) { first_serve_stored(self, key, false); });
    }
  }
  st.newly_served.clear();
  persist_state(self);  // a 410 just served marks its segment gone
}

// Writes masks, notifications, 410 markers, DELETE schedules and settings through when any changed; answers
// that depend on them wait (when_state_stored). One small record per stream, rewritten whole: all of it
// is bounded.
void persist_state(stream_pointer self) {
  auto& st = self->state;
  if (!st.storage || !st.state_changed) return;
  st.state_changed = false;
  model::stream_state_record state;
  state.policy = st.policy;
  state.force_shedding = st.force_shedding;
  for (auto index : st.order) state.pipeline_order.push_back(st.defaults->pipelines[index]);
  for (const auto& m : st.masks) state.masks.push_back({st.defaults->pipelines[m.pipeline], m.from, m.to});
  state.events = st.events;
  state.gone.assign(st.declared_gone.begin(), st.declared_gone.end());
  for (const auto& [name, entry] : st.objects)
    if (entry.delete_requested_at_ms > 0) state.deletes.emplace_back(name, entry.delete_requested_at_ms);
  auto write = ++st.state_writes_sent;
  self->request(*st.storage, storage_timeout, store_atom_v, model::stream_state_key(st.tenant, st.stream),
                model::encode_stream_state_record(state))
      .then([self, write](bool stored) { state_stored(self, write, stored); },
            [self, write](caf::error&) { state_stored(self, write, false); });
}

// Writes the timeline through when it changed. A failed write is written again at the next sweep; an
// operator's change waits for it (status_once_stored: it is ahead of the state record in storage's queue).
void persist_timeline(stream_pointer self) {
  auto& st = self->state;
  if (!st.storage || !st.timeline || st.stored_timeline == st.timeline) return;
  st.stored_timeline = st.timeline;
  auto failed = [self] {
    ++self->state.timeline_writes_failed;
    self->state.stored_timeline.reset();
  };
  self->request(*st.storage, storage_timeout, store_atom_v, model::timeline_record_key(st.tenant, st.stream),
                model::encode_timeline_record(*st.timeline))
      .then(
          [failed](bool stored) {
            if (!stored) failed();
          },
          [failed](caf::error&) { failed(); });
}

// Counts a candidate's bytes in or out of the hot window (the stream's and the process's).
void count_hot(stream_state& st, const stored_object& candidate, bool in) {
  if (!hot(candidate)) return;
  auto bytes = candidate.body.size();
  if (in) {
    st.hot_bytes += bytes;
    st.defaults->hot_total->fetch_add(bytes, std::memory_order_relaxed);
  } else {
    st.hot_bytes -= bytes;
    st.defaults->hot_total->fetch_sub(bytes, std::memory_order_relaxed);
  }
}

// The storage keys of one candidate: its candidate record and its body record.
std::vector<std::string> candidate_keys(const stream_state& st, const std::string& name, std::size_t pipeline) {
  const auto& id = st.defaults->pipelines[pipeline];
  return {model::candidate_record_key(st.tenant, st.stream, name, id),
          model::body_record_key(st.tenant, st.stream, name, id)};
}

// A candidate leaves: its bytes no longer count as stored (nor as hot).
void forget(stream_state& st, stored_object& candidate) {
  auto bytes = stored_size(candidate);
  count_hot(st, candidate, false);
  st.bytes -= bytes;
  st.defaults->tenant->stored.shrink(bytes);
  candidate = {};
}

// Keeps the hot window within its bounds: the oldest durable media segments leave memory (their bytes
// stay in storage and are read back when asked for). Manifests and init segments always stay.
// O(log n) per candidate that leaves, through the `coolable` index.
void cool_down(stream_state& st) {
  // Over the process bound, this stream gives back at most what the process is over, so one stream's
  // write does not empty its own window for all the others.
  auto total = st.defaults->hot_total->load(std::memory_order_relaxed);
  std::uint64_t process_excess = total > st.defaults->hot_bytes_total ? total - st.defaults->hot_bytes_total : 0;
  std::uint64_t freed = 0;
  auto over = [&] { return st.hot_bytes > st.defaults->hot_bytes_per_stream || freed < process_excess; };
  while (st.storage && over() && !st.coolable.empty()) {
    auto [number, name, pipeline] = *st.coolable.begin();
    st.coolable.erase(st.coolable.begin());
    auto it = st.objects.find(name);
    if (it == st.objects.end()) continue;
    auto& candidate = it->second.candidates[pipeline];
    if (!hot(candidate) || !candidate.durable || candidate.body.size() == 0) continue;
    freed += candidate.body.size();
    count_hot(st, candidate, false);
    candidate.cold_bytes = candidate.body.size();
    candidate.body = {};
  }
}

// A durable media segment candidate in memory may leave the hot window from now on.
void note_coolable(stream_state& st, const std::string& name, std::size_t pipeline) {
  auto object = classify(st, name);
  if (object.kind == model::object_kind::media_segment) st.coolable.emplace(object.segment_number, name, pipeline);
}

// Keeps the tenant's object count in step with this stream's (after anything that adds or erases).
void count_objects(stream_state& st) {
  auto now = static_cast<std::int64_t>(st.objects.size());
  st.defaults->tenant->stored.add_objects(now - st.objects_counted);
  st.objects_counted = now;
}

// Storage answered write-through request `id` for (name, pipeline). Success makes the candidate durable
// if that request carried its current bytes or came after the one that did (a retry of the same bytes).
// A failure drops the candidate when nothing else can still make it durable and no CDN has it: nothing
// refused may be served as if complete.
void storage_answered(stream_pointer self, const std::string& name, std::size_t pipeline, std::uint64_t id, bool ok) {
  auto& st = self->state;
  auto it = st.objects.find(name);
  if (it == st.objects.end()) return;
  auto& entry = it->second;
  auto& ids = entry.writes[pipeline];
  ids.last_answered = std::max(ids.last_answered, id);
  auto& candidate = entry.candidates[pipeline];
  if (!present(candidate) || id < ids.content) return;  // about bytes this candidate no longer has
  if (ok) {
    candidate.durable = true;
    if (hot(candidate)) note_coolable(st, name, pipeline);
    cool_down(st);
    return;
  }
  if (candidate.durable || candidate.served || ids.last_answered < ids.last_sent) return;
  forget(st, candidate);
  if (std::none_of(entry.candidates.begin(), entry.candidates.end(), present)) st.objects.erase(it);
  count_objects(st);
  // Storage follows memory: bytes that landed after their writer gave up, or older bytes this write
  // replaced, must not come back after a restart.
  self->send(*st.storage, erase_atom_v, candidate_keys(st, name, pipeline));
}

// Storage has no intact copy of a chosen segment's bytes. If this incarnation chose them and gave them to
// nobody yet, the choice is withdrawn and the candidate dropped (from memory and storage), so the segment
// can be answered from another pipeline; true then. Bytes a CDN may have keep the segment at 503.
bool withdraw_choice(stream_pointer self, const stream_state::read_key& key, std::uint64_t digest) {
  auto& st = self->state;
  auto it = st.objects.find(key.first);
  if (it == st.objects.end()) return false;
  auto& entry = it->second;
  auto& candidate = entry.candidates[key.second];
  if (!present(candidate) || hot(candidate) || candidate.digest != digest) return false;
  if (!st.undelivered_choices.erase(key)) {
    spdlog::error(
        "stream /{}/{}: the stored bytes of {} from pipeline '{}' are unreadable and CDNs may have them; "
        "answering 503",
        st.tenant, st.stream, key.first, st.defaults->pipelines[key.second]);
    return false;
  }
  spdlog::error(
      "stream /{}/{}: the stored bytes of {} from pipeline '{}' are unreadable; nobody got them, so the "
      "candidate is dropped and the segment chosen again",
      st.tenant, st.stream, key.first, st.defaults->pipelines[key.second]);
  auto keys = candidate_keys(st, key.first, key.second);
  keys.push_back(model::served_marker_key(st.tenant, st.stream, key.first));
  self->send(*st.storage, erase_atom_v, std::move(keys));
  candidate.served = false;
  if (entry.served == key.second) entry.served.reset();
  forget(st, candidate);
  if (std::none_of(entry.candidates.begin(), entry.candidates.end(), present)) st.objects.erase(it);
  count_objects(st);
  return true;
}

// Decides a waiting read afresh (after its choice was withdrawn); one that would now have to be held is
// answered 503 instead, so its client asks again.
void answer_again(stream_pointer self, const std::string& name, caf::typed_response_promise<read_reply> promise) {
  auto& st = self->state;
  auto object = classify(st, name);
  auto plan = decide(self, object, name, false, false, now_ms(self->state));
  if (plan.decision.outcome == model::read_outcome::hold) {
    promise.deliver(storage_unavailable(st));
    return;
  }
  answer(self, name,
         reply_for(st, object, name, plan, model::answer_for(plan.decision, object.kind, st.defaults->cache)), promise);
}

// Answers a read. A segment's first 200 waits until storage has the served marker (which it writes after
// the segment's bytes, so both are durable): a crash cannot make a restarted stream serve other bytes
// than the ones CDNs already have. Bytes outside the hot window are read from storage first, once for
// every request waiting for them, and kept in memory again (cool_down() decides how long). A 410 waits
// until storage has the state record that remembers it (when_state_stored).
void answer(stream_pointer self, const std::string& name, read_reply reply,
            caf::typed_response_promise<read_reply> promise) {
  auto& st = self->state;
  if (reply.status == 410) {
    // A 410 is cached by CDNs: the segment must stay gone after a restart (its marker in the state record).
    when_state_stored(self, [self, reply, promise](state_write write) mutable {
      if (write == state_write::stored)
        promise.deliver(std::move(reply));
      else if (write == state_write::failed)
        promise.deliver(storage_unavailable(self->state));
      else
        promise.deliver(caf::make_error(caf::sec::request_receiver_down));
    });
    return;
  }
  auto pipeline = reply.status == 200 ? find_pipeline(st, reply.pipeline) : std::nullopt;
  if (!pipeline || !st.storage) {
    promise.deliver(std::move(reply));
    return;
  }
  stream_state::read_key key{name, *pipeline};
  if (auto first = st.first_serves.find(key); first != st.first_serves.end()) {
    first->second.push_back({promise, std::move(reply)});
    return;
  }
  if (hot(reply.object)) {
    st.undelivered_choices.erase(key);
    promise.deliver(std::move(reply));
    return;
  }
  auto& waiting = st.cold_reads[key];
  waiting.push_back({promise, reply});
  if (waiting.size() > 1) return;  // already being read
  auto body_key = model::body_record_key(st.tenant, st.stream, name, reply.pipeline);
  auto digest = reply.object.digest;
  // `unreadable`: storage answered but has no intact copy (as opposed to not answering in time).
  auto done = [self, key, digest](object_body body, bool unreadable) {
    auto& state = self->state;
    auto readers = std::move(state.cold_reads[key]);
    state.cold_reads.erase(key);
    if (!body.bytes) {
      if (unreadable && withdraw_choice(self, key, digest)) {
        for (auto& read : readers) answer_again(self, key.first, read.promise);
        flush_served(self);
        return;
      }
      for (auto& read : readers) read.promise.deliver(storage_unavailable(state));
      return;
    }
    state.undelivered_choices.erase(key);
    if (auto it = state.objects.find(key.first); it != state.objects.end()) {
      auto& candidate = it->second.candidates[key.second];
      if (present(candidate) && !hot(candidate) && candidate.digest == digest) {
        candidate.body = body;
        candidate.cold_bytes = 0;
        count_hot(state, candidate, true);
        note_coolable(state, key.first, key.second);
        cool_down(state);
      }
    }
    for (auto& read : readers) {
      read.reply.object.body = body;
      read.reply.object.cold_bytes = 0;
      read.promise.deliver(std::move(read.reply));
    }
  };
  self->request(*st.storage, storage_timeout, get_atom_v, body_key, digest)
      .then([done](object_body& body) { done(std::move(body), true); }, [done](caf::error&) { done({}, false); });
}

// Storage has (or could not take) the marker of a segment's first serve: its waiting reads are answered.
// If storage lacks the marker or the bytes, the candidate is not served after all (503: a retry of the GET
// decides again), and bytes that never became durable go the way of any unstored write.
void first_serve_stored(stream_pointer self, const stream_state::read_key& key, bool stored) {
  auto& st = self->state;
  auto first = st.first_serves.find(key);
  if (first == st.first_serves.end()) return;
  auto waiting = std::move(first->second);
  st.first_serves.erase(first);
  auto it = st.objects.find(key.first);
  auto* candidate = it != st.objects.end() ? &it->second.candidates[key.second] : nullptr;
  if (stored && candidate && present(*candidate) && candidate->durable) {
    for (auto& read : waiting) answer(self, key.first, std::move(read.reply), read.promise);
    return;
  }
  spdlog::error("stream /{}/{}: {} from pipeline '{}' was chosen but storage does not have {}; answering 503",
                st.tenant, st.stream, key.first, st.defaults->pipelines[key.second],
                stored ? "its bytes" : "the choice");
  for (auto& read : waiting) read.promise.deliver(storage_unavailable(st));
  st.undelivered_choices.erase(key);
  if (!candidate || !present(*candidate)) return;
  candidate->served = false;  // nobody got it: the next GET chooses, and asks storage, again
  if (it->second.served == key.second) it->second.served.reset();
  if (stored)
    self->send(*st.storage, erase_atom_v,
               std::vector<std::string>{model::served_marker_key(st.tenant, st.stream, key.first)});
  auto& ids = it->second.writes[key.second];
  if (!candidate->durable && ids.last_answered >= ids.last_sent)
    storage_answered(self, key.first, key.second, ids.last_sent, false);
}

// Resumes from what storage holds: the candidates, which of them CDNs were served, and the learned
// timeline (a timeline fixed in the configuration wins).
void restore(stream_state& st, recovered_stream recovered) {
  if (recovered.timeline && !(st.fixed_start_number && st.fixed_availability_start_ms)) {
    st.timeline = recovered.timeline;
    st.segment_duration_ms = recovered.timeline->segment_duration_ms;
  }
  st.stored_timeline = recovered.timeline;
  std::size_t restored = 0;
  for (auto& stored : recovered.candidates) {
    auto pipeline = find_pipeline(st, stored.pipeline);
    if (!pipeline) {
      spdlog::warn("stream /{}/{}: {} from pipeline '{}', which is no longer configured, is not restored", st.tenant,
                   st.stream, stored.object, stored.pipeline);
      continue;
    }
    auto object = classify(st, stored.object);
    note_track(st, object);
    auto& entry = entry_for(st, stored.object);
    // Restored cold: bytes are read when asked for (an empty body has nothing to read back).
    stored_object candidate{.digest = stored.digest,
                            .stored_at_ms = stored.stored_at_ms,
                            .defects = stored.defects,
                            .durable = true,
                            .cold_bytes = stored.size};
    if (stored.size == 0) candidate.body = object_body::adopt(std::string());
    auto size = stored_size(candidate);
    st.bytes += size;
    st.defaults->tenant->stored.grow(size);
    count_hot(st, candidate, true);
    entry.written_at_ms[*pipeline] = candidate.stored_at_ms;
    if (object.kind == model::object_kind::media_segment)
      count_segment(st.stats[*pipeline], object.segment_number, candidate.defects);
    entry.candidates[*pipeline] = std::move(candidate);
    ++restored;
  }
  if (recovered.state) {
    const auto& state = *recovered.state;
    st.policy = state.policy;
    st.force_shedding = state.force_shedding;
    std::vector<std::size_t> order;
    for (const auto& id : state.pipeline_order)
      if (auto index = find_pipeline(st, id)) order.push_back(*index);
    if (order.size() == st.defaults->pipelines.size())
      st.order = order;  // else the configured pipelines changed: default
    for (const auto& m : state.masks)
      if (auto index = find_pipeline(st, m.pipeline)) st.masks.push_back({*index, m.from, m.to});
    st.events = state.events;
    st.declared_gone.insert(state.gone.begin(), state.gone.end());
    for (const auto& [name, at] : state.deletes)
      if (auto it = st.objects.find(name); it != st.objects.end()) it->second.delete_requested_at_ms = at;
  }
  for (const auto& [name, pipeline] : recovered.served) {
    auto it = st.objects.find(name);
    auto index = find_pipeline(st, pipeline);
    if (it == st.objects.end() || !index || !present(it->second.candidates[*index])) continue;
    it->second.served = *index;
    it->second.candidates[*index].served = true;
  }
  count_objects(st);
  spdlog::info("stream /{}/{}: restored {} candidates ({} bytes) from storage{}", st.tenant, st.stream, restored,
               st.bytes, recovered.skipped ? fmt::format(", {} unreadable records skipped", recovered.skipped) : "");
}

// Frees what left the DVR window: media segments, "gone" markers, and objects whose DELETE has aged out.
// The storage keys of what was freed are added to `erased`.
void sweep(stream_state& st, std::int64_t now, std::vector<std::string>& erased) {
  auto expired = [&](const std::string& name) {
    auto object = classify(st, name);
    return object.kind == model::object_kind::media_segment && st.timeline &&
           model::position_of(*st.timeline, st.policy, object.segment_number, now) == model::segment_position::expired;
  };
  for (auto it = st.objects.begin(); it != st.objects.end();) {
    bool deleted_long_ago =
        it->second.delete_requested_at_ms > 0 && it->second.delete_requested_at_ms + st.policy.dvr_window_ms <= now;
    if (expired(it->first) || deleted_long_ago) {
      auto number = classify(st, it->first).segment_number;
      for (std::size_t i = 0; i < it->second.candidates.size(); ++i) {
        st.coolable.erase({number, it->first, i});
        st.undelivered_choices.erase({it->first, i});
        if (!present(it->second.candidates[i])) continue;
        forget(st, it->second.candidates[i]);
        for (auto& key : candidate_keys(st, it->first, i)) erased.push_back(std::move(key));
      }
      if (it->second.served) erased.push_back(model::served_marker_key(st.tenant, st.stream, it->first));
      it = st.objects.erase(it);
    } else {
      ++it;
    }
  }
  count_objects(st);
  auto kept = st.declared_gone.size() + st.events.size();
  for (auto it = st.declared_gone.begin(); it != st.declared_gone.end();)
    it = expired(*it) ? st.declared_gone.erase(it) : std::next(it);
  if (st.timeline) {
    auto edge = model::live_edge(*st.timeline, now);
    std::erase_if(st.events, [&](const auto& event) {
      return edge && model::position_of(*st.timeline, st.policy, event.first, now) == model::segment_position::expired;
    });
  }
  if (st.declared_gone.size() + st.events.size() != kept) st.state_changed = true;
}

void schedule_sweep(stream_pointer self) {
  auto interval = std::min(sweep_interval_ms, std::max<std::int64_t>(self->state.segment_duration_ms, 10));
  self->delayed_send(self, std::chrono::milliseconds(interval), sweep_atom_v);
}

void apply(stream_state& st, const stream_settings& update, std::int64_t now) {
  st.state_changed = true;
  auto set = [](std::int64_t value, auto& field) {
    if (value != stream_settings::unset) field = static_cast<std::remove_reference_t<decltype(field)>>(value);
  };
  set(update.segment_duration_ms, st.segment_duration_ms);
  set(update.retry_budget_ms, st.policy.retry_budget_ms);
  set(update.dvr_window_ms, st.policy.dvr_window_ms);
  set(update.max_hold_ms, st.policy.max_hold_ms);
  set(update.live_window_segments, st.policy.live_window_segments);
  if (update.force_shedding != stream_settings::unset) st.force_shedding = update.force_shedding != 0;
  if (!update.pipeline_order.empty()) {  // validated by the admin API: every configured pipeline once
    st.order.clear();
    for (const auto& id : update.pipeline_order) st.order.push_back(pipeline_index(st, id));
  }
  if (update.start_number != stream_settings::unset)
    st.fixed_start_number = static_cast<std::uint64_t>(update.start_number);
  if (update.availability_start_ms != stream_settings::unset)
    st.fixed_availability_start_ms = update.availability_start_ms;
  if (st.fixed_start_number && st.fixed_availability_start_ms) {
    st.timeline = model::timeline{st.segment_duration_ms, *st.fixed_start_number, *st.fixed_availability_start_ms};
  } else if (st.timeline && st.fixed_availability_start_ms) {
    st.timeline->segment_duration_ms = st.segment_duration_ms;
    st.timeline->availability_start_ms = *st.fixed_availability_start_ms;
  } else if (st.timeline) {  // learned: keep the live edge where it is
    st.timeline = model::retimed(*st.timeline, st.segment_duration_ms,
                                 st.fixed_start_number.value_or(st.timeline->start_number), now);
  }
}

stream_status status_of(stream_pointer self) {
  auto& st = self->state;
  auto now = now_ms(self->state);
  stream_status status;
  status.has_timeline = st.timeline.has_value();
  status.segment_duration_ms = st.segment_duration_ms;
  if (st.timeline) {
    status.start_number = static_cast<std::int64_t>(st.timeline->start_number);
    status.availability_start_ms = st.timeline->availability_start_ms;
    if (auto edge = model::live_edge(*st.timeline, now)) status.live_edge = static_cast<std::int64_t>(*edge);
  }
  status.retry_budget_ms = st.policy.retry_budget_ms;
  status.dvr_window_ms = st.policy.dvr_window_ms;
  status.max_hold_ms = st.policy.max_hold_ms;
  status.live_window_segments = static_cast<std::int64_t>(st.policy.live_window_segments);
  status.force_shedding = st.force_shedding;
  status.objects = st.objects.size();
  status.bytes = st.bytes;
  status.hot_bytes = st.hot_bytes;
  status.held_requests = st.held;
  status.uploads_in_flight = st.uploads_in_flight.size();
  status.now_ms = now;
  std::optional<std::uint64_t> edge;
  if (st.timeline) edge = model::live_edge(*st.timeline, now);
  for (auto index : st.order) status.pipeline_order.push_back(st.defaults->pipelines[index]);
  for (auto stats : st.stats) {
    if (edge && stats.last_segment >= 0) stats.lag_segments = static_cast<std::int64_t>(*edge) - stats.last_segment;
    status.pipelines.push_back(std::move(stats));
  }
  for (const auto& m : st.masks) status.masks.push_back({st.defaults->pipelines[m.pipeline], m.from, m.to});
  return status;
}

// An operator's change is answered once storage has it (503 from the admin side when it could not).
caf::result<stream_status> status_once_stored(stream_pointer self) {
  auto promise = self->make_response_promise<stream_status>();
  auto timeline_failures = self->state.timeline_writes_failed;
  when_state_stored(self, [self, promise, timeline_failures](state_write write) mutable {
    if (write == state_write::stored && self->state.timeline_writes_failed != timeline_failures)
      write = state_write::failed;
    if (write == state_write::stored)
      promise.deliver(status_of(self));
    else if (write == state_write::failed)
      promise.deliver(caf::make_error(caf::sec::runtime_error));
    else
      promise.deliver(caf::make_error(caf::sec::request_receiver_down));
  });
  persist_state(self);
  return promise;
}

stream_actor::behavior_type stream_behavior(stream_pointer self, std::string tenant, std::string stream,
                                            std::shared_ptr<const stream_defaults> defaults,
                                            std::optional<storage_actor> storage,
                                            std::optional<recovered_stream> recovered) {
  auto& init = self->state;
  init.tenant = std::move(tenant);
  init.stream = std::move(stream);
  init.defaults = std::move(defaults);
  init.segment_duration_ms = init.defaults->profile.segment_duration_ms;
  for (std::size_t i = 0; i < init.defaults->pipelines.size(); ++i) {
    init.order.push_back(i);
    init.stats.push_back({init.defaults->pipelines[i], 0, 0, 0, 0, -1, -1, 0});
  }
  init.policy = init.defaults->profile.policy;
  init.fixed_start_number = init.defaults->profile.start_number;
  init.fixed_availability_start_ms = init.defaults->profile.availability_start_ms;
  if (init.fixed_start_number && init.fixed_availability_start_ms)
    init.timeline =
        model::timeline{init.segment_duration_ms, *init.fixed_start_number, *init.fixed_availability_start_ms};
  init.storage = std::move(storage);
  if (recovered) restore(init, std::move(*recovered));  // cold: nothing to cool down yet
  // CAF 0.17 drops pending promises silently when an actor dies; answer everything waiting first.
  self->set_exception_handler([self](std::exception_ptr&) -> caf::error {
    fail_waiting(self->state);
    return caf::make_error(caf::sec::runtime_error);
  });
  self->set_exit_handler([self](caf::exit_msg& exit) {
    fail_waiting(self->state);
    self->quit(exit.reason);
  });
  schedule_sweep(self);
  return {
      counted(self,
              [=](put_atom, const object_write& write) -> caf::result<write_reply> {
                auto& st = self->state;
                ++st.writes;
                auto now = now_ms(self->state);
                auto object = classify(st, write.object);
                ensure_timeline(st, object, write.segment_duration_ms, now);
                note_track(st, object);
                // Only the incarnation that heard of the upload counts it finished (a retry may reach its successor).
                if (write.announced_to == self->id()) finish_upload(st, write.object);
                auto pipeline = pipeline_index(st, write.pipeline);
                auto& entry = entry_for(st, write.object);
                auto& candidate = entry.candidates[pipeline];
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
                auto outcome = model::classify_write(facts, write.body.view(), write.digest);
                bool stores = outcome == model::write_outcome::created || outcome == model::write_outcome::replaced;
                auto old_size = stored_size(candidate);
                // Growth is reserved against the tenant's stored-bytes quota, across all its streams.
                if (stores && write.body.size() > old_size &&
                    !st.defaults->tenant->stored.try_grow(write.body.size() - old_size))
                  stores = false, outcome = model::write_outcome::refused_quota;
                if (stores) {
                  if (write.body.size() < old_size) st.defaults->tenant->stored.shrink(old_size - write.body.size());
                  st.bytes -= old_size;
                  st.bytes += write.body.size();
                  bool first = !present(candidate);
                  count_hot(st, candidate, false);
                  candidate = stored_object{write.body, write.digest, now, 0, false, write.defects, !st.storage, 0};
                  count_hot(st, candidate, true);
                  if (entry.delete_requested_at_ms != 0) st.state_changed = true;
                  entry.delete_requested_at_ms = 0;  // written again after a DELETE: it stays
                  if (is_segment && first) {
                    count_segment(st.stats[pipeline], object.segment_number, write.defects);
                    count_for_pipeline(st.defaults->tenant->received, pipeline);
                  }
                  // Notifications on a manifest or other object count from the current live edge.
                  auto at = is_segment    ? object.segment_number
                            : st.timeline ? model::live_edge(*st.timeline, now).value_or(st.timeline->start_number)
                                          : 0;
                  record_events(st, at, write.events);
                }
                if (model::status_for(outcome) < 300) {
                  entry.written_at_ms[pipeline] = now;
                  auto listed = st.stats[pipeline].last_segment;
                  if (entry.listed_segment[pipeline] != listed) entry.listed_since_ms[pipeline] = now;
                  entry.listed_segment[pipeline] = listed;
                }
                if (stores) entry.writes[pipeline].content = st.last_write_id + 1;  // the request below carries them
                if (!present(candidate) && std::none_of(entry.candidates.begin(), entry.candidates.end(), present))
                  st.objects.erase(write.object);  // refused before anything was stored
                count_objects(st);
                persist_timeline(self);
                persist_state(self);
                auto reply = write_reply_for(outcome);
                // The same bytes again while the first write is still on its way to storage (a packager's retry)
                // must not be acknowledged before storage has them either: it is written through too.
                bool retry_of_unstored = outcome == model::write_outcome::unchanged &&
                                         present(entry.candidates[pipeline]) && !entry.candidates[pipeline].durable;
                if ((!stores && !retry_of_unstored) || !st.storage) {
                  resolve_holds(self, write.object);
                  return reply;
                }
                // Write-through: the packager hears 2xx only once storage has the bytes. Readers wait for that
                // too before a segment's first 200 (answer()); a held GET is released as soon as it can be.
                auto id = ++st.last_write_id;
                entry.writes[pipeline].last_sent = id;
                auto promise = self->make_response_promise<write_reply>();
                st.writes_in_storage.emplace(id, promise);
                // Past this moment storage skips the write: a write answered 503 must not land later.
                auto deadline_ms =
                    now + std::chrono::duration_cast<std::chrono::milliseconds>(storage_timeout).count() - 500;
                auto finish = [self, id, name = write.object, pipeline, reply](bool durable) {
                  storage_answered(self, name, pipeline, id, durable);
                  auto waiting = self->state.writes_in_storage.find(id);
                  if (waiting == self->state.writes_in_storage.end()) return;
                  waiting->second.deliver(durable ? reply : write_reply_for(model::write_outcome::store_failed));
                  self->state.writes_in_storage.erase(waiting);
                };
                self->request(*st.storage, storage_timeout, store_atom_v,
                              storage::stored_candidate{.tenant = st.tenant,
                                                        .stream = st.stream,
                                                        .object = write.object,
                                                        .pipeline = st.defaults->pipelines[pipeline],
                                                        .body = entry.candidates[pipeline].body,
                                                        .digest = entry.candidates[pipeline].digest,
                                                        .stored_at_ms = entry.candidates[pipeline].stored_at_ms,
                                                        .defects = entry.candidates[pipeline].defects,
                                                        .deadline_ms = deadline_ms})
                    .then([finish](bool durable) { finish(durable); },
                          [self, finish, name = write.object](caf::error& error) {
                            spdlog::error("stream /{}/{}: storing {} failed: {}", self->state.tenant,
                                          self->state.stream, name, caf::to_string(error));
                            finish(false);
                          });
                // After the write request: a segment's first serve marker must reach storage behind its bytes.
                resolve_holds(self, write.object);
                return promise;
              }),
      counted(self,
              [=](get_atom, const object_read& read) -> caf::result<read_reply> {
                auto& st = self->state;
                ++st.reads;
                auto now = now_ms(self->state);
                auto object = classify(st, read.object);
                auto plan = decide(self, object, read.object, true, read.shed_dvr, now);
                const auto& decision = plan.decision;
                if (decision.outcome != model::read_outcome::hold) {
                  auto reply = reply_for(st, object, read.object, plan,
                                         model::answer_for(decision, object.kind, st.defaults->cache));
                  if ((reply.status != 200 && reply.status != 410) || !st.storage) {
                    flush_served(self);
                    return reply;
                  }
                  auto promise = self->make_response_promise<read_reply>();
                  answer(self, read.object, std::move(reply), promise);
                  flush_served(self);
                  return promise;
                }
                if (st.held >= st.defaults->max_held_per_stream ||
                    st.defaults->held_total->load() >= st.defaults->max_held_total)
                  // The issue asks for a short max-age here: it damps a CDN's retries for a second.
                  return read_reply_for(model::read_outcome::hold_limit, st.defaults->cache);
                auto promise = self->make_response_promise<read_reply>();
                st.holds[read.object].push_back({promise, read.token});
                ++st.held;
                st.defaults->held_total->fetch_add(1);
                self->delayed_send(self,
                                   std::chrono::milliseconds(std::max<std::int64_t>(decision.hold_until_ms - now, 0)),
                                   expire_atom_v, read.object, read.token);
                return promise;
              }),
      counted(self,
              [=](delete_atom, const std::string& name) -> caf::result<write_reply> {
                auto& st = self->state;
                auto it = st.objects.find(name);
                if (st.defaults->profile.on_delete == model::delete_policy::expire && it != st.objects.end() &&
                    it->second.delete_requested_at_ms == 0) {
                  it->second.delete_requested_at_ms = now_ms(self->state);
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
              }),
      counted(self,
              [=](upload_atom, const std::string& name) {
                auto& st = self->state;
                note_track(st, classify(st, name));
                ++st.uploads_in_flight[name];
              }),
      counted(self,
              [=](abort_atom, const std::string& name) {
                finish_upload(self->state, name);
                resolve_holds(self, name);
              }),
      counted(self,
              [=](release_atom, const std::string& name, std::uint64_t token) {
                // The client is gone; its bridge still waits for an answer, which nobody will read.
                if (auto hold = take_hold(self->state, name, token)) {
                  self->state.defaults->hold_ends->abandoned.fetch_add(1);
                  hold->promise.deliver(read_reply{.status = 499, .outcome = model::read_outcome::hold});
                }
              }),
      counted(self,
              [=](expire_atom, const std::string& name, std::uint64_t token) {
                auto& st = self->state;
                auto hold = take_hold(st, name, token);
                if (!hold) return;  // answered already
                st.defaults->hold_ends->timed_out.fetch_add(1);
                auto object = classify(st, name);
                auto plan = decide(self, object, name, false, false, now_ms(self->state), false);
                auto reply = reply_for(st, object, name, plan,
                                       model::answer_for_expired_hold(plan.decision, object.kind, st.defaults->cache));
                answer(self, name, std::move(reply), hold->promise);
                flush_served(self);
                // Its deadline is usually every waiter's (due + retry budget): answer them all in one pass.
                resolve_holds(self, name);
              }),
      counted(self,
              [=](sweep_atom) {
                std::vector<std::string> erased;
                sweep(self->state, now_ms(self->state), erased);
                if (self->state.storage && !erased.empty())
                  self->send(*self->state.storage, erase_atom_v, std::move(erased));
                persist_timeline(self);
                persist_state(self);
                schedule_sweep(self);
              }),
      counted(self,
              [=](settings_atom, const stream_settings& update) -> caf::result<stream_status> {
                apply(self->state, update, now_ms(self->state));
                persist_timeline(self);
                resolve_all_holds(self);
                return status_once_stored(self);
              }),
      counted(self, [=](settings_atom) -> stream_status { return status_of(self); }),
      counted(self,
              [=](mask_atom, const pipeline_mask& mask) -> caf::result<stream_status> {
                auto& st = self->state;
                stream_state::mask added{pipeline_index(st, mask.pipeline), mask.from, mask.to};
                bool known = std::any_of(st.masks.begin(), st.masks.end(), [&](const auto& m) {
                  return m.pipeline == added.pipeline && m.from == added.from && m.to == added.to;
                });
                if (!known && st.masks.size() < max_masks_per_stream) {
                  st.masks.push_back(added);
                  st.state_changed = true;
                }
                resolve_all_holds(self);
                return status_once_stored(self);
              }),
      counted(self,
              [=](mask_atom, delete_atom, const pipeline_mask& mask) -> caf::result<stream_status> {
                auto& st = self->state;
                auto index = pipeline_index(st, mask.pipeline);
                if (std::erase_if(st.masks, [&](const auto& m) {
                      return m.pipeline == index && m.from == mask.from && m.to == mask.to;
                    }))
                  st.state_changed = true;
                resolve_all_holds(self);
                return status_once_stored(self);
              }),
      counted(self,
              [=](crash_atom) {
                spdlog::warn("stream /{}/{}: crashing on request (fault injection drill)", self->state.tenant,
                             self->state.stream);
                throw std::runtime_error("fault injection drill");
              }),
      counted(self,
              [=](info_atom) -> stream_info {
                auto& st = self->state;
                return {st.stream,
                        self->id(),
                        st.objects.size(),
                        st.bytes,
                        self->mailbox().size(),
                        st.writes,
                        st.reads,
                        st.held,
                        st.messages_handled,
                        true,
                        {}};
              }),
  };
}

}  // namespace

stream_actor spawn_stream_actor(caf::actor_system& system, std::string tenant, std::string stream,
                                std::shared_ptr<const stream_defaults> defaults, std::optional<storage_actor> storage,
                                std::optional<recovered_stream> recovered) {
  return system.spawn(stream_behavior, std::move(tenant), std::move(stream), std::move(defaults), std::move(storage),
                      std::move(recovered));
}

}  // namespace live_origin::actors
