#include "actors/supervisors.hpp"

#include <caf/system_messages.hpp>

#include <spdlog/spdlog.h>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "actors/counted.hpp"
#include "actors/stream_actor.hpp"

namespace live_origin::actors {
namespace {

using storage::list_atom_v;
using storage::load_atom_v;
using storage::recovered_stream;
using storage::storage_for;
using storage::storage_pool;

// Introspection fans out to children; a child that does not answer in time is listed as unresponsive
// rather than holding up the whole tree.
constexpr std::chrono::milliseconds info_timeout{1000};

bool is_orderly(const caf::error& reason) {
  return reason == caf::exit_reason::normal || reason == caf::exit_reason::user_shutdown;
}

// Collects one reply per child and delivers the parent's answer when the last one is in.
template <class Info, class ChildInfo>
struct fan_in {
  Info info;
  std::vector<ChildInfo> Info::*children;
  std::size_t pending;
  caf::typed_response_promise<Info> promise;

  void add(ChildInfo child) {
    (info.*children).push_back(std::move(child));
    if (--pending == 0) promise.deliver(std::move(info));
  }
};

// Asks every child (name -> handle) for its info and answers with `info` holding all of them; a child
// that does not answer within `timeout` is listed as unresponsive. CAF 0.17 has no fan_out_request.
template <class Info, class ChildInfo, class Self, class Children>
caf::result<Info> gather_children(Self self, Info info, std::vector<ChildInfo> Info::*field, const Children& children,
                                  std::chrono::milliseconds timeout) {
  auto promise = self->template make_response_promise<Info>();
  if (children.empty()) return promise.deliver(std::move(info));
  using collector = fan_in<Info, ChildInfo>;
  auto gather = std::make_shared<collector>(collector{std::move(info), field, children.size(), promise});
  for (const auto& [name, actor] : children) {
    self->request(actor, timeout, info_atom_v)
        .then([gather](ChildInfo& child) { gather->add(std::move(child)); },
              [gather, name = name, id = actor.id()](caf::error&) {
                ChildInfo missing{};
                missing.name = name;
                missing.actor_id = id;
                missing.responsive = false;
                gather->add(std::move(missing));
              });
  }
  return promise;
}

// -- tenant supervisor ----------------------------------------------------------------------------

struct tenant_state {
  static inline const char* name = "tenant-supervisor";
  std::string tenant;
  std::shared_ptr<const stream_defaults> defaults;
  std::shared_ptr<stream_directory> directory;
  std::unordered_map<std::string, stream_actor> streams;
  std::unordered_map<caf::actor_addr, std::string> stream_names;
  std::uint64_t restarts = 0;
  std::uint64_t messages_handled = 0;  // counted by actors::counted
  storage_pool storage;                // empty: memory only
  // Opens waiting for a stream that is being (re)started, and the streams being loaded from storage.
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<stream_actor>>> waiting;
  std::unordered_set<std::string> loading;
  // In a cluster: which node owns each stream (none: this node owns all), which node each running
  // stream's actor speaks for (this one, or the owner a proxy forwards to), and the actors being retired
  // because their stream's owner changed.
  std::shared_ptr<const stream_owners> cluster;
  std::unordered_map<std::string, std::string> owners;
  std::unordered_set<std::string> retiring;
  // While the streams storage holds are being started (tenant_setup::load_from_store): pings wait.
  bool recovering = false;
  std::vector<caf::typed_response_promise<caf::pong_atom>> until_recovered;
};

using tenant_pointer = tenant_supervisor_actor::stateful_pointer<tenant_state>;

// Hands a started actor (stream actor or proxy) to every open waiting for it.
void started(tenant_pointer self, const std::string& stream, stream_actor actor, std::string owner) {
  auto& st = self->state;
  self->monitor(actor);
  st.owners[stream] = std::move(owner);
  st.streams[stream] = actor;
  st.stream_names[actor.address()] = stream;
  st.directory->set_stream(st.tenant, stream, actor);
  if (auto it = st.waiting.find(stream); it != st.waiting.end()) {
    auto waiting = std::move(it->second);
    st.waiting.erase(it);
    for (auto& promise : waiting) promise.deliver(actor);
  }
}

// Returns what to call once per finished piece of work: the `count`-th call runs `done` (which runs at once
// when there is no work).
std::function<void()> countdown(std::size_t count, std::function<void()> done) {
  if (count == 0) {
    done();
    return [] {};
  }
  auto left = std::make_shared<std::size_t>(count);
  return [left, done = std::move(done)] {
    if (--*left == 0) done();
  };
}

const std::string& self_node(const tenant_state& st) {
  static const std::string none;
  return st.cluster ? st.cluster->self_node() : none;
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

// The node that owns the stream now: this one without a cluster; empty while no node is active.
std::string owner_of(const tenant_state& st, const std::string& stream) {
  return st.cluster ? st.cluster->owner_of(st.tenant, stream) : std::string();
}

// A proxy to the stream's owner on another node; false when there is no connection to it.
bool start_proxy(tenant_pointer self, const std::string& stream, const std::string& owner) {
  auto& st = self->state;
  auto proxy = st.cluster->spawn_proxy(self->system(), st.tenant, stream, owner, *st.defaults);
  if (!proxy) return false;
  started(self, stream, *proxy, owner);
  return true;
}

void fail_waiting_opens(tenant_state& st, const std::string& stream, caf::error error) {
  auto waiting = st.waiting.find(stream);
  if (waiting == st.waiting.end()) return;
  for (auto& promise : waiting->second) promise.deliver(error);
  st.waiting.erase(waiting);
}

void start_for_owner(tenant_pointer self, const std::string& stream);

// Starts a stream actor from what storage holds for the stream (nothing, for a new one). If storage
// cannot say, the waiting opens fail (503) and the next one tries again: starting empty would let the
// stream overwrite what it stored before. `done` runs once this load is over (or one under way is).
void load_stream(
    tenant_pointer self, const std::string& stream, std::function<void()> done = [] {}) {
  auto& st = self->state;
  if (!st.loading.insert(stream).second) return done();  // on its way already
  self->request(*storage_for(st.storage, st.tenant, stream), std::chrono::seconds(30), load_atom_v, st.tenant, stream)
      .then(
          [self, stream, done](recovered_stream& recovered) {
            auto& state = self->state;
            state.loading.erase(stream);
            if (state.streams.count(stream)) return done();  // an actor speaks for it already
            // In a cluster the stream may have moved to another node while it loaded.
            if (owner_of(state, stream) != self_node(state))
              start_for_owner(self, stream);
            else
              start_stream(self, stream, std::move(recovered));
            done();
          },
          [self, stream, done](caf::error& error) {
            auto& state = self->state;
            state.loading.erase(stream);
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
  self->request(st.storage.front(), std::chrono::seconds(30), list_atom_v)
      .then(
          [self](std::vector<storage::stored_stream>& stored) {
            std::erase_if(stored, [self](const storage::stored_stream& s) {
              return s.tenant != self->state.tenant || self->state.streams.count(s.stream) > 0;
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

// Ends a running actor whose stream's owner changed; the down message starts its replacement for the
// opens that wait meanwhile.
void retire(tenant_pointer self, const std::string& stream) {
  auto& st = self->state;
  auto running = st.streams.find(stream);
  if (running == st.streams.end() || !st.retiring.insert(stream).second) return;
  auto owner = owner_of(st, stream);
  spdlog::info("stream /{}/{}: its owner is now {}; retiring the actor here", st.tenant, stream,
               owner.empty() ? "none" : owner);
  self->send_exit(running->second, caf::exit_reason::user_shutdown);
}

// The stream's actor: the running one, else one started from storage (or, in a cluster, a proxy to the
// stream's owner); opens wait meanwhile. `gone` is an incarnation the caller found dead: if this supervisor
// has not yet heard of its end, the open waits for the successor the down message starts.
caf::result<stream_actor> open_stream(tenant_pointer self, const std::string& stream,
                                      std::optional<stream_actor> gone = std::nullopt) {
  auto& st = self->state;
  auto running = st.streams.find(stream);
  if (running != st.streams.end() && st.owners[stream] != owner_of(st, stream)) retire(self, stream);
  if (running != st.streams.end() && running->second != gone && !st.retiring.count(stream)) return running->second;
  if (running == st.streams.end() && st.storage.empty() && !st.cluster) return start_stream(self, stream);
  auto& waiting = st.waiting[stream];
  waiting.push_back(self->make_response_promise<stream_actor>());
  auto promise = waiting.back();
  if (running == st.streams.end()) start_for_owner(self, stream);
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
  auto running = st.streams.find(stream);
  if (create || (running != st.streams.end() && st.owners[stream] == self_node(st))) return open_stream(self, stream);
  if (st.storage.empty()) return caf::make_error(caf::sec::remote_lookup_failed);
  auto promise = self->make_response_promise<stream_actor>();
  self->request(*storage_for(st.storage, st.tenant, stream), std::chrono::seconds(30), load_atom_v, st.tenant, stream)
      .then(
          [self, stream, promise](recovered_stream& recovered) mutable {
            auto& state = self->state;
            if (!recovered.timeline && !recovered.state && recovered.candidates.empty()) {
              promise.deliver(caf::make_error(caf::sec::remote_lookup_failed));
              return;
            }
            auto now = state.streams.find(stream);
            if (now != state.streams.end() && state.owners[stream] == self_node(state) &&
                !state.retiring.count(stream)) {
              promise.deliver(now->second);
              return;
            }
            if (now != state.streams.end() || state.loading.count(stream)) {
              state.waiting[stream].push_back(promise);  // on its way: wait with the others
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

// A failed stream actor's successor resumes from storage; requests that found the failed one wait for
// it (open_stream with `gone`).
void restart_stream(tenant_pointer self, const std::string& stream) {
  auto& st = self->state;
  st.streams.erase(stream);
  st.owners.erase(stream);
  start_for_owner(self, stream);
}

tenant_supervisor_actor::behavior_type tenant_behavior(tenant_pointer self, tenant_setup setup,
                                                       std::shared_ptr<stream_directory> directory,
                                                       storage_pool storage,
                                                       std::shared_ptr<const stream_owners> cluster) {
  self->state.cluster = std::move(cluster);
  self->state.tenant = std::move(setup.name);
  self->state.defaults = std::move(setup.defaults);
  self->state.directory = std::move(directory);
  self->state.storage = std::move(storage);
  // In the directory before any of its streams: the directory keeps a stream only under a known tenant,
  // and this first run may come before the parent's own registration of this supervisor.
  self->state.directory->add_tenant(self->state.tenant, caf::actor_cast<tenant_supervisor_actor>(self));
  for (auto& recovered : setup.recovered) {  // at process start: every stream storage holds
    auto name = recovered.stream;
    start_stream(self, name, std::move(recovered));
  }
  if (setup.load_from_store && !self->state.storage.empty() && !self->state.cluster) start_stored_streams(self);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    auto it = st.stream_names.find(down.source);
    if (it == st.stream_names.end()) return;
    auto stream = it->second;
    st.stream_names.erase(it);
    if (st.retiring.erase(stream)) {  // its owner changed: what speaks for the stream now takes its place
      st.streams.erase(stream);
      st.owners.erase(stream);
      st.directory->erase_stream(st.tenant, stream);
      if (st.waiting.count(stream)) start_for_owner(self, stream);
      return;
    }
    if (is_orderly(down.reason) || st.owners[stream] != self_node(st)) {  // a proxy is never restarted
      st.streams.erase(stream);
      st.owners.erase(stream);
      st.directory->erase_stream(st.tenant, stream);
      // Opens that found it ending wait for no successor.
      fail_waiting_opens(st, stream, caf::make_error(caf::sec::request_receiver_down));
      return;
    }
    ++st.restarts;
    st.defaults->tenant->restarts.fetch_add(1, std::memory_order_relaxed);
    spdlog::error("stream actor /{}/{} failed ({}); restarting it (restart #{} in tenant {})", st.tenant, stream,
                  to_string(down.reason), st.restarts, st.tenant);
    restart_stream(self, stream);
  });
  self->set_exit_handler([self](caf::exit_msg& exit) {
    for (auto& [name, actor] : self->state.streams) self->send_exit(actor, exit.reason);
    self->quit(exit.reason);
  });
  return {
      counted(self,
              [=](open_atom, const std::string& stream) -> caf::result<stream_actor> {
                if (!self->state.streams.count(stream))
                  spdlog::info("stream /{}/{} opened", self->state.tenant, stream);
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
                for (const auto& [name, actor] : self->state.streams)
                  if (self->state.owners[name] != owner_of(self->state, name)) moved.push_back(name);
                for (const auto& name : moved) retire(self, name);
              }),
      counted(self,
              [=](info_atom) -> caf::result<tenant_info> {
                auto& st = self->state;
                tenant_info info{.name = st.tenant,
                                 .actor_id = self->id(),
                                 .mailbox = self->mailbox().size(),
                                 .restarts = st.restarts,
                                 .messages_handled = st.messages_handled};
                return gather_children(self, std::move(info), &tenant_info::streams, st.streams, info_timeout);
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

// -- origin supervisor ----------------------------------------------------------------------------

struct origin_state {
  static inline const char* name = "origin-supervisor";
  std::shared_ptr<stream_directory> directory;
  std::unordered_map<std::string, tenant_setup> setups;
  std::uint64_t messages_handled = 0;  // counted by actors::counted
  storage_pool storage;
  std::shared_ptr<const stream_owners> cluster;
  std::unordered_map<std::string, tenant_supervisor_actor> tenants;
  std::unordered_map<caf::actor_addr, std::string> tenant_names;
};

using origin_pointer = origin_supervisor_actor::stateful_pointer<origin_state>;

// `load_from_store`: a tenant added by a reload starts the streams storage holds for it. (At process start
// they come in its setup; a supervisor restarted after a failure finds its streams' actors still running,
// in the directory.)
tenant_supervisor_actor start_tenant(origin_pointer self, const std::string& tenant, bool load_from_store = false) {
  auto& st = self->state;
  auto setup = st.setups.at(tenant);
  setup.load_from_store = load_from_store;
  auto actor = self->system().spawn(tenant_behavior, std::move(setup), st.directory, st.storage, st.cluster);
  st.setups.at(tenant).recovered.clear();  // handed over once: a later incarnation must not reuse it
  self->monitor(actor);
  st.tenants[tenant] = actor;
  st.tenant_names[actor.address()] = tenant;
  st.directory->add_tenant(tenant, actor);  // at once, for requests that come before the tenant's first run
  return actor;
}

origin_supervisor_actor::behavior_type origin_behavior(origin_pointer self, std::vector<tenant_setup> tenants,
                                                       std::shared_ptr<stream_directory> directory,
                                                       storage_pool storage,
                                                       std::shared_ptr<const stream_owners> cluster) {
  self->state.directory = std::move(directory);
  self->state.storage = std::move(storage);
  self->state.cluster = std::move(cluster);
  for (auto& tenant : tenants) {
    auto name = tenant.name;
    self->state.setups.emplace(name, std::move(tenant));
    start_tenant(self, name);
  }
  self->set_down_handler([self](caf::down_msg& down) {
    auto& st = self->state;
    auto it = st.tenant_names.find(down.source);
    if (it == st.tenant_names.end() || is_orderly(down.reason)) return;
    auto tenant = it->second;
    st.tenant_names.erase(it);
    spdlog::error("tenant supervisor {} failed ({}); restarting it", tenant, to_string(down.reason));
    start_tenant(self, tenant);
  });
  self->set_exit_handler([self](caf::exit_msg& exit) {
    for (auto& [name, actor] : self->state.tenants) self->send_exit(actor, exit.reason);
    self->quit(exit.reason);
  });
  return {
      counted(self,
              [=](info_atom) -> caf::result<origin_info> {
                origin_info info{.actor_id = self->id(),
                                 .mailbox = self->mailbox().size(),
                                 .messages_handled = self->state.messages_handled};
                // Tenants gather their streams first, so they get twice the time.
                return gather_children(self, std::move(info), &origin_info::tenants, self->state.tenants,
                                       info_timeout * 2);
              }),
      counted(self, [=](caf::ping_atom) -> caf::pong_atom { return caf::pong_atom_v; }),
      // Answered once the tenants it adds have started their stored streams (so a GET right after a reload
      // that re-adds a tenant finds them).
      counted(self,
              [=](reload_atom, const tenant_reload& reload) -> caf::result<std::uint64_t> {
                auto& st = self->state;
                std::unordered_map<std::string, tenant_setup> wanted;
                for (const auto& setup : reload.tenants) wanted.emplace(setup.name, setup);
                for (auto it = st.tenants.begin(); it != st.tenants.end();) {
                  if (wanted.count(it->first)) {
                    ++it;
                    continue;
                  }
                  spdlog::info("tenant {} removed by a configuration reload; stopping its streams", it->first);
                  st.directory->erase_tenant(it->first);  // new requests for it are 404 at once
                  st.tenant_names.erase(it->second.address());
                  st.setups.erase(it->first);
                  self->send_exit(it->second, caf::exit_reason::user_shutdown);
                  it = st.tenants.erase(it);
                }
                std::vector<tenant_supervisor_actor> added;
                for (auto& [name, setup] : wanted) {
                  bool known = st.tenants.count(name) > 0;
                  st.setups.insert_or_assign(name, setup);
                  if (known) {
                    self->send(st.tenants.at(name), reload_atom_v, tenant_reload{{setup}});
                  } else {
                    spdlog::info("tenant {} added by a configuration reload", name);
                    added.push_back(start_tenant(self, name, true));
                  }
                }
                std::uint64_t count = st.tenants.size();
                if (added.empty()) return count;
                auto promise = self->make_response_promise<std::uint64_t>();
                auto one_ready = countdown(added.size(), [promise, count]() mutable { promise.deliver(count); });
                // Bounded below the reload caller's own wait: a slow store delays the answer, never turns it into an
                // error after the reload was applied (the streams then go on loading).
                for (const auto& tenant : added)
                  self->request(tenant, reload_recovery_wait, caf::ping_atom_v)
                      .then([one_ready](caf::pong_atom) { one_ready(); }, [one_ready](caf::error&) { one_ready(); });
                return promise;
              }),
  };
}

}  // namespace

origin_supervisor_actor spawn_origin_supervisor(caf::actor_system& system, std::vector<tenant_setup> tenants,
                                                std::shared_ptr<stream_directory> directory, storage_pool storage,
                                                std::shared_ptr<const stream_owners> cluster) {
  auto origin =
      system.spawn(origin_behavior, std::move(tenants), std::move(directory), std::move(storage), std::move(cluster));
  // An actor initializes on its first run; one round trip means every tenant is in the directory
  // before the caller opens listeners (start-up only, never on an I/O thread).
  caf::scoped_actor self{system};
  self->request(origin, std::chrono::seconds(10), caf::ping_atom_v)
      .receive([](caf::pong_atom) {},
               [&](caf::error& error) {
                 throw std::runtime_error("origin supervisor did not start: " + system.render(error));
               });
  // The tenant supervisors start the streams storage holds when they first run. Asking the whole tree
  // for its state waits for that, so no request can find a stored stream missing from the directory.
  self->request(origin, std::chrono::seconds(30), info_atom_v)
      .receive([](origin_info&) {},
               [&](caf::error& error) {
                 throw std::runtime_error("the actor tree did not start: " + system.render(error));
               });
  return origin;
}

}  // namespace live_origin::actors
