#pragma once

#include <caf/actor_system.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/cluster_view.hpp"
#include "actors/messages.hpp"
#include "actors/stream_directory.hpp"
#include "model/read_policy.hpp"

namespace live_origin::actors {

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

// Spawns this node's cluster actor (see cluster_actor in messages.hpp). It keeps `view` current: it
// connects to the seeds and to every member they name, watches each peer (CAF heartbeats and connection
// timeouts end the connection; a lost peer's streams move), and re-connects while a member is down. A node
// starts joining: once every active peer has sent it the copies it is to keep (and the seeds were tried),
// it becomes active and takes its share of streams. After every change it retires the stream actors and
// proxies whose owner changed (through the tenant supervisors) and sends the streams it owns to nodes
// that are new to keeping copies of them. The caller publishes it (io::publish) and sends it a first tick.
cluster_actor spawn_cluster_actor(caf::actor_system& system, cluster_options options,
                                  std::shared_ptr<cluster_view> view, std::shared_ptr<stream_directory> directory,
                                  storage_pool storage);

}  // namespace live_origin::actors
