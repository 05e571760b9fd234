#pragma once

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/cluster_view.hpp"
#include "actors/messages.hpp"
#include "actors/stream_defaults.hpp"
#include "actors/stream_directory.hpp"
#include "actors/stream_proxy.hpp"

namespace live_origin::actors {

// Spawns the root supervisor, which spawns one tenant supervisor per tenant and registers each in the
// directory. Stream actors are spawned on demand (open_atom) by their tenant supervisor, monitored, and
// restarted when they fail; the directory always points at the current incarnation. Returns once
// every tenant supervisor is registered in the directory.
// With `storage` (not empty), stream actors write through it and a failed one resumes from it; `tenants` carry the
// streams storage held at process start, which start at once.
// In a cluster: the view that says which node owns a stream, and how proxies to other owners behave.
struct cluster_setup {
  std::shared_ptr<const cluster_view> view;  // null: a cluster of one
  proxy_settings proxy;
};

// A reload is answered once the tenants it adds have started their stored streams, or after this long
// (they go on loading); whoever asks for a reload waits longer than this.
inline constexpr std::chrono::milliseconds reload_recovery_wait{5000};

// With `cluster.view`, a stream owned by another node is opened as a proxy to its owner, and a
// placement message retires every actor whose stream's owner changed.
origin_supervisor_actor spawn_origin_supervisor(caf::actor_system& system, std::vector<tenant_setup> tenants,
                                                std::shared_ptr<stream_directory> directory, storage_pool storage = {},
                                                cluster_setup cluster = {});

}  // namespace live_origin::actors
