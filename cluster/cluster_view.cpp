#include "cluster/cluster_view.hpp"

#include <mutex>

namespace live_origin::cluster {

cluster_view::cluster_view(node_record self, int copies) : self_id_(self.id), copies_(copies) {
  members_.push_back({std::move(self), std::nullopt});
}

void cluster_view::replace(std::vector<member> members) {
  std::unique_lock lock(mutex_);
  members_ = std::move(members);
  ++version_;
}

std::vector<cluster_view::member> cluster_view::members() const {
  std::shared_lock lock(mutex_);
  return members_;
}

std::uint64_t cluster_view::version() const {
  std::shared_lock lock(mutex_);
  return version_;
}

std::vector<model::member> cluster_view::placement_members(const std::vector<member>& members) {
  std::vector<model::member> out;
  out.reserve(members.size());
  for (const auto& m : members) out.push_back({m.record.id, m.record.state == node_state::active});
  return out;
}

model::placement cluster_view::placement(std::string_view tenant, std::string_view stream) const {
  std::shared_lock lock(mutex_);
  return model::place_among(placement_members(members_), tenant, stream, copies_);
}

bool cluster_view::owns(std::string_view tenant, std::string_view stream) const {
  return placement(tenant, stream).owner == self_id_;
}

std::optional<cluster_actor> cluster_view::actor_of(std::string_view node) const {
  std::shared_lock lock(mutex_);
  for (const auto& m : members_)
    if (m.record.id == node) return m.actor;
  return std::nullopt;
}

std::vector<std::string> cluster_view::copy_targets(std::string_view tenant, std::string_view stream) const {
  std::shared_lock lock(mutex_);
  return model::copy_targets(placement_members(members_), self_id_, tenant, stream, copies_);
}

std::optional<storage::replica_actor> cluster_view::replica(std::string_view node) const {
  auto actor = actor_of(node);
  if (!actor) return std::nullopt;
  return storage::replica_actor{*actor};
}

}  // namespace live_origin::cluster
