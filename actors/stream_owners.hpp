#pragma once

#include <caf/actor_system.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "actors/interfaces.hpp"
#include "actors/stream_defaults.hpp"

namespace live_origin::actors {

// Which node owns each stream, for the tenant supervisors: a stream this node owns gets a stream actor,
// one owned elsewhere a local proxy that forwards to its owner. The cluster layer implements it and hands
// it in at start-up; a node of its own has none (it owns every stream).
class stream_owners {
 public:
  virtual ~stream_owners() = default;
  // This node's id.
  virtual const std::string& self_node() const = 0;
  // The node that owns the stream now; empty while no node is active.
  virtual std::string owner_of(std::string_view tenant, std::string_view stream) const = 0;
  // A local actor that forwards the stream's messages to `owner`; none when this node has no connection to
  // it. `defaults`: the tenant's (cache lifetimes, the longest hold).
  virtual std::optional<stream_actor> spawn_proxy(caf::actor_system& system, const std::string& tenant,
                                                  const std::string& stream, const std::string& owner,
                                                  const stream_defaults& defaults) const = 0;
};

}  // namespace live_origin::actors
