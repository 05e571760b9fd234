#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "model/auth.hpp"
#include "model/client_networks.hpp"
#include "model/object_kind.hpp"
#include "model/quota.hpp"
#include "model/read_policy.hpp"
#include "model/stream_profile.hpp"
#include "model/timeline.hpp"
#include "model/write_policy.hpp"

namespace live_origin::config {

// A listen address "host:port" or "[v6]:port". Port 0 asks the kernel for a free port (tests).
struct listen_address {
  std::string host;
  std::uint16_t port = 0;

  std::string to_string() const;
  friend bool operator==(const listen_address&, const listen_address&) = default;
};

std::optional<listen_address> parse_listen_address(std::string_view text);

struct listener_config {
  listen_address address;
  int threads = 1;
  int max_connections = 1024;
};

// Per-connection bounds shared by all listeners; every one is a key in origin.toml.
struct http_limits {
  std::size_t max_body_bytes = 64u << 20;
  std::size_t max_header_bytes = 16u << 10;
  std::size_t max_target_bytes = 2048;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds body_idle_timeout{10'000};
  std::chrono::milliseconds send_idle_timeout{30'000};
  std::chrono::milliseconds keepalive_timeout{75'000};
  std::chrono::milliseconds request_timeout{5'000};
  std::chrono::milliseconds shutdown_grace{10'000};
};

struct actor_settings {
  int scheduler_threads = 2;
  int bridges = 4;
};

struct log_settings {
  std::string level = "info";
  bool access_log = true;
};

// [live]: how every stream waits for, serves and keeps segments; tenants may override the timeline part.
struct live_settings {
  std::int64_t segment_duration_ms = 2000;
  model::live_policy policy;                   // retry budget, DVR window, max hold, live window
  std::size_t max_held_per_stream = 10'000;    // held GETs one stream may park; more: 503
  std::size_t max_held_total = 100'000;        // held GETs in the whole process; more: 503
  std::size_t shed_inflight_requests = 2'000;  // delivery requests in progress (not counting holds) above
                                               // which DVR reads are shed
  std::size_t shed_mailbox_messages = 1'000;   // a stream actor's mailbox above which its DVR reads are shed
  model::inspection_settings inspection;       // checks run on every uploaded segment (tenants may override)
};

struct tenant_config {
  std::string name;
  model::stream_profile profile;            // timeline, policies and name patterns of the tenant's streams
  std::vector<model::ingest_token> tokens;  // empty: ingest from loopback peers only
  model::tenant_quota quota;                // 0 = unlimited
};

// [pipelines]: the redundant packager pipelines every stream expects, in selection order.
struct pipeline_settings {
  std::vector<std::string> order{"a", "b"};
  std::int64_t manifest_fresh_segments = 3;  // a pipeline's manifest older than this many segments is stale
};

// [cluster]: several processes form one origin over CAF's networking (BASP). Without a node id the
// process is a cluster of one and none of this is used.
struct cluster_settings {
  std::string node_id;                    // this node's name, unique in the cluster; empty: no cluster
  listen_address listen{"127.0.0.1", 0};  // where peers reach this node's cluster actor (BASP); 0: any port
  std::vector<listen_address> seeds;      // peers to contact at start (and again while they are down)
  int replicas = 2;                       // copies of every acknowledged write: 1 (owner) or 2 (owner, replica)
  std::size_t chunk_bytes = 1 << 20;      // largest piece of a body in one message between nodes
  std::size_t cache_bytes_per_stream = 256 << 20;      // bodies a serving node keeps for a stream owned elsewhere
  std::uint64_t cache_bytes_total = 2ull << 30;        // the same for all such streams together (an equal share each)
  std::chrono::milliseconds proxy_idle{60000};         // such a stream without requests this long: its cache is dropped
  std::chrono::milliseconds heartbeat{500};            // CAF heartbeat between nodes
  std::chrono::milliseconds connection_timeout{2000};  // a peer silent this long is down
  std::chrono::milliseconds request_timeout{5000};     // a message to a peer (besides held GETs) gets an answer by then
  std::chrono::milliseconds join_timeout{3000};        // a starting node waits this long for its copies before owning
  // Leased ownership: etcd members' client URLs ("http://HOST:PORT"); empty: none (a node of its own).
  std::vector<std::string> etcd;
  std::chrono::seconds lease_ttl{5};             // the node's etcd lease, kept alive every third of it
  std::chrono::milliseconds lease_margin{1000};  // writes stop this long before the lease could expire
  std::chrono::milliseconds etcd_timeout{1000};  // bound on one call to one etcd member
  bool enabled() const { return !node_id.empty(); }
};

struct origin_config {
  listener_config delivery{{"127.0.0.1", 8080}, 2, 10'000};
  listener_config ingest{{"127.0.0.1", 8081}, 1, 1'000};
  listener_config admin{{"127.0.0.1", 8082}, 1, 64};
  http_limits http;
  actor_settings actors;
  live_settings live;
  model::cache_policy cache;
  pipeline_settings pipelines;
  std::string region = "local";                   // [node] region: X-Origin-Region on every 200
  std::optional<std::string> admin_token;         // [admin] token; unset: admin answers loopback peers only
  bool fault_injection = false;                   // [debug] fault_injection: allow POST /streams/{t}/{s}/crash
  std::vector<model::ip_network> delivery_allow;  // [delivery] allow: client networks; empty = everyone
  log_settings log;
  std::string data_dir = "data";
  bool power_safe = false;  // [storage] durability = "power": sync the write-ahead log before acknowledging
  int storage_writers = 2;  // [storage] writers: storage actors (threads) sharing the store
  std::uint64_t hot_bytes_per_stream = 256ull << 20;  // [storage] segment bytes kept in memory per stream
  std::uint64_t hot_bytes_total = 2ull << 30;         // ... and across the process
  std::uint64_t write_buffer_bytes = 64ull << 20;     // [storage] the store's memtable (and so its log)
  // [storage] timeout_ms: how long a write (or a read of a cold segment) waits for storage before the client
  // gets a 503; below http.request_timeout_ms, so that answer is the stream's and not the bridge's.
  std::chrono::milliseconds storage_timeout{4000};
  std::vector<tenant_config> tenants;
  cluster_settings cluster;

  const tenant_config* find_tenant(std::string_view name) const;
};

// A config problem, always naming the key (or flag) and what is wrong with it.
class config_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and validates a TOML file. Unknown keys are errors, so a typo never silently falls back to a default.
origin_config load_config_file(const std::string& path);

// Parses TOML text (the file loader and the tests share this). `source` names it in error messages.
origin_config parse_config(std::string_view toml_text, const std::string& source);

// Checks cross-field rules after CLI overrides have been applied.
void validate(const origin_config& config);

bool is_log_level(std::string_view level);

}  // namespace live_origin::config
