#include "actors/stream/holds.hpp"

#include <algorithm>
#include <cassert>
#include <chrono>
#include <vector>

#include "actors/stream/durability.hpp"
#include "actors/stream/reads.hpp"

namespace live_origin::actors::stream {
namespace {

std::optional<held_request> take_hold(stream_state& st, const std::string& name, std::uint64_t token) {
  auto it = st.holds.find(name);
  if (it == st.holds.end()) return std::nullopt;
  auto& waiting = it->second;
  auto hold = std::find_if(waiting.begin(), waiting.end(), [&](const held_request& h) { return h.token == token; });
  if (hold == waiting.end()) return std::nullopt;
  held_request taken = std::move(*hold);
  waiting.erase(hold);
  if (waiting.empty()) st.holds.erase(it);
  assert(st.held > 0 && "a taken hold was counted");
  --st.held;
  st.defaults->held_total->fetch_sub(1);
  return taken;
}

}  // namespace

caf::result<read_reply> hold(stream_pointer self, const object_read& read, const model::read_decision& decision,
                             std::int64_t now) {
  auto& st = self->state;
  if (st.held >= st.defaults->max_held_per_stream || st.defaults->held_total->load() >= st.defaults->max_held_total)
    // The issue asks for a short max-age here: it damps a CDN's retries for a second.
    return read_reply_for(model::read_outcome::hold_limit, st.defaults->cache);
  auto promise = self->make_response_promise<read_reply>();
  st.holds[read.object].push_back({promise, read.token});
  ++st.held;
  st.defaults->held_total->fetch_add(1);
  self->delayed_send(self, std::chrono::milliseconds(std::max<std::int64_t>(decision.hold_until_ms - now, 0)),
                     expire_atom_v, read.object, read.token);
  return promise;
}

void resolve_holds(stream_pointer self, const std::string& name) {
  auto& st = self->state;
  auto it = st.holds.find(name);
  if (it == st.holds.end()) return;
  auto object = classify(st, name);
  auto plan = decide(self, object, name, false, false, now_ms(st));
  if (plan.decision.outcome == model::read_outcome::hold) return;
  auto reply = reply_for(st, object, name, plan, model::answer_for(plan.decision, object.kind, st.defaults->cache));
  auto waiting = std::move(it->second);
  st.holds.erase(it);
  assert(st.held >= waiting.size() && "every hold was counted");
  st.held -= waiting.size();
  st.defaults->held_total->fetch_sub(waiting.size());
  st.defaults->hold_ends->released.fetch_add(waiting.size());
  for (auto& hold : waiting) answer(self, name, reply, hold.promise);
  flush_served(self);
}

void resolve_all_holds(stream_pointer self) {
  std::vector<std::string> names;
  for (const auto& [name, waiting] : self->state.holds) names.push_back(name);
  for (const auto& name : names) resolve_holds(self, name);
}

void expire_hold(stream_pointer self, const std::string& name, std::uint64_t token) {
  auto& st = self->state;
  auto held = take_hold(st, name, token);
  if (!held) return;  // answered already
  st.defaults->hold_ends->timed_out.fetch_add(1);
  auto object = classify(st, name);
  auto plan = decide(self, object, name, false, false, now_ms(st), false);
  auto reply =
      reply_for(st, object, name, plan, model::answer_for_expired_hold(plan.decision, object.kind, st.defaults->cache));
  answer(self, name, std::move(reply), held->promise);
  flush_served(self);
  // Its deadline is usually every waiter's (due + retry budget): answer them all in one pass.
  resolve_holds(self, name);
}

void release_hold(stream_pointer self, const std::string& name, std::uint64_t token) {
  if (auto held = take_hold(self->state, name, token)) {
    self->state.defaults->hold_ends->abandoned.fetch_add(1);
    held->promise.deliver(read_reply{.status = 499, .outcome = model::read_outcome::hold});
  }
}

}  // namespace live_origin::actors::stream
