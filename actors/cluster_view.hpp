#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "actors/messages.hpp"
#include "model/placement.hpp"

namespace live_origin::actors {

// This node's view of the cluster: the members it is connected to (and itself), and the placement that
// follows from them. The cluster actor writes it; supervisors, storage actors and proxies read it (any
// thread). Placement counts active members only: a joining node owns nothing until its copies caught up.
class cluster_view {
 public:
  struct member {
    node_record record;
    std::optional<cluster_actor> actor;  // none for this node itself
  };

  cluster_view(node_record self, int copies);

  const std::string& self_id() const { return self_id_; }
  int copies() const { return copies_; }

  // Replaces the members (this node's own record included) and bumps the version.
  void replace(std::vector<member> members);
  std::vector<member> members() const;
  std::uint64_t version() const;

  model::placement placement(std::string_view tenant, std::string_view stream) const;
  bool owns(std::string_view tenant, std::string_view stream) const;
  std::optional<cluster_actor> actor_of(std::string_view node) const;
  // The other nodes that must hold a copy of what this node writes for the stream: its owner and replica
  // among the active members, and among active and joining ones (so a joining node's copy stays current
  // from the moment it is being caught up).
  std::vector<std::string> copy_targets(std::string_view tenant, std::string_view stream) const;
  // The same, for the live set of another version: what `previous` said (for moves after a change).
  static std::vector<std::string> copy_targets_of(const std::vector<member>& members, const std::string& self,
                                                  int copies, std::string_view tenant, std::string_view stream);
  static model::placement placement_of(const std::vector<member>& members, int copies, std::string_view tenant,
                                       std::string_view stream);

 private:
  std::string self_id_;
  int copies_;
  mutable std::shared_mutex mutex_;
  std::vector<member> members_;
  std::uint64_t version_ = 0;
};

}  // namespace live_origin::actors
