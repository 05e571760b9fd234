#pragma once

#include <caf/actor_system.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors/interfaces.hpp"
#include "cluster/cluster_actor.hpp"
#include "model/quota.hpp"
#include "model/read_policy.hpp"

namespace live_origin::cluster {

// Shared by every proxy of a process: the bound on the bodies they cache together, and what /metrics shows.
struct proxy_cache_totals {
  explicit proxy_cache_totals(std::uint64_t limit = 0) : bytes(limit) {}
  model::byte_budget bytes;             // cached now; limit: [cluster] cache_bytes_total (0: none)
  std::atomic<std::size_t> caching{0};  // proxies holding at least one body: each may keep an equal share
  std::atomic<std::uint64_t> hits{0};   // GETs answered with cached bytes (the owner sent none)
};

struct proxy_settings {
  std::size_t chunk_bytes = 1 << 20;    // largest body piece in one message
  std::size_t cache_bytes = 256 << 20;  // bodies kept here for GETs of this stream
  std::shared_ptr<proxy_cache_totals> cache_totals = std::make_shared<proxy_cache_totals>();
  std::chrono::milliseconds request_timeout{5000};
  std::chrono::milliseconds hold_timeout{11000};  // a GET: the longest hold plus request_timeout
  std::chrono::milliseconds idle_end{60000};      // without requests this long, the proxy and its cache end
  std::uint64_t token_tag = 0;  // mixed into read tokens, so holds from different nodes never share one
  model::cache_policy cache;    // lifetimes of the answers made here (owner gone)
};

// A stream owned by another node, as this node's HTTP side sees it: the stream actor interface, each
// message forwarded to the owner. Small messages go to the owner's stream actor (a remote typed actor);
// PUTs larger than a chunk and every GET go through the owner's cluster actor, so no body crosses in
// one message larger than a chunk. GET bodies are cached here for the segment's lifetime (until the
// owner answers anything but 200 for it, or the stream's bound or its equal share of the process's evicts
// it; the oldest go first; a proxy without requests for `idle_end` ends with its cache), and the owner
// sends no bytes
// when this node has them. When the owner's node goes down, every request in flight gets a 503 with a
// short max-age and the proxy ends; its tenant supervisor opens the stream at its new owner.
actors::stream_actor spawn_stream_proxy(caf::actor_system& system, std::string tenant, std::string stream,
                                        std::string owner, cluster_actor owner_actor, proxy_settings settings);

}  // namespace live_origin::cluster
