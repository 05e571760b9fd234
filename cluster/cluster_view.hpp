#pragma once

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster_actor.hpp"
#include "model/placement.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::cluster {

// This node's view of the cluster: the members it is connected to (and itself), and the placement that
// follows from them (model/placement.hpp has the rules). The cluster actor writes it; supervisors, storage
// actors and proxies read it (any thread). Placement counts active members only: a joining node owns
// nothing until its copies caught up. Storage actors reach the nodes that keep copies through it.
class cluster_view final : public storage::replica_directory {
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

  // storage::replica_directory: the other nodes that must hold a copy of what this node writes for the
  // stream (model::copy_targets), and their cluster actors.
  std::vector<std::string> copy_targets(std::string_view tenant, std::string_view stream) const override;
  std::optional<storage::replica_actor> replica(std::string_view node) const override;

  // The same rules for the members of another version (for moves after a change).
  static std::vector<model::member> placement_members(const std::vector<member>& members);

 private:
  std::string self_id_;
  int copies_;
  mutable std::shared_mutex mutex_;
  std::vector<member> members_;
  std::uint64_t version_ = 0;
};

}  // namespace live_origin::cluster
