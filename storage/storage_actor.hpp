#pragma once

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/clock.hpp"
#include "storage/messages.hpp"
#include "storage/object_store.hpp"
#include "storage/type_ids.hpp"

namespace live_origin::storage {

using caf::get_atom;
using caf::get_atom_v;

// Durable storage, on its own thread (a detached actor): disk I/O never runs on the CAF scheduler or Asio.
using storage_actor =
    caf::typed_actor<caf::replies_to<store_atom, stored_candidate>::with<bool>,  // write-through: true once durable
                     caf::replies_to<store_atom, std::string, std::string>::with<bool>,  // a small record (key, value);
                                                                                         // true once durable
                     caf::replies_to<served_atom, std::string, std::string>::with<bool>,  // served marker (key,
                                                                                          // pipeline): durable
                     caf::reacts_to<erase_atom, std::vector<std::string>>,  // records that left the DVR window
                     // key, digest: empty if no intact copy; an error if it cannot be read now
                     caf::replies_to<get_atom, std::string, std::uint64_t>::with<object_body>,
                     caf::replies_to<load_atom, std::string, std::string>::with<recovered_stream>,  // tenant, stream
                     // Cluster: records from a stream's owner (true once applied); everything held for a stream sent to
                     // a node (tenant, stream, node id; true once it has applied all); the streams the store holds.
                     caf::replies_to<apply_atom, record_batch>::with<bool>,
                     caf::replies_to<sync_atom, std::string, std::string, std::string>::with<bool>,
                     caf::replies_to<list_atom>::with<std::vector<stored_stream>>>;

// Storage actors share one store. A stream always uses the same one, so its writes reach the store in order.
using storage_pool = std::vector<storage_actor>;
inline std::optional<storage_actor> storage_for(const storage_pool& pool, std::string_view tenant,
                                                std::string_view stream) {
  if (pool.empty()) return std::nullopt;
  auto hash = std::hash<std::string_view>{}(tenant)*31 + std::hash<std::string_view>{}(stream);
  return pool[hash % pool.size()];
}

// What a storage actor sends to another node: records to apply, in the order the stream's owner wrote them.
// The cluster layer's actor answers it.
using replica_actor = caf::typed_actor<caf::replies_to<replicate_atom, record_batch>::with<bool>>;

// Which nodes keep copies of a stream's writes, and how to reach them. The cluster layer implements it; a
// node of its own has none.
class replica_directory {
 public:
  virtual ~replica_directory() = default;
  // The other nodes that must hold a copy of what this node writes for the stream.
  virtual std::vector<std::string> copy_targets(std::string_view tenant, std::string_view stream) const = 0;
  // The node's receiving end; none while this node has no connection to it.
  virtual std::optional<replica_actor> replica(std::string_view node) const = 0;
};

// In a cluster: where copies of what a storage actor writes go, in pieces of at most `chunk_bytes`, and
// how long a copy may take to be acknowledged.
struct replication_settings {
  std::shared_ptr<const replica_directory> replicas;  // null: a cluster of one
  std::size_t chunk_bytes = 1 << 20;
  std::chrono::milliseconds timeout{5000};
};

// Spawns the storage actor, detached (its own thread), owning `store`: stream actors write through it
// and a restarted stream actor reloads from it. In a cluster, a write is acknowledged once the nodes that
// keep copies of its stream (replica_directory::copy_targets) have applied it too. `clock` decides when a
// write's deadline has passed.
storage_actor spawn_storage_actor(caf::actor_system& system, std::shared_ptr<object_store> store,
                                  replication_settings replication = {},
                                  std::shared_ptr<const model::wall_clock> clock = model::system_wall_clock());

// Everything `store` holds, one entry per stream, for the process start (before any actor runs). Throws
// std::runtime_error when the store cannot be read to the end.
std::vector<recovered_stream> recover_streams(object_store& store);

// Registers the storage layer's message types (and the storage actor's handle) with an actor system.
void register_message_types(caf::actor_system_config& config);

}  // namespace live_origin::storage
