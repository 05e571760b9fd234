#include "actors/cluster_view.hpp"

#include <algorithm>
#include <mutex>

namespace live_origin::actors {

namespace {

std::vector<std::string> node_ids(const std::vector<cluster_view::member>& members, bool with_joining) {
  std::vector<std::string> ids;
  for (const auto& m : members)
    if (with_joining || m.record.state == static_cast<std::uint8_t>(node_state::active)) ids.push_back(m.record.id);
  return ids;
}

}  // namespace

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

model::placement cluster_view::placement_of(const std::vector<member>& members, int copies, std::string_view tenant,
                                            std::string_view stream) {
  return model::place_stream(node_ids(members, false), tenant, stream, copies);
}

model::placement cluster_view::placement(std::string_view tenant, std::string_view stream) const {
  std::shared_lock lock(mutex_);
  return placement_of(members_, copies_, tenant, stream);
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

std::vector<std::string> cluster_view::copy_targets_of(const std::vector<member>& members, const std::string& self,
                                                       int copies, std::string_view tenant, std::string_view stream) {
  std::vector<std::string> targets;
  for (bool with_joining : {false, true}) {
    auto placed = model::place_stream(node_ids(members, with_joining), tenant, stream, copies);
    for (const auto* node : {&placed.owner, &placed.replica})
      if (!node->empty() && *node != self && std::find(targets.begin(), targets.end(), *node) == targets.end())
        targets.push_back(*node);
  }
  return targets;
}

std::vector<std::string> cluster_view::copy_targets(std::string_view tenant, std::string_view stream) const {
  std::shared_lock lock(mutex_);
  return copy_targets_of(members_, self_id_, copies_, tenant, stream);
}

}  // namespace live_origin::actors
