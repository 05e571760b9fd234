#pragma once

// etcd's v3 API as its JSON gateway speaks it (etcd 3.4: POST /v3/..., keys and values in base64, 64-bit
// numbers as decimal strings, fields at their zero value left out). Request bodies and the parsing of
// answers, without I/O, so that every answer etcd can give is unit-tested; cluster/etcd_client.hpp sends
// them. Only what leased ownership needs: leases, a create-if-absent claim, reads and deletes.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/endpoint_url.hpp"

namespace live_origin::cluster::etcd {

// One member, from its client URL in the config (model::parse_endpoint_url).
using endpoint = model::endpoint_url;

std::string base64_encode(std::string_view bytes);
// nullopt for anything that is not canonical padded base64.
std::optional<std::string> base64_decode(std::string_view text);

// What etcd answered instead of a result: its error text, or why the answer could not be read.
struct failure {
  std::string what;
};

template <typename Result>
using answer = std::variant<Result, failure>;

struct key_value {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;  // the revision that created it; unchanged by later puts
  std::int64_t mod_revision = 0;
  std::int64_t lease = 0;  // 0: not attached to a lease
};

struct lease_grant {
  std::int64_t id = 0;
  std::int64_t ttl_s = 0;
};

// A keep-alive's answer: the lease's TTL, restarted; 0 when the lease no longer exists.
struct lease_renewal {
  std::int64_t ttl_s = 0;
};

// A claim of a key for a lease: either this claim created it, or someone holds it already.
struct claim_outcome {
  bool created = false;
  key_value holder;  // the key as it stands now (created: the new one)
};

struct range_result {
  std::int64_t revision = 0;  // the store's revision when it was read
  std::vector<key_value> kvs;
};

struct request {
  std::string_view path;
  std::string body;
};

request grant_lease(std::int64_t ttl_s);
request keep_alive(std::int64_t lease);
request revoke_lease(std::int64_t lease);
// Creates `key` = `value` attached to `lease` if the key does not exist; otherwise reads it.
request claim(std::string_view key, std::string_view value, std::int64_t lease);
// Deletes `key` only while it still has `create_revision` (the holder's claim, not a later one).
request release(std::string_view key, std::int64_t create_revision);
request get(std::string_view key);
request get_prefix(std::string_view prefix);

answer<lease_grant> parse_lease_grant(std::string_view body);
answer<lease_renewal> parse_keep_alive(std::string_view body);
answer<bool> parse_revoke(std::string_view body);  // false: the lease was already gone
// For claim: `key`, `value` and `lease` are those the claim sent (etcd's put answer does not repeat them).
answer<claim_outcome> parse_claim(std::string_view body, std::string_view key, std::string_view value,
                                  std::int64_t lease);
answer<bool> parse_release(std::string_view body);  // false: the key had another claim or none
answer<range_result> parse_range(std::string_view body);

}  // namespace live_origin::cluster::etcd
