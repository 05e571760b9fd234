#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "actors/bridge.hpp"
#include "actors/messages.hpp"
#include "actors/stream_directory.hpp"
#include "http/message.hpp"

namespace live_origin::http {

// What the three listeners' handlers need to reach the actors. Handlers translate HTTP into typed
// messages and typed replies back into HTTP; the stream actors and model/ make the decisions.
struct route_context {
  std::shared_ptr<actors::stream_directory> directory;
  std::shared_ptr<actors::bridge_pool> bridges;
  actors::origin_supervisor_actor origin;
  std::size_t max_target_bytes = 2048;
  std::chrono::milliseconds request_timeout{5000};
  std::function<bool()> accepting;          // false while starting up or draining (readiness)
  std::function<std::string()> metrics;     // Prometheus text for /metrics
};

// Packagers: PUT/POST store, DELETE schedules expiry.
std::shared_ptr<handler> make_ingest_handler(route_context context);
// CDN nodes: GET/HEAD.
std::shared_ptr<handler> make_delivery_handler(route_context context);
// Operators: /healthz, /readyz, /actors, /metrics.
std::shared_ptr<handler> make_admin_handler(route_context context);

}  // namespace live_origin::http
