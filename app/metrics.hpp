#pragma once

#include <span>
#include <string>
#include <vector>

#include "actors/stream_defaults.hpp"
#include "actors/supervisor_messages.hpp"
#include "cluster/stream_proxy.hpp"
#include "http/listener_metrics.hpp"

namespace live_origin::app {

// Where /metrics reads its values: the counters each part of the origin keeps.
struct metric_sources {
  std::span<const http::listener_metrics* const> listeners;
  const http::listener_metrics& delivery;  // its refusals give the shed counts
  std::size_t streams = 0;
  std::size_t held_requests = 0;
  const actors::stream_defaults::hold_outcomes& hold_ends;
  std::uint64_t hot_bytes = 0;
  const cluster::proxy_cache_totals& proxy_cache;
  const std::vector<actors::tenant_setup>& tenants;  // read under the caller's lock
};

// The Prometheus text for /metrics: every family of model::metric_families, in that order.
std::string render_metrics(const metric_sources& sources);

}  // namespace live_origin::app
