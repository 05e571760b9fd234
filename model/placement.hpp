#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace live_origin::model {

// Where a stream lives in a cluster: the node whose stream actor decides, and the node that holds a copy
// of everything it acknowledged (empty with one node, or with one replica configured).
struct placement {
  std::string owner;
  std::string replica;
  friend bool operator==(const placement&, const placement&) = default;
};

// Rendezvous (highest random weight) hashing: every node scores every stream; the highest score owns it,
// the next one holds its replica. Losing a node moves only the streams it owned or replicated (its
// replica, scored next, becomes the owner); a new node takes only the streams it now scores first or
// second for. The score is a fixed function of the names, so every node computes the same placement.
std::uint64_t placement_score(std::string_view node, std::string_view tenant, std::string_view stream);

// `nodes`: the live set (any order; duplicates ignored). `copies`: 1 (owner only) or 2 (owner and replica).
placement place_stream(const std::vector<std::string>& nodes, std::string_view tenant, std::string_view stream,
                       int copies);

// A cluster member as placement sees it. A joining node owns nothing until the copies it is to hold have
// caught up, but it receives copies from the moment it is being caught up.
struct member {
  std::string id;
  bool active = false;
};

// The placement among the active members.
placement place_among(const std::vector<member>& members, std::string_view tenant, std::string_view stream, int copies);

// The other nodes that must hold a copy of what node `self` writes for the stream: its owner and replica
// among the active members, and among the active and joining ones (so a joining node's copy stays current
// from the moment it is being caught up). Without `self`, in that order, without duplicates.
std::vector<std::string> copy_targets(const std::vector<member>& members, std::string_view self,
                                      std::string_view tenant, std::string_view stream, int copies);

}  // namespace live_origin::model
