#pragma once

#include <caf/actor_system.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/messages.hpp"
#include "actors/stream_defaults.hpp"
#include "actors/stream_directory.hpp"

namespace live_origin::actors {

// Spawns the root supervisor, which spawns one tenant supervisor per tenant and registers each in the
// directory. Stream actors are spawned on demand (open_atom) by their tenant supervisor, monitored, and
// restarted when they fail; the directory always points at the current incarnation. Returns once
// every tenant supervisor is registered in the directory.
// With `storage` (not empty), stream actors write through it and a failed one resumes from it; `tenants` carry the
// streams storage held at process start, which start at once.
origin_supervisor_actor spawn_origin_supervisor(caf::actor_system& system, std::vector<tenant_setup> tenants,
                                                std::shared_ptr<stream_directory> directory,
                                                storage_pool storage = {});

}  // namespace live_origin::actors
