#pragma once

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "actors/cluster_view.hpp"
#include "actors/messages.hpp"
#include "actors/object_store.hpp"

namespace live_origin::actors {

// In a cluster: where copies of what a storage actor writes go, in pieces of at most `chunk_bytes`, and
// how long a copy may take to be acknowledged.
struct storage_replication {
  std::shared_ptr<const cluster_view> view;  // null: a cluster of one
  std::size_t chunk_bytes = 1 << 20;
  std::chrono::milliseconds timeout{5000};
};

// Spawns the storage actor, detached (its own thread), owning `store`: stream actors write through it
// and a restarted stream actor reloads from it. In a cluster, a write is acknowledged once the nodes that
// keep copies of its stream (cluster_view::copy_targets) have applied it too.
storage_actor spawn_storage_actor(caf::actor_system& system, std::shared_ptr<object_store> store,
                                  storage_replication replication = {});

// Everything `store` holds, one entry per stream, for the process start (before any actor runs). Throws
// std::runtime_error when the store cannot be read to the end.
std::vector<recovered_stream> recover_streams(object_store& store);

}  // namespace live_origin::actors
