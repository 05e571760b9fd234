#include "actors/tenant_supervisor.hpp"

#include <spdlog/spdlog.h>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <cassert>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "actors/counted.hpp"
#include "actors/fan_in.hpp"
#include "actors/stream_actor.hpp"

namespace live_origin::actors {
namespace {

using storage::list_atom_v;
using storage::load_atom_v;
using storage::recovered_stream;
using storage::storage_for;
using storage::storage_pool;

bool is_orderly(const caf::error& reason) {
  return reason == caf::exit_reason::normal || reason == caf::exit_reason::user_shutdown;
}

enum class stream_phase {
  loading,   // no actor yet: its records are being read from storage (or a proxy is about to open)
  running,   // `actor` speaks for the stream
  retiring,  // `actor` is ending because the stream's owner changed; what replaces it starts at its end
};

// One stream this supervisor looks after.
struct supervised_stream {
  stream_phase phase = stream_phase::loading;
  std::optional<stream_actor> actor;  // running and retiring
  std::string owner;                  // running and retiring: the node `actor` speaks for (this one, or the
                                      // owner a proxy forwards to)
  bool reading_store = false;         // a read of its records from storage is under way (one at a time)
  std::vector<caf::typed_response_promise<stream_actor>> waiting;  // opens waiting for its next actor
};

struct tenant_state {
  static inline const char* name = "tenant-supervisor";
  std::string tenant;
  std::shared_ptr<const stream_defaults> defaults;
  std::shared_ptr<stream_directory> directory;
  storage_pool storage;                          // empty: memory only
  std::shared_ptr<const stream_owners> cluster;  // none: this node owns every stream
  std::unordered_map<std::string, supervised_stream> streams;
  std::unordered_map<caf::actor_addr, std::string> by_address;  // the running and retiring actors
  std::uint64_t restarts = 0;
  std::uint64_t messages_handled = 0;  // counted by actors::counted
  // While the streams storage holds are being started (tenant_setup::load_from_store): pings wait.
  bool recovering = false;
  std::vector<caf::typed_response_promise<caf::pong_atom>> until_recovered;
};

using tenant_pointer = tenant_supervisor_actor::stateful_pointer<tenant_state>;

supervised_stream* find(tenant_state& st, const std::string& stream) {
  auto it = st.streams.find(stream);
  return it == st.streams.end() ? nullptr : &it->second;
}

// A record with no actor, no read under way and nobody waiting has nothing left to track.
void drop_if_idle(tenant_state& st, const std::string& stream) {
  auto it = st.streams.find(stream);
  if (it != st.streams.end() && !it->second.actor && !it->second.reading_store && it->second.waiting.empty())
    st.streams.erase(it);
}

const std::string& self_node(const tenant_state& st) {
  static const std::string none;
  return st.cluster ? st.cluster->self_node() : none;
}

// The node that owns the stream now: this one without a cluster; empty while no node is active.
std::string owner_of(const tenant_state& st, const std::string& stream) {
  return st.cluster ? st.cluster->owner_of(st.tenant, stream) : std::string();
}

// Hands a started actor (stream actor or proxy) to every open waiting for it.
void started(tenant_pointer self, const std::string& stream, stream_actor actor, std::string owner) {
  auto& st = self->state;
  auto& record = st.streams[stream];
  assert(!record.actor && "a stream has one actor at a time");
  self->monitor(actor);
  record.phase = stream_phase::running;
  record.actor = actor;
  record.owner = std::move(owner);
  st.by_address[actor.address()] = stream;
  st.directory->set_stream(st.tenant, stream, actor);
  auto waiting = std::move(record.waiting);
  record.waiting.clear();
  for (auto& promise : waiting) promise.deliver(actor);
}

void fail_waiting_opens(tenant_state& st, const std::string& stream, const caf::error& error) {
  if (auto* record = find(st, stream)) {
    auto waiting = std::move(record->waiting);
    record->waiting.clear();
    for (auto& promise : waiting) promise.deliver(error);
  }
  drop_if_idle(st, stream);
}

// Starts the stream's actor and hands it to every open waiting for it.
stream_actor start_stream(tenant_pointer self, const std::string& stream,
                          std::optional<recovered_stream> recovered = std::nullopt) {
  auto& st = self->state;
  auto actor = spawn_stream_actor(self->system(), st.tenant, stream, st.defaults,
                                  storage_for(st.storage, st.tenant, stream), std::move(recovered));
  started(self, stream, actor, self_node(st));
  return actor;
}

// A proxy to the stream's owner on another node; false when there is no connection to it.
bool start_proxy(tenant_pointer self, const std::string& stream, const std::string& owner) {
  auto& st = self->state;
  auto proxy = st.cluster->spawn_proxy(self->system(), st.tenant, stream, owner, *st.defaults);
  if (!proxy) return false;
  started(self, stream, *proxy, owner);
  return true;
}

void start_for_owner(tenant_pointer self, const std::string& stream);

// Starts a stream actor from what storage holds for the stream (nothing, for a new one). If storage
// cannot say, the waiting opens fail (503) and the next one tries again: starting empty would let the
// stream overwrite what it stored before. `done` runs once this read is over (or one under way is).
void load_stream(
    tenant_pointer self, const std::string& stream, const std::function<void()>& done = [] {}) {
  auto& st = self->state;
  auto& record = st.streams[stream];
  if (record.reading_store) return done();  // on its way already
  record.reading_store = true;
  self->request(*storage_for(st.storage, st.tenant, stream), storage_scan_timeout, load_atom_v, st.tenant, stream)
      .then(
          [self, stream, done](recovered_stream& recovered) {
            auto& state = self->state;
            auto& loaded = state.streams[stream];
            loaded.reading_store = false;
            if (loaded.actor) return done();  // an actor speaks for it already
            // In a cluster the stream may have moved to another node while it loaded.
            if (owner_of(state, stream) != self_node(state))
              start_for_owner(self, stream);
            else
              start_stream(self, stream, std::move(recovered));
            done();
          },
          [self, stream, done](caf::error& error) {
            auto& state = self->state;
            state.streams[stream].reading_store = false;
            spdlog::error("stream /{}/{}: loading it from storage failed: {}", state.tenant, stream,
                          caf::to_string(error));
            fail_waiting_opens(state, stream, error);
            done();
          });
}

void finish_recovery(tenant_pointer self) {
  auto& st = self->state;
  st.recovering = false;
  for (auto& promise : st.until_recovered) promise.deliver(caf::pong_atom_v);
  st.until_recovered.clear();
}

// A tenant that starts after the process did starts the streams storage holds for it, as the process start
// does, so its stored segments are served again without waiting for a write to open each stream. (In a
// cluster every request opens its stream through placement, which loads it.)
void start_stored_streams(tenant_pointer self) {
  auto& st = self->state;
  st.recovering = true;
  self->request(st.storage.front(), storage_scan_timeout, list_atom_v)
      .then(
          [self](std::vector<storage::stored_stream>& stored) {
            std::erase_if(stored, [self](const storage::stored_stream& s) {
              auto* record = find(self->state, s.stream);
              return s.tenant != self->state.tenant || (record && record->actor);
            });
            auto one_done = countdown(stored.size(), [self] { finish_recovery(self); });
            for (const auto& s : stored) {
              spdlog::info("stream /{}/{} started from storage", s.tenant, s.stream);
              load_stream(self, s.stream, one_done);
            }
          },
          [self](caf::error& error) {
            spdlog::error("tenant {}: listing its stored streams failed: {}", self->state.tenant,
                          caf::to_string(error));
            finish_recovery(self);
          });
}

// Starts what speaks for the stream now, for the opens waiting: its own actor (from storage) where this
// node owns it, else a proxy to its owner.
void start_for_owner(tenant_pointer self, const std::string& stream) {
  auto& st = self->state;
  auto owner = owner_of(st, stream);
  if (owner != self_node(st)) {
    if (owner.empty() || !start_proxy(self, stream, owner))
      fail_waiting_opens(st, stream, caf::make_error(caf::sec::no_route_to_receiving_node));
    return;
  }
  if (st.storage.empty())
    start_stream(self, stream);
  else
    load_stream(self, stream);
}

// Ends a running actor whose stream's owner changed; its end starts its replacement for the opens that
// wait meanwhile.
void retire(tenant_pointer self, const std::string& stream) {
  auto& st = self->state;
  auto* record = find(st, stream);
  if (!record || record->phase != stream_phase::running) return;
  record->phase = stream_phase::retiring;
  auto owner = owner_of(st, stream);
  spdlog::info("stream /{}/{}: its owner is now {}; retiring the actor here", st.tenant, stream,
               owner.empty() ? "none" : owner);
  self->send_exit(*record->actor, caf::exit_reason::user_shutdown);
}

// The stream's actor: the running one, else one started from storage (or, in a cluster, a proxy to the
// stream's owner); opens wait meanwhile. `gone` is an incarnation the caller found dead: if this supervisor
// has not yet heard of its end, the open waits for the successor its end starts.
caf::result<stream_actor> open_stream(tenant_pointer self, const std::string& stream,
                                      const std::optional<stream_actor>& gone = std::nullopt) {
  auto& st = self->state;
  auto* record = find(st, stream);
  bool has_actor = record && record->actor;
  if (has_actor && record->owner != owner_of(st, stream)) retire(self, stream);
  if (has_actor && record->actor != gone && record->phase == stream_phase::running) return *record->actor;
  if (!has_actor && st.storage.empty() && !st.cluster) return start_stream(self, stream);
  auto promise = self->make_response_promise<stream_actor>();
  st.streams[stream].waiting.push_back(promise);
  if (!has_actor) start_for_owner(self, stream);
  return promise;
}

// Without `create`, a stream storage does not know is not started (a GET must not create one):
// remote_lookup_failed. For another node, only this node's own actor for a stream it owns; for this node's
// HTTP side, a proxy where another node owns the stream (the owner then decides whether it exists).
caf::result<stream_actor> open_existing(tenant_pointer self, const std::string& stream, bool create) {
  auto& st = self->state;
  if (owner_of(st, stream) != self_node(st)) {
    auto sender = self->current_sender();
    if (sender && sender->node() != self->node()) return caf::make_error(caf::sec::no_route_to_receiving_node);
    return open_stream(self, stream);
  }
  auto* record = find(st, stream);
  if (create || (record && record->actor && record->owner == self_node(st))) return open_stream(self, stream);
  if (st.storage.empty()) return caf::make_error(caf::sec::remote_lookup_failed);
  auto promise = self->make_response_promise<stream_actor>();
  self->request(*storage_for(st.storage, st.tenant, stream), storage_scan_timeout, load_atom_v, st.tenant, stream)
      .then(
          [self, stream, promise](recovered_stream& recovered) mutable {
            auto& state = self->state;
            if (!recovered.timeline && !recovered.state && recovered.candidates.empty()) {
              promise.deliver(caf::make_error(caf::sec::remote_lookup_failed));
              return;
            }
            auto* now = find(state, stream);
            if (now && now->actor && now->owner == self_node(state) && now->phase == stream_phase::running) {
              promise.deliver(*now->actor);
              return;
            }
            if (now && (now->actor || now->reading_store)) {
              now->waiting.push_back(promise);  // on its way: wait with the others
              return;
            }
            if (owner_of(state, stream) != self_node(state)) {  // moved while it loaded
              promise.deliver(caf::make_error(caf::sec::no_route_to_receiving_node));
              return;
            }
            spdlog::info("stream /{}/{} opened", state.tenant, stream);
            promise.deliver(start_stream(self, stream, std::move(recovered)));
          },
          [promise](caf::error& error) mutable { promise.deliver(error); });
  return promise;
}

// A supervised actor ended: a retired one gives way to what speaks for the stream now; a failed stream
// actor's successor resumes from storage (requests that found the failed one wait for it); an orderly end
// (or a proxy's) leaves the stream to the next open.
void actor_down(tenant_pointer self, const caf::down_msg& down) {
  auto& st = self->state;
  auto it = st.by_address.find(down.source);
  if (it == st.by_address.end()) return;
  auto stream = it->second;
  st.by_address.erase(it);
  auto& record = st.streams[stream];
  bool retired = record.phase == stream_phase::retiring;
  bool own = record.owner == self_node(st);
  record.phase = stream_phase::loading;
  record.actor.reset();
  record.owner.clear();
  if (retired) {
    st.directory->erase_stream(st.tenant, stream);
    if (!record.waiting.empty())
      start_for_owner(self, stream);
    else
      drop_if_idle(st, stream);
    return;
  }
  if (is_orderly(down.reason) || !own) {  // a proxy is never restarted
    st.directory->erase_stream(st.tenant, stream);
    // Opens that found it ending wait for no successor.
    fail_waiting_opens(st, stream, caf::make_error(caf::sec::request_receiver_down));
    return;
  }
  ++st.restarts;
  st.defaults->tenant->restarts.fetch_add(1, std::memory_order_relaxed);
  spdlog::error("stream actor /{}/{} failed ({}); restarting it (restart #{} in tenant {})", st.tenant, stream,
                to_string(down.reason), st.restarts, st.tenant);
  start_for_owner(self, stream);
}

// The running and retiring actors, for introspection.
std::vector<std::pair<std::string, stream_actor>> actors_of(const tenant_state& st) {
  std::vector<std::pair<std::string, stream_actor>> out;
  for (const auto& [name, record] : st.streams)
    if (record.actor) out.emplace_back(name, *record.actor);
  return out;
}

tenant_supervisor_actor::behavior_type tenant_behavior(tenant_pointer self, tenant_setup setup,
                                                       std::shared_ptr<stream_directory> directory,
                                                       storage_pool storage,
                                                       std::shared_ptr<const stream_owners> owners) {
  auto& st = self->state;
  st.cluster = std::move(owners);
  st.tenant = std::move(setup.name);
  st.defaults = std::move(setup.defaults);
  st.directory = std::move(directory);
  st.storage = std::move(storage);
  // In the directory before any of its streams: the directory keeps a stream only under a known tenant,
  // and this first run may come before the parent's own registration of this supervisor.
  st.directory->add_tenant(st.tenant, caf::actor_cast<tenant_supervisor_actor>(self));
  for (auto& recovered : setup.recovered) {  // at process start: every stream storage holds
    auto name = recovered.stream;
    start_stream(self, name, std::move(recovered));
  }
  if (setup.load_from_store && !st.storage.empty() && !st.cluster) start_stored_streams(self);
  self->set_down_handler([self](caf::down_msg& down) { actor_down(self, down); });
  self->set_exit_handler([self](caf::exit_msg& exit) {
    for (auto& [name, actor] : actors_of(self->state)) self->send_exit(actor, exit.reason);
    self->quit(exit.reason);
  });
  return {
      counted(self,
              [=](open_atom, const std::string& stream) -> caf::result<stream_actor> {
                auto* record = find(self->state, stream);
                if (!record || !record->actor) spdlog::info("stream /{}/{} opened", self->state.tenant, stream);
                return open_stream(self, stream);
              }),
      counted(self,
              [=](open_atom, const std::string& stream, const stream_actor& gone) -> caf::result<stream_actor> {
                return open_stream(self, stream, gone);
              }),
      counted(self,
              [=](open_atom, const std::string& stream, bool create) -> caf::result<stream_actor> {
                return open_existing(self, stream, create);
              }),
      counted(self,
              [=](placement_atom) {
                std::vector<std::string> moved;
                for (const auto& [name, record] : self->state.streams)
                  if (record.actor && record.owner != owner_of(self->state, name)) moved.push_back(name);
                for (const auto& name : moved) retire(self, name);
              }),
      counted(self,
              [=](info_atom) -> caf::result<tenant_info> {
                auto& state = self->state;
                tenant_info info{.name = state.tenant,
                                 .actor_id = self->id(),
                                 .mailbox = self->mailbox().size(),
                                 .restarts = state.restarts,
                                 .messages_handled = state.messages_handled};
                return gather_children(self, std::move(info), &tenant_info::streams, actors_of(state), info_timeout);
              }),
      counted(self,
              [=](caf::ping_atom) -> caf::result<caf::pong_atom> {
                if (!self->state.recovering) return caf::pong_atom_v;
                self->state.until_recovered.push_back(self->make_response_promise<caf::pong_atom>());
                return self->state.until_recovered.back();
              }),
      counted(self,
              [=](reload_atom, const tenant_reload& reload) {
                // Running streams keep their timeline and policies; streams opened (or restarted) from now on
                // get the new ones. Counters and the stored-bytes account are shared, so they carry over.
                if (!reload.tenants.empty()) self->state.defaults = reload.tenants.front().defaults;
              }),
  };
}

}  // namespace

tenant_supervisor_actor spawn_tenant_supervisor(caf::actor_system& system, tenant_setup setup,
                                                std::shared_ptr<stream_directory> directory,
                                                storage::storage_pool storage,
                                                std::shared_ptr<const stream_owners> owners) {
  return system.spawn(tenant_behavior, std::move(setup), std::move(directory), std::move(storage), std::move(owners));
}

}  // namespace live_origin::actors
