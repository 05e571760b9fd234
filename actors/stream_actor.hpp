#pragma once

#include <caf/actor_system.hpp>

#include <memory>
#include <string>

#include "actors/messages.hpp"
#include "actors/stream_defaults.hpp"

namespace live_origin::actors {

// Spawns the actor that owns one live stream (/{tenant}/{stream}/...): its objects, its timeline, the
// requests held for segments that have not landed yet, and uploads in flight.
stream_actor spawn_stream_actor(caf::actor_system& system, std::string tenant, std::string stream,
                                std::shared_ptr<const stream_defaults> defaults);

}  // namespace live_origin::actors
