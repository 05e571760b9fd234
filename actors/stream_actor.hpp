#pragma once

#include <caf/actor_system.hpp>

#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/stream_defaults.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::actors {

// Spawns the actor that owns one live stream (/{tenant}/{stream}/...): its objects, its timeline, the
// requests held for segments that have not landed yet, and uploads in flight.
// With `storage`, accepted writes are written through before they are acknowledged, and `recovered` (what
// storage held for the stream) is where it resumes.
stream_actor spawn_stream_actor(caf::actor_system& system, std::string tenant, std::string stream,
                                std::shared_ptr<const stream_defaults> defaults,
                                std::optional<storage::storage_actor> storage = std::nullopt,
                                std::optional<storage::recovered_stream> recovered = std::nullopt);

}  // namespace live_origin::actors
