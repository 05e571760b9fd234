#pragma once

#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/interfaces.hpp"

namespace live_origin::actors {

// Read-mostly map from (tenant, stream) to the current actor handles. HTTP threads read it on every
// request (shared lock); supervisors write it when they spawn, restart or retire an actor.
// Not CAF's registry: that one is keyed by 10-character atoms.
class stream_directory {
 public:
  void add_tenant(const std::string& tenant, tenant_supervisor_actor supervisor);
  std::optional<tenant_supervisor_actor> tenant(std::string_view tenant) const;
  // Forgets a tenant and all its streams (removed by a configuration reload).
  void erase_tenant(std::string_view tenant);

  void set_stream(std::string_view tenant, const std::string& stream, stream_actor actor);
  void erase_stream(std::string_view tenant, std::string_view stream);
  std::optional<stream_actor> stream(std::string_view tenant, std::string_view stream) const;
  std::size_t stream_count() const;
  std::vector<tenant_supervisor_actor> tenant_supervisors() const;
  std::vector<std::pair<std::string, std::string>> streams() const;  // (tenant, stream), every one
  std::size_t stream_count(std::string_view tenant) const;

  // Drops every handle (at shutdown, before the actor system goes away).
  void clear();

 private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  using stream_map = std::unordered_map<std::string, stream_actor, string_hash, std::equal_to<>>;
  struct tenant_entry {
    tenant_supervisor_actor supervisor;
    stream_map streams;
  };

  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, tenant_entry, string_hash, std::equal_to<>> tenants_;
};

}  // namespace live_origin::actors
