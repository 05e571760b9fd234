#pragma once

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/interfaces.hpp"
#include "actors/stream_directory.hpp"
#include "cluster/messages.hpp"
#include "cluster/type_ids.hpp"
#include "model/read_policy.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::cluster {

using actors::info_atom;
using actors::info_atom_v;
using caf::get_atom;
using caf::get_atom_v;
using caf::open_atom;
using caf::open_atom_v;
using caf::put_atom;
using caf::put_atom_v;
using storage::replicate_atom;
using storage::replicate_atom_v;

// One per node in a cluster: membership, and the far end of every request another node makes for a
// stream this node owns or keeps a copy of. Published with io::publish; peers reach it with remote_actor.
using cluster_actor = caf::typed_actor<
    // A node introduces itself; the answer is every member this node knows (itself included).
    caf::replies_to<hello_atom, node_record>::with<std::vector<node_record>>,
    caf::reacts_to<member_atom, node_record>,  // a member's state changed (it became active)
    caf::reacts_to<synced_atom, std::string>,  // an active node has sent this (joining) node its copies
    caf::reacts_to<tick_atom>,                 // reconnect to seeds and lost peers (sent to itself)
    // tenant, stream, create
    caf::replies_to<open_atom, std::string, std::string, bool>::with<actors::stream_actor>,
    // A forwarded PUT's body, in pieces (transfer id, total size, piece), then the PUT naming the transfer.
    caf::replies_to<chunk_atom, std::uint64_t, std::uint64_t, storage::object_body>::with<bool>,
    caf::replies_to<put_atom, std::string, std::string, actors::object_write, std::uint64_t>::with<actors::write_reply>,
    // A forwarded GET (tenant, stream, read, digest of the bytes the asking node has cached or 0).
    caf::replies_to<get_atom, std::string, std::string, actors::object_read, std::uint64_t>::with<remote_read>,
    caf::replies_to<fetch_atom, std::uint64_t, std::uint64_t>::with<storage::object_body>,  // transfer, offset
    caf::replies_to<replicate_atom, storage::record_batch>::with<bool>,                     // a storage::replica_actor
    caf::replies_to<info_atom>::with<cluster_info>>;

class cluster_view;

struct cluster_options {
  node_record self;                                          // state: joining
  std::vector<std::pair<std::string, std::uint16_t>> seeds;  // host, CAF port
  std::size_t chunk_bytes = 1 << 20;
  std::size_t max_body_bytes = 64 << 20;               // a forwarded PUT is refused past this
  std::size_t max_transfers = 64;                      // bodies being assembled or waiting to be fetched, each way
  std::chrono::milliseconds tick{500};                 // reconnect attempts and housekeeping
  std::chrono::milliseconds connection_timeout{2000};  // how long peers wait for this node before dropping it
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds join_timeout{3000};
  std::chrono::milliseconds max_hold{6000};  // the longest a stream holds a GET
  model::cache_policy cache;
};

// Spawns this node's cluster actor (see cluster_actor above). It keeps `view` current: it
// connects to the seeds and to every member they name, watches each peer (CAF heartbeats and connection
// timeouts end the connection; a lost peer's streams move), and re-connects while a member is down. A node
// starts joining: once every active peer has sent it the copies it is to keep (and the seeds were tried),
// it becomes active and takes its share of streams. After every change it retires the stream actors and
// proxies whose owner changed (through the tenant supervisors) and sends the streams it owns to nodes
// that are new to keeping copies of them. The caller publishes it (io::publish) and sends it a first tick.
cluster_actor spawn_cluster_actor(caf::actor_system& system, cluster_options options,
                                  std::shared_ptr<cluster_view> view,
                                  std::shared_ptr<actors::stream_directory> directory, storage::storage_pool storage);

// Registers the cluster layer's message types (and the cluster actor's handle) with an actor system.
void register_message_types(caf::actor_system_config& config);

}  // namespace live_origin::cluster
