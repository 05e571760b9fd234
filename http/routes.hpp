#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include <atomic>
#include <map>
#include <optional>

#include "actors/bridge.hpp"
#include "actors/messages.hpp"
#include "actors/stream_directory.hpp"
#include "http/message.hpp"
#include "model/auth.hpp"
#include "model/client_networks.hpp"
#include "model/quota.hpp"
#include "model/read_policy.hpp"

namespace live_origin::http {

// What the three listeners' handlers need to reach the actors. Handlers translate HTTP into typed
// messages and typed replies back into HTTP; the stream actors and model/ make the decisions.
struct route_context {
  std::shared_ptr<actors::stream_directory> directory;
  std::shared_ptr<actors::bridge_pool> bridges;
  actors::origin_supervisor_actor origin;
  std::size_t max_target_bytes = 2048;
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds max_hold{6000};          // the longest a stream may hold a GET ([live] max_hold_ms)
  model::cache_policy cache;                         // lifetimes for answers made without a stream actor
  std::shared_ptr<std::atomic<std::size_t>> held_total;  // held GETs in the process (not load)
  std::size_t shed_inflight_requests = 2000;         // delivery requests in progress above which DVR is shed
  std::vector<std::string> pipelines{"a", "b"};      // valid X-Origin-Pipeline values; the first is the default
  std::string region;                                // X-Origin-Region on every 200
  std::map<std::string, std::vector<model::ingest_token>, std::less<>> tenant_tokens;  // ingest credentials
  std::optional<std::string> admin_token;            // unset: the admin listener serves loopback peers only
  bool fault_injection = false;                      // POST /streams/{t}/{s}/crash is allowed
  std::vector<model::ip_network> delivery_allow;     // empty: any client may GET
  std::map<std::string, model::tenant_quota, std::less<>> tenant_quotas;
  std::function<bool()> accepting;          // false while starting up or draining (readiness)
  std::function<std::string()> metrics;     // Prometheus text for /metrics
};

// Packagers: PUT/POST store, DELETE schedules expiry.
std::shared_ptr<handler> make_ingest_handler(route_context context);
// CDN nodes: GET/HEAD.
std::shared_ptr<handler> make_delivery_handler(route_context context);
// Operators: /healthz, /readyz, /actors, /metrics, /streams/{tenant}/{stream}.
std::shared_ptr<handler> make_admin_handler(route_context context);

}  // namespace live_origin::http
