#include "actors/origin_supervisor.hpp"

#include <spdlog/spdlog.h>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/counted.hpp"
#include "actors/fan_in.hpp"
#include "actors/tenant_supervisor.hpp"

namespace live_origin::actors {
namespace {

using storage::storage_pool;

// An actor system that cannot run one round trip in this long at start-up is not going to serve.
constexpr std::chrono::seconds start_timeout{10};

bool is_orderly(const caf::error& reason) {
  return reason == caf::exit_reason::normal || reason == caf::exit_reason::user_shutdown;
}

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
  auto actor = spawn_tenant_supervisor(self->system(), std::move(setup), st.directory, st.storage, st.cluster);
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
  self->request(origin, start_timeout, caf::ping_atom_v)
      .receive([](caf::pong_atom) {},
               [&](caf::error& error) {
                 throw std::runtime_error("origin supervisor did not start: " + system.render(error));
               });
  // The tenant supervisors start the streams storage holds when they first run. Asking the whole tree
  // for its state waits for that, so no request can find a stored stream missing from the directory.
  self->request(origin, storage_scan_timeout, info_atom_v)
      .receive([](origin_info&) {},
               [&](caf::error& error) {
                 throw std::runtime_error("the actor tree did not start: " + system.render(error));
               });
  return origin;
}

}  // namespace live_origin::actors
