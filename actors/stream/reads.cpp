#include "actors/stream/reads.hpp"

#include <algorithm>
#include <vector>

#include "actors/stream/durability.hpp"
#include "actors/stream/holds.hpp"
#include "model/events.hpp"

namespace live_origin::actors::stream {
namespace {

// A manifest is stale after manifest_fresh_segments segment durations without a write; a pipeline that fell
// behind keeps its preference for half a segment.
model::manifest_timing manifest_timing(const stream_state& st) {
  return {st.defaults->manifest_fresh_segments * st.segment_duration_ms, st.segment_duration_ms / 2};
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
    if (!entry.manifest) return {};
    std::vector<bool> stored;
    for (const auto& candidate : entry.candidates) stored.push_back(present(candidate));
    return {model::choose_manifest(*entry.manifest, st.order, stored, now, manifest_timing(st)), false};
  }
  bool clean_may_still_arrive = may_wait && is_segment && st.timeline &&
                                now < model::due_ms(*st.timeline, object.segment_number) + st.policy.retry_budget_ms;
  return to_index(model::select_candidate(views, served_position, clean_may_still_arrive));
}

model::object_facts facts_of(const stream_state& st, const model::object_class& object, const std::string& name,
                             const model::selection& choice) {
  auto upload = st.uploads_in_flight.find(name);
  bool known_track = object.kind != model::object_kind::media_segment || st.known_tracks.count(object.track) > 0;
  model::object_facts facts{choice.chosen.has_value(), st.declared_gone.count(name) > 0,
                            upload != st.uploads_in_flight.end() && upload->second > 0, known_track};
  if (object.kind == model::object_kind::manifest && choice.chosen)
    facts.listed_segment = st.objects.at(name).manifest->version(*choice.chosen).listed_segment;
  return facts;
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

}  // namespace

read_plan decide(stream_pointer self, const model::object_class& object, const std::string& name, bool new_request,
                 bool shed_dvr, std::int64_t now, bool may_wait) {
  auto& st = self->state;
  bool overloaded =
      new_request && (shed_dvr || st.force_shedding || self->mailbox().size() > st.defaults->shed_mailbox_messages);
  auto choice = select(st, object, name, now, may_wait);
  auto decision =
      model::decide_read(object, st.timeline, st.policy, facts_of(st, object, name, choice), now, overloaded);
  return {decision, choice.chosen};
}

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
    if (entry.manifest) entry.manifest->note_served(*plan.chosen);
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

caf::result<read_reply> read_object(stream_pointer self, const object_read& read) {
  auto& st = self->state;
  ++st.reads;
  auto now = now_ms(st);
  auto object = classify(st, read.object);
  auto plan = decide(self, object, read.object, true, read.shed_dvr, now);
  if (plan.decision.outcome == model::read_outcome::hold) return hold(self, read, plan.decision, now);
  auto reply =
      reply_for(st, object, read.object, plan, model::answer_for(plan.decision, object.kind, st.defaults->cache));
  if ((reply.status != 200 && reply.status != 410) || !st.storage) {
    flush_served(self);
    return reply;
  }
  auto promise = self->make_response_promise<read_reply>();
  answer(self, read.object, std::move(reply), promise);
  flush_served(self);
  return promise;
}

}  // namespace live_origin::actors::stream
