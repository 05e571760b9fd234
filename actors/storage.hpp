#pragma once

#include <caf/actor_system.hpp>

#include <memory>
#include <vector>

#include "actors/messages.hpp"
#include "actors/object_store.hpp"

namespace live_origin::actors {

// Spawns the storage actor, detached (its own thread), owning `store`: stream actors write through it
// and a restarted stream actor reloads from it.
storage_actor spawn_storage_actor(caf::actor_system& system, std::shared_ptr<object_store> store);

// Everything `store` holds, one entry per stream, for the process start (before any actor runs).
std::vector<recovered_stream> recover_streams(object_store& store);

}  // namespace live_origin::actors
