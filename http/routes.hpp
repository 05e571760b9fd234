#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "actors/bridge.hpp"
#include "actors/interfaces.hpp"
#include "actors/stream_directory.hpp"
#include "cluster/cluster_actor.hpp"
#include "cluster/lease_keeper.hpp"
#include "http/message.hpp"
#include "model/auth.hpp"
#include "model/client_networks.hpp"
#include "model/quota.hpp"
#include "model/read_policy.hpp"

namespace live_origin::http {

// One tenant's ingest credentials and quotas.
struct tenant_policy {
  std::vector<model::ingest_token> tokens;  // empty: loopback publishers only
  model::tenant_quota quota;
};
using tenant_policy_map = std::map<std::string, tenant_policy, std::less<>>;

// The tenants' policies as last loaded. Ingest takes the current snapshot per request; a config reload
// swaps in a new one whole, without touching connections or streams.
class tenant_policies {
 public:
  std::shared_ptr<const tenant_policy_map> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(tenant_policy_map next) {
    auto snapshot = std::make_shared<const tenant_policy_map>(std::move(next));
    std::lock_guard lock(mutex_);
    current_ = std::move(snapshot);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const tenant_policy_map> current_ = std::make_shared<const tenant_policy_map>();
};

// The outcome of a configuration reload (SIGHUP or POST /config/reload).
struct reload_result {
  bool applied = false;
  std::string message;  // what changed, or why the new configuration was refused
};

// What the three listeners' handlers need to reach the actors. Handlers translate HTTP into typed
// messages and typed replies back into HTTP; the stream actors and model/ make the decisions.
struct route_context {
  std::shared_ptr<actors::stream_directory> directory;
  std::shared_ptr<actors::bridge_pool> bridges;
  actors::origin_supervisor_actor origin;
  std::size_t max_target_bytes = 2048;
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds max_hold{6000};              // the longest a stream may hold a GET ([live] max_hold_ms)
  model::cache_policy cache;                             // lifetimes for answers made without a stream actor
  std::shared_ptr<std::atomic<std::size_t>> held_total;  // held GETs in the process (not load)
  std::size_t shed_inflight_requests = 2000;             // delivery requests in progress above which DVR is shed
  std::vector<std::string> pipelines{"a", "b"};          // valid X-Origin-Pipeline values; the first is the default
  std::string region;                                    // X-Origin-Region on every 200
  std::shared_ptr<tenant_policies> tenants = std::make_shared<tenant_policies>();  // tokens and quotas
  std::optional<std::string> admin_token;         // unset: the admin listener serves loopback peers only
  bool fault_injection = false;                   // POST /streams/{t}/{s}/crash is allowed
  std::vector<model::ip_network> delivery_allow;  // empty: any client may GET
  std::function<bool()> accepting;                // false while starting up or draining (readiness)
  bool clustered = false;  // streams may live on other nodes: one missing here is opened, not refused
  std::optional<cluster::cluster_actor> cluster;       // this node's cluster actor (GET /cluster)
  std::shared_ptr<const cluster::lease_keeper> lease;  // this node's etcd lease (GET /cluster); null: none
  std::function<std::string()> metrics;                // Prometheus text for /metrics
  // Re-reads the configuration file and applies its tenants (POST /config/reload); answers via the callback.
  std::function<void(std::function<void(reload_result)>)> reload;
};

// Packagers: PUT/POST store, DELETE schedules expiry.
std::shared_ptr<handler> make_ingest_handler(route_context context);
// CDN nodes: GET/HEAD.
std::shared_ptr<handler> make_delivery_handler(route_context context);
// Operators: /healthz, /readyz, /actors, /metrics, /streams/{tenant}/{stream}.
std::shared_ptr<handler> make_admin_handler(route_context context);

}  // namespace live_origin::http
