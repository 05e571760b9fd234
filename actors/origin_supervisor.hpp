#pragma once

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/stream_defaults.hpp"
#include "actors/stream_directory.hpp"
#include "actors/stream_owners.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::actors {

// A reload is answered once the tenants it adds have started their stored streams, or after this long
// (they go on loading); whoever asks for a reload waits longer than this.
inline constexpr std::chrono::milliseconds reload_recovery_wait{5000};

// Spawns the root supervisor, which spawns one tenant supervisor per tenant (actors/tenant_supervisor.hpp),
// registers each in the directory and restarts a failed one. Stream actors are spawned on demand (open_atom)
// by their tenant supervisor, monitored, and restarted when they fail; the directory always points at the
// current incarnation. Returns once every tenant supervisor is registered in the directory and the streams
// storage held at process start (carried by `tenants`) have started. With `storage` (not empty), stream
// actors write through it and a failed one resumes from it. With `owners` (a cluster), a stream owned by
// another node is opened as a proxy to its owner, and a placement message retires every actor whose
// stream's owner changed; without, this node owns every stream.
origin_supervisor_actor spawn_origin_supervisor(caf::actor_system& system, std::vector<tenant_setup> tenants,
                                                std::shared_ptr<stream_directory> directory,
                                                storage::storage_pool storage = {},
                                                std::shared_ptr<const stream_owners> owners = nullptr);

}  // namespace live_origin::actors
