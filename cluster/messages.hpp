#pragma once

// What the nodes of a cluster send each other and what GET /cluster shows: the payloads and their
// serialization. Type IDs: cluster/type_ids.hpp; the cluster actor's interface: cluster/cluster_actor.hpp.

#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "actors/stream_messages.hpp"

namespace live_origin::cluster {

// A node as its peers know it. A joining node owns nothing until the copies it is to hold have caught up.
enum class node_state : std::uint8_t { joining = 0, active = 1 };

struct node_record {
  std::string id;
  std::string host;  // where its cluster actor is published (BASP)
  std::uint16_t port = 0;
  node_state state = node_state::joining;
  std::string delivery;  // its listeners, HOST:PORT, for operators (GET /cluster)
  std::string ingest;
  std::string admin;
  friend bool operator==(const node_record&, const node_record&) = default;
};

// HOST:PORT of a node's cluster actor, as logs, GET /cluster and the cluster actor's bookkeeping name it.
std::string cluster_address(const std::string& host, std::uint16_t port);

// A GET answered by the stream's owner for another node. The body rides along only when it is at most
// one chunk; a larger one waits in the owner's outbox as `transfer` and is fetched in pieces. `cached`:
// the bytes are those the asking node said it has (no bytes sent).
struct remote_read {
  actors::read_reply reply;
  std::uint64_t transfer = 0;
  std::uint64_t size = 0;
  bool cached = false;
  bool unknown_stream = false;  // no node has the stream: the asking node need not keep a proxy for it
};

// A node and its cluster actor as /cluster and /actors show them.
struct cluster_member {
  node_record record;
  std::uint64_t actor_id = 0;
  bool self = false;
};

// Where one stream lives.
struct stream_placement {
  std::string tenant;
  std::string stream;
  std::string owner;
  std::string replica;
};

struct cluster_info {
  std::string self;
  std::uint64_t version = 0;  // bumped by every change of the live set
  std::vector<cluster_member> members;
  std::vector<stream_placement> streams;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, node_record& x) {
  return f(caf::meta::type_name("node_record"), x.id, x.host, x.port, x.state, x.delivery, x.ingest, x.admin);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, remote_read& x) {
  return f(caf::meta::type_name("remote_read"), x.reply, x.transfer, x.size, x.cached, x.unknown_stream);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_member& x) {
  return f(caf::meta::type_name("cluster_member"), x.record, x.actor_id, x.self);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_placement& x) {
  return f(caf::meta::type_name("stream_placement"), x.tenant, x.stream, x.owner, x.replica);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cluster_info& x) {
  return f(caf::meta::type_name("cluster_info"), x.self, x.version, x.members, x.streams);
}

}  // namespace live_origin::cluster
