#include "actors/stream/durability.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <vector>

#include "actors/stream/memory.hpp"
#include "actors/stream/reads.hpp"
#include "model/stored_record.hpp"

namespace live_origin::actors::stream {
namespace {

using storage::erase_atom_v;
using storage::served_atom_v;
using storage::store_atom_v;

// A write reaches storage this long before its writer gives up at the latest; past that moment storage
// skips it, so a write answered 503 never lands later.
constexpr std::int64_t storage_deadline_margin_ms = 500;

void first_serve_stored(stream_pointer self, const stream_state::read_key& key, bool stored);

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
  auto plan = decide(self, object, name, false, false, now_ms(st));
  if (plan.decision.outcome == model::read_outcome::hold) {
    promise.deliver(storage_unavailable(st));
    return;
  }
  answer(self, name,
         reply_for(st, object, name, plan, model::answer_for(plan.decision, object.kind, st.defaults->cache)), promise);
}

}  // namespace

caf::typed_response_promise<write_reply> write_through(stream_pointer self, const std::string& name,
                                                       std::size_t pipeline, write_reply reply, bool new_bytes,
                                                       std::int64_t now) {
  auto& st = self->state;
  auto& entry = st.objects.at(name);
  const auto& candidate = entry.candidates[pipeline];
  auto id = ++st.last_write_id;
  if (new_bytes) entry.writes[pipeline].content = id;
  entry.writes[pipeline].last_sent = id;
  auto promise = self->make_response_promise<write_reply>();
  st.writes_in_storage.emplace(id, promise);
  auto finish = [self, id, name, pipeline, reply](bool durable) {
    storage_answered(self, name, pipeline, id, durable);
    auto waiting = self->state.writes_in_storage.find(id);
    if (waiting == self->state.writes_in_storage.end()) return;
    waiting->second.deliver(durable ? reply : write_reply_for(model::write_outcome::store_failed));
    self->state.writes_in_storage.erase(waiting);
  };
  self->request(*st.storage, st.defaults->storage_timeout, store_atom_v,
                storage::stored_candidate{
                    .tenant = st.tenant,
                    .stream = st.stream,
                    .object = name,
                    .pipeline = st.defaults->pipelines[pipeline],
                    .body = candidate.body,
                    .digest = candidate.digest,
                    .stored_at_ms = candidate.stored_at_ms,
                    .defects = candidate.defects,
                    .deadline_ms = now + st.defaults->storage_timeout.count() - storage_deadline_margin_ms})
      .then([finish](bool durable) { finish(durable); },
            [self, finish, name](caf::error& error) {
              spdlog::error("stream /{}/{}: storing {} failed: {}", self->state.tenant, self->state.stream, name,
                            caf::to_string(error));
              finish(false);
            });
  return promise;
}

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
  auto done = [self, key, digest](const object_body& body, bool unreadable) {
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
  self->request(*st.storage, st.defaults->storage_timeout, get_atom_v, body_key, digest)
      .then([done](object_body& body) { done(body, true); }, [done](caf::error&) { done({}, false); });
}

void flush_served(stream_pointer self) {
  auto& st = self->state;
  if (st.storage) {
    for (auto& [object, pipeline] : st.newly_served) {
      stream_state::read_key key{object, pipeline};
      self->request(*st.storage, st.defaults->storage_timeout, served_atom_v,
                    model::served_marker_key(st.tenant, st.stream, object), st.defaults->pipelines[pipeline])
          .then([self, key](bool stored) { first_serve_stored(self, key, stored); },
                [self, key](caf::error&) { first_serve_stored(self, key, false); });
    }
  }
  st.newly_served.clear();
  persist_state(self);  // a 410 just served marks its segment gone
}

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
  self->request(*st.storage, st.defaults->storage_timeout, store_atom_v, model::stream_state_key(st.tenant, st.stream),
                model::encode_stream_state_record(state))
      .then([self, write](bool stored) { state_stored(self, write, stored); },
            [self, write](caf::error&) { state_stored(self, write, false); });
}

void persist_timeline(stream_pointer self) {
  auto& st = self->state;
  if (!st.storage || !st.timeline || st.stored_timeline == st.timeline) return;
  st.stored_timeline = st.timeline;
  auto failed = [self] {
    ++self->state.timeline_writes_failed;
    self->state.stored_timeline.reset();
  };
  self->request(*st.storage, st.defaults->storage_timeout, store_atom_v,
                model::timeline_record_key(st.tenant, st.stream), model::encode_timeline_record(*st.timeline))
      .then(
          [failed](bool stored) {
            if (!stored) failed();
          },
          [failed](caf::error&) { failed(); });
}

void when_state_stored(stream_pointer self, std::function<void(state_write)> deliver) {
  auto& st = self->state;
  auto needed = st.state_writes_sent + (st.state_changed ? 1 : 0);
  if (!st.storage || needed <= st.state_writes_answered) return deliver(state_write::stored);
  st.after_state.emplace(needed, std::move(deliver));
}

void fail_waiting(stream_state& st) {
  auto gone = [] { return caf::make_error(caf::sec::request_receiver_down); };
  for (auto& [name, waiting] : st.holds)
    for (auto& hold : waiting) hold.promise.deliver(gone());
  assert(st.defaults->held_total->load() >= st.held && "the process counts this stream's holds");
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

read_reply storage_unavailable(const stream_state& st) {
  return read_reply_for(model::read_outcome::store_unavailable, st.defaults->cache);
}

namespace {

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

}  // namespace

}  // namespace live_origin::actors::stream
