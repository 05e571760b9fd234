#pragma once

#include <memory>
#include <string>

#include "actors/stream_owners.hpp"
#include "cluster/cluster_view.hpp"
#include "cluster/stream_proxy.hpp"

namespace live_origin::cluster {

// What the tenant supervisors ask a cluster: which node owns a stream (the view's placement), and a
// proxy for a stream owned by another node. Handed to the actor layer at start-up, so supervisors never
// include the cluster layer.
class cluster_owners final : public actors::stream_owners {
 public:
  cluster_owners(std::shared_ptr<const cluster_view> view, proxy_settings proxy)
      : view_(std::move(view)), proxy_(std::move(proxy)) {}

  const std::string& self_node() const override { return view_->self_id(); }
  std::string owner_of(std::string_view tenant, std::string_view stream) const override {
    return view_->placement(tenant, stream).owner;
  }
  std::optional<actors::stream_actor> spawn_proxy(caf::actor_system& system, const std::string& tenant,
                                                  const std::string& stream, const std::string& owner,
                                                  const actors::stream_defaults& defaults) const override;

 private:
  std::shared_ptr<const cluster_view> view_;
  proxy_settings proxy_;
};

}  // namespace live_origin::cluster
