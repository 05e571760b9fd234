#include "model/placement.hpp"

#include <algorithm>
#include <utility>

namespace live_origin::model {

namespace {

// FNV-1a over the names with a separator no name contains, then a 64-bit finalizer (splitmix64) so that
// names differing in one character still score independently.
std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t placement_score(std::string_view node, std::string_view tenant, std::string_view stream) {
  auto hash = fnv1a(0xcbf29ce484222325ull, node);
  hash = fnv1a(hash, "\x1f");
  hash = fnv1a(hash, tenant);
  hash = fnv1a(hash, "\x1f");
  return mix(fnv1a(hash, stream));
}

placement place_stream(const std::vector<std::string>& nodes, std::string_view tenant, std::string_view stream,
                       int copies) {
  // Highest score first; equal scores (never seen in practice) by name, so the order is total.
  std::pair<std::uint64_t, const std::string*> first{0, nullptr}, second{0, nullptr};
  auto better = [](const std::pair<std::uint64_t, const std::string*>& a,
                   const std::pair<std::uint64_t, const std::string*>& b) {
    if (!b.second) return true;
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  };
  for (const auto& node : nodes) {
    if ((first.second && *first.second == node) || (second.second && *second.second == node)) continue;
    std::pair<std::uint64_t, const std::string*> scored{placement_score(node, tenant, stream), &node};
    if (better(scored, first)) {
      second = first;
      first = scored;
    } else if (better(scored, second)) {
      second = scored;
    }
  }
  placement result;
  if (first.second) result.owner = *first.second;
  if (copies >= 2 && second.second) result.replica = *second.second;
  return result;
}

namespace {

std::vector<std::string> node_ids(const std::vector<member>& members, bool with_joining) {
  std::vector<std::string> ids;
  for (const auto& m : members)
    if (with_joining || m.active) ids.push_back(m.id);
  return ids;
}

}  // namespace

placement place_among(const std::vector<member>& members, std::string_view tenant, std::string_view stream,
                      int copies) {
  return place_stream(node_ids(members, false), tenant, stream, copies);
}

std::vector<std::string> copy_targets(const std::vector<member>& members, std::string_view self,
                                      std::string_view tenant, std::string_view stream, int copies) {
  std::vector<std::string> targets;
  for (bool with_joining : {false, true}) {
    auto placed = place_stream(node_ids(members, with_joining), tenant, stream, copies);
    for (const auto* node : {&placed.owner, &placed.replica})
      if (!node->empty() && *node != self && std::find(targets.begin(), targets.end(), *node) == targets.end())
        targets.push_back(*node);
  }
  return targets;
}

}  // namespace live_origin::model
