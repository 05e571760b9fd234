#pragma once

#include <caf/actor_system.hpp>

#include <string>

#include "actors/messages.hpp"

namespace live_origin::actors {

// Spawns the actor that owns one live stream's objects (/{tenant}/{stream}/...).
stream_actor spawn_stream_actor(caf::actor_system& system, std::string tenant, std::string stream);

}  // namespace live_origin::actors
