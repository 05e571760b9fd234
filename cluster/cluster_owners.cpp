#include "cluster/cluster_owners.hpp"

namespace live_origin::cluster {

std::optional<actors::stream_actor> cluster_owners::spawn_proxy(caf::actor_system& system, const std::string& tenant,
                                                                const std::string& stream, const std::string& owner,
                                                                const actors::stream_defaults& defaults) const {
  auto owner_actor = view_->actor_of(owner);
  if (!owner_actor || !*owner_actor) return std::nullopt;
  auto settings = proxy_;
  settings.cache = defaults.cache;
  // A held GET waits at the owner for as long as the tenant's streams hold one.
  settings.hold_timeout = std::chrono::milliseconds(defaults.profile.policy.max_hold_ms) + settings.request_timeout;
  return spawn_stream_proxy(system, tenant, stream, owner, *owner_actor, settings);
}

}  // namespace live_origin::cluster
