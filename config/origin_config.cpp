#include "config/origin_config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml.hpp>

#include <array>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "model/endpoint_url.hpp"
#include "model/object_path.hpp"

namespace live_origin::config {
namespace {

// Reads one TOML table, remembering which keys were asked for so that leftovers can be reported.
// Values are returned by value (toml11's find_or returns dangling references for literal defaults).
class table_reader {
 public:
  table_reader(const toml::value& value, std::string prefix) : prefix_(std::move(prefix)) {
    if (!value.is_table()) fail("", "must be a table");
    table_ = &value.as_table();
  }

  std::string key_name(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : fmt::format("{}.{}", prefix_, key);
  }

  [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
    throw config_error(fmt::format("key '{}': {}", key_name(key), problem));
  }

  const toml::value* find(std::string_view key) {
    known_.emplace(key);
    auto it = table_->find(std::string(key));
    return it == table_->end() ? nullptr : &it->second;
  }

  void read(std::string_view key, std::string& out) {
    if (auto* v = find(key)) {
      if (!v->is_string()) fail(key, "must be a string");
      out = v->as_string().str;
    }
  }

  void read(std::string_view key, bool& out) {
    if (auto* v = find(key)) {
      if (!v->is_boolean()) fail(key, "must be true or false");
      out = v->as_boolean();
    }
  }

  std::int64_t read_integer(std::string_view key, std::int64_t current, std::int64_t min, std::int64_t max) {
    auto* v = find(key);
    if (!v) return current;
    if (!v->is_integer()) fail(key, "must be an integer");
    auto n = v->as_integer();
    if (n < min || n > max) fail(key, fmt::format("must be between {} and {} (got {})", min, max, n));
    return n;
  }

  void read(std::string_view key, int& out, int min, int max) {
    out = static_cast<int>(read_integer(key, out, min, max));
  }

  void read(std::string_view key, std::size_t& out, std::int64_t min, std::int64_t max) {
    out = static_cast<std::size_t>(read_integer(key, static_cast<std::int64_t>(out), min, max));
  }

  void read(std::string_view key, std::int64_t& out, std::int64_t min, std::int64_t max) {
    out = read_integer(key, out, min, max);
  }

  template <class T>
  void read(std::string_view key, std::optional<T>& out, std::int64_t min, std::int64_t max) {
    if (!find(key)) return;
    T value{};
    read(key, value, min, max);
    out = value;
  }

  void read(std::string_view key, std::vector<std::string>& out) {
    auto* v = find(key);
    if (!v) return;
    if (!v->is_array()) fail(key, "must be an array of strings");
    out.clear();
    for (const auto& item : v->as_array()) {
      if (!item.is_string()) fail(key, "must be an array of strings");
      out.push_back(item.as_string().str);
    }
  }

  void read(std::string_view key, std::chrono::milliseconds& out, std::int64_t min, std::int64_t max) {
    out = std::chrono::milliseconds(read_integer(key, out.count(), min, max));
  }

  void read(std::string_view key, listen_address& out) {
    std::string text;
    read(key, text);
    if (text.empty()) return;
    auto parsed = parse_listen_address(text);
    if (!parsed) fail(key, fmt::format("must be HOST:PORT or [V6]:PORT (got \"{}\")", text));
    out = *parsed;
  }

  const toml::table& table() const { return *table_; }

  void reject_unknown_keys() const {
    for (const auto& [key, value] : *table_)
      if (!known_.count(key)) fail(key, "unknown key");
  }

 private:
  const toml::table* table_ = nullptr;
  std::string prefix_;
  std::set<std::string, std::less<>> known_;
};

constexpr std::int64_t hour_ms = 3'600'000;
constexpr std::int64_t day_s = 86'400;

void read_listener(table_reader& root, std::string_view name, listener_config& listener,
                   std::optional<std::string>* token = nullptr, std::vector<model::ip_network>* allow = nullptr) {
  auto* section = root.find(name);
  if (!section) return;
  table_reader reader(*section, std::string(name));
  if (allow && reader.find("allow")) {
    std::vector<std::string> networks;
    reader.read("allow", networks);
    for (const auto& text : networks) {
      auto network = model::parse_network(text);
      if (!network)
        reader.fail("allow", fmt::format("'{}' is not a network in CIDR form (10.0.0.0/8, 2001:db8::/32)", text));
      allow->push_back(*network);
    }
  }
  if (token && reader.find("token")) {
    std::string value;
    reader.read("token", value);
    if (value.size() < 16) reader.fail("token", "must be at least 16 characters");
    *token = value;
  }
  reader.read("listen", listener.address);
  reader.read("threads", listener.threads, 1, 64);
  reader.read("max_connections", listener.max_connections, 1, 1'000'000);
  reader.reject_unknown_keys();
}

void read_http(table_reader& root, http_limits& http) {
  auto* section = root.find("http");
  if (!section) return;
  table_reader reader(*section, "http");
  reader.read("max_body_bytes", http.max_body_bytes, 1, std::int64_t{4} << 30);
  reader.read("max_header_bytes", http.max_header_bytes, 1024, 1 << 20);
  reader.read("max_target_bytes", http.max_target_bytes, 64, 64 << 10);
  reader.read("header_timeout_ms", http.header_timeout, 1, hour_ms);
  reader.read("body_idle_timeout_ms", http.body_idle_timeout, 1, hour_ms);
  reader.read("send_idle_timeout_ms", http.send_idle_timeout, 1, hour_ms);
  reader.read("keepalive_timeout_ms", http.keepalive_timeout, 1, hour_ms);
  reader.read("request_timeout_ms", http.request_timeout, 1, hour_ms);
  reader.read("shutdown_grace_ms", http.shutdown_grace, 0, hour_ms);
  reader.reject_unknown_keys();
}

// Timeline keys shared by [live] and [tenants.NAME]; a tenant's max_hold_ms may not exceed [live]'s,
// which also bounds how long the delivery side waits for any stream actor.
void read_timeline(table_reader& reader, std::int64_t& duration_ms, model::live_policy& policy,
                   std::int64_t max_hold_ceiling_ms) {
  reader.read("segment_duration_ms", duration_ms, 1, hour_ms);
  reader.read("retry_budget_ms", policy.retry_budget_ms, 0, hour_ms);
  std::int64_t dvr_window_s = policy.dvr_window_ms / 1000;
  reader.read("dvr_window_s", dvr_window_s, 1, 30 * day_s);
  policy.dvr_window_ms = dvr_window_s * 1000;
  reader.read("max_hold_ms", policy.max_hold_ms, 0, max_hold_ceiling_ms);
  reader.read("live_window_segments", policy.live_window_segments, 0, 1'000'000);
}

// inspect = ["short", "discontinuity", "corrupt", "slate"] and inspect_tolerance_ms, in [live] and
// [tenants.NAME].
void read_inspection(table_reader& reader, model::inspection_settings& inspection) {
  if (reader.find("inspect")) {
    std::vector<std::string> names;
    reader.read("inspect", names);
    auto checks = model::parse_inspection_checks(names);
    if (!checks)
      reader.fail("inspect", fmt::format("must list checks among \"short\", \"discontinuity\", \"corrupt\", "
                                         "\"slate\" (got [{}])",
                                         fmt::join(names, ", ")));
    inspection.checks = *checks;
  }
  reader.read("inspect_tolerance_ms", inspection.tolerance_ms, 0, 60'000);
}

void read_live(table_reader& root, live_settings& live) {
  auto* section = root.find("live");
  if (!section) return;
  table_reader reader(*section, "live");
  read_timeline(reader, live.segment_duration_ms, live.policy, std::int64_t{10} * 60'000);
  reader.read("max_held_per_stream", live.max_held_per_stream, 0, 10'000'000);
  reader.read("max_held_total", live.max_held_total, 0, 10'000'000);
  reader.read("shed_inflight_requests", live.shed_inflight_requests, 1, 10'000'000);
  reader.read("shed_mailbox_messages", live.shed_mailbox_messages, 1, 10'000'000);
  read_inspection(reader, live.inspection);
  reader.reject_unknown_keys();
}

void read_cache(table_reader& root, model::cache_policy& cache) {
  auto* section = root.find("cache");
  if (!section) return;
  table_reader reader(*section, "cache");
  constexpr std::int64_t year_s = 365 * day_s;
  reader.read("segment_max_age_s", cache.segment_max_age_s, 0, year_s);
  reader.read("manifest_max_age_s", cache.manifest_max_age_s, 0, year_s);
  reader.read("manifest_min_max_age_s", cache.manifest_min_max_age_s, 0, year_s);
  reader.read("gone_max_age_s", cache.gone_max_age_s, 0, year_s);
  reader.read("miss_max_age_s", cache.miss_max_age_s, 0, year_s);
  reader.read("shed_max_age_s", cache.shed_max_age_s, 0, year_s);
  reader.reject_unknown_keys();
}

void read_tenants(table_reader& root, const live_settings& live, std::vector<tenant_config>& tenants) {
  auto* section = root.find("tenants");
  if (!section) return;
  table_reader all(*section, "tenants");
  for (const auto& [name, value] : all.table()) {
    if (!model::is_valid_name(name)) all.fail(name, "tenant names must match [A-Za-z0-9._-]{1,64}");
    table_reader reader(value, fmt::format("tenants.{}", name));
    tenant_config tenant;
    tenant.name = name;
    tenant.profile.segment_duration_ms = live.segment_duration_ms;
    tenant.profile.policy = live.policy;
    read_timeline(reader, tenant.profile.segment_duration_ms, tenant.profile.policy, live.policy.max_hold_ms);
    tenant.profile.inspection = live.inspection;
    read_inspection(reader, tenant.profile.inspection);
    reader.read("start_number", tenant.profile.start_number, 0, std::numeric_limits<std::int64_t>::max());
    reader.read("availability_start_ms", tenant.profile.availability_start_ms, 0,
                std::numeric_limits<std::int64_t>::max());
    std::string on_delete = "expire";
    reader.read("delete", on_delete);
    if (on_delete != "expire" && on_delete != "ignore")
      reader.fail("delete", fmt::format("must be \"expire\" or \"ignore\" (got \"{}\")", on_delete));
    tenant.profile.on_delete = on_delete == "expire" ? model::delete_policy::expire : model::delete_policy::ignore;
    reader.read("manifest_patterns", tenant.profile.naming.manifest_patterns);
    reader.read("init_patterns", tenant.profile.naming.init_patterns);
    reader.read("plain_patterns", tenant.profile.naming.plain_patterns);
    reader.read("max_streams", tenant.quota.max_streams, 0, 10'000'000);
    reader.read("max_object_bytes", tenant.quota.max_object_bytes, 0, std::int64_t{4} << 30);
    reader.read("max_stored_bytes", tenant.quota.max_stored_bytes, 0, std::int64_t{1} << 50);
    std::int64_t rate = 0;
    reader.read("max_requests_per_s", rate, 0, 10'000'000);
    tenant.quota.max_requests_per_s = static_cast<double>(rate);
    if (auto* tokens = reader.find("tokens")) {
      if (!tokens->is_array()) reader.fail("tokens", "must be an array of tables: [[tenants.NAME.tokens]]");
      for (const auto& entry : tokens->as_array()) {
        table_reader token_reader(entry, fmt::format("tenants.{}.tokens", name));
        model::ingest_token token;
        token_reader.read("token", token.token);
        if (token.token.size() < 16) token_reader.fail("token", "must be at least 16 characters");
        std::string pipeline;
        token_reader.read("pipeline", pipeline);
        if (!pipeline.empty()) token.pipeline = pipeline;
        token_reader.reject_unknown_keys();
        tenant.tokens.push_back(std::move(token));
      }
    }
    reader.reject_unknown_keys();
    tenants.push_back(std::move(tenant));
  }
  std::sort(tenants.begin(), tenants.end(), [](auto& a, auto& b) { return a.name < b.name; });
}

origin_config parse_document(const toml::value& document) {
  origin_config config;
  table_reader root(document, "");
  read_listener(root, "delivery", config.delivery, nullptr, &config.delivery_allow);
  read_listener(root, "ingest", config.ingest);
  read_listener(root, "admin", config.admin, &config.admin_token);
  read_http(root, config.http);
  if (auto* section = root.find("actors")) {
    table_reader reader(*section, "actors");
    reader.read("scheduler_threads", config.actors.scheduler_threads, 1, 256);
    reader.read("bridges", config.actors.bridges, 1, 256);
    reader.reject_unknown_keys();
  }
  if (auto* section = root.find("storage")) {
    table_reader reader(*section, "storage");
    reader.read("data_dir", config.data_dir);
    std::string mode = "process";
    reader.read("durability", mode);
    if (mode != "process" && mode != "power")
      reader.fail("durability", fmt::format("must be \"process\" or \"power\" (got \"{}\")", mode));
    config.power_safe = mode == "power";
    reader.read("writers", config.storage_writers, 1, 64);
    reader.read("hot_bytes_per_stream", config.hot_bytes_per_stream, 0, std::int64_t{1} << 50);
    reader.read("hot_bytes_total", config.hot_bytes_total, 0, std::int64_t{1} << 50);
    reader.read("write_buffer_bytes", config.write_buffer_bytes, std::int64_t{1} << 20, std::int64_t{1} << 34);
    reader.read("timeout_ms", config.storage_timeout, 1000, 600'000);
    reader.reject_unknown_keys();
  }
  if (auto* section = root.find("log")) {
    table_reader reader(*section, "log");
    reader.read("level", config.log.level);
    reader.read("access_log", config.log.access_log);
    reader.reject_unknown_keys();
  }
  if (auto* section = root.find("pipelines")) {
    table_reader reader(*section, "pipelines");
    reader.read("order", config.pipelines.order);
    if (config.pipelines.order.empty() || config.pipelines.order.size() > 8)
      reader.fail("order", "must name 1 to 8 pipelines");
    for (const auto& id : config.pipelines.order)
      if (!model::is_valid_name(id)) reader.fail("order", fmt::format("'{}' is not a valid pipeline id", id));
    if (std::set<std::string>(config.pipelines.order.begin(), config.pipelines.order.end()).size() !=
        config.pipelines.order.size())
      reader.fail("order", "names a pipeline twice");
    reader.read("manifest_fresh_segments", config.pipelines.manifest_fresh_segments, 1, 1000);
    reader.reject_unknown_keys();
  }
  if (auto* section = root.find("debug")) {
    table_reader reader(*section, "debug");
    reader.read("fault_injection", config.fault_injection);
    reader.reject_unknown_keys();
  }
  if (auto* section = root.find("node")) {
    table_reader reader(*section, "node");
    reader.read("region", config.region);
    if (!model::is_valid_name(config.region)) reader.fail("region", "must match [A-Za-z0-9._-]{1,64}");
    reader.reject_unknown_keys();
  }
  if (auto* section = root.find("cluster")) {
    table_reader reader(*section, "cluster");
    auto& cluster = config.cluster;
    reader.read("node_id", cluster.node_id);
    if (!model::is_valid_name(cluster.node_id)) reader.fail("node_id", "must match [A-Za-z0-9._-]{1,64}");
    reader.read("listen", cluster.listen);
    std::vector<std::string> seeds;
    reader.read("seeds", seeds);
    for (const auto& seed : seeds) {
      auto parsed = parse_listen_address(seed);
      if (!parsed || parsed->port == 0) reader.fail("seeds", fmt::format("'{}' is not HOST:PORT", seed));
      cluster.seeds.push_back(*parsed);
    }
    reader.read("replicas", cluster.replicas, 1, 2);
    reader.read("chunk_bytes", cluster.chunk_bytes, 4 << 10, 64 << 20);
    reader.read("cache_bytes_per_stream", cluster.cache_bytes_per_stream, 0, std::int64_t{1} << 40);
    reader.read("cache_bytes_total", cluster.cache_bytes_total, 64 << 10, std::int64_t{1} << 40);
    reader.read("proxy_idle_ms", cluster.proxy_idle, 100, 86'400'000);
    reader.read("heartbeat_ms", cluster.heartbeat, 50, 60'000);
    reader.read("connection_timeout_ms", cluster.connection_timeout, 100, 600'000);
    reader.read("request_timeout_ms", cluster.request_timeout, 100, 600'000);
    reader.read("join_timeout_ms", cluster.join_timeout, 0, 600'000);
    if (cluster.connection_timeout <= cluster.heartbeat)
      reader.fail("connection_timeout_ms", "must be longer than heartbeat_ms");
    reader.read("etcd", cluster.etcd);
    for (const auto& url : cluster.etcd)
      if (!model::parse_endpoint_url(url)) reader.fail("etcd", fmt::format("'{}' is not http://HOST:PORT", url));
    std::chrono::milliseconds ttl = cluster.lease_ttl;
    reader.read("lease_ttl_ms", ttl, 2000, 600'000);
    if (ttl.count() % 1000 != 0) reader.fail("lease_ttl_ms", "must be whole seconds (etcd's leases are)");
    cluster.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(ttl);
    reader.read("lease_margin_ms", cluster.lease_margin, 100, 300'000);
    reader.read("etcd_timeout_ms", cluster.etcd_timeout, 50, 60'000);
    // A keep-alive is sent every third of the TTL; the node must still hold it when two of them failed.
    if (cluster.lease_margin * 3 > ttl) reader.fail("lease_margin_ms", "must be at most a third of lease_ttl_ms");
    if (cluster.etcd_timeout * 3 > ttl) reader.fail("etcd_timeout_ms", "must be at most a third of lease_ttl_ms");
    reader.reject_unknown_keys();
  }
  read_live(root, config.live);
  read_cache(root, config.cache);
  read_tenants(root, config.live, config.tenants);
  root.reject_unknown_keys();
  return config;
}

}  // namespace

std::string listen_address::to_string() const {
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port) : fmt::format("[{}]:{}", host, port);
}

std::optional<listen_address> parse_listen_address(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // bare IPv6 needs brackets
  }
  if (host.empty() || port.empty() || port.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value > 65535) return std::nullopt;
  return listen_address{std::string(host), static_cast<std::uint16_t>(value)};
}

const tenant_config* origin_config::find_tenant(std::string_view name) const {
  for (const auto& tenant : tenants)
    if (tenant.name == name) return &tenant;
  return nullptr;
}

bool is_log_level(std::string_view level) {
  constexpr std::array<std::string_view, 7> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  return std::find(levels.begin(), levels.end(), level) != levels.end();
}

origin_config parse_config(std::string_view toml_text, const std::string& source) {
  std::istringstream input{std::string(toml_text)};
  toml::value document;
  try {
    document = toml::parse(input, source);
  } catch (const std::exception& e) {
    throw config_error(fmt::format("{}: not valid TOML: {}", source, e.what()));
  }
  try {
    auto config = parse_document(document);
    validate(config);
    return config;
  } catch (const config_error& e) {
    throw config_error(fmt::format("{}: {}", source, e.what()));
  }
}

origin_config load_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw config_error(fmt::format("{}: cannot open config file", path));
  std::ostringstream text;
  text << file.rdbuf();
  return parse_config(text.str(), path);
}

void validate(const origin_config& config) {
  if (!is_log_level(config.log.level))
    throw config_error(
        fmt::format("key 'log.level': must be one of trace, debug, info, warn, error, critical, off "
                    "(got \"{}\")",
                    config.log.level));
  if (config.data_dir.empty()) throw config_error("key 'storage.data_dir': must not be empty");
  if (config.storage_timeout >= config.http.request_timeout)
    throw config_error(
        fmt::format("key 'storage.timeout_ms': must be below http.request_timeout_ms ({} ms), so a client hears the "
                    "stream's answer and not the request timeout (got {} ms)",
                    config.http.request_timeout.count(), config.storage_timeout.count()));
  for (const auto& tenant : config.tenants)
    for (const auto& token : tenant.tokens)
      if (token.pipeline && std::find(config.pipelines.order.begin(), config.pipelines.order.end(), *token.pipeline) ==
                                config.pipelines.order.end())
        throw config_error(fmt::format("key 'tenants.{}.tokens': pipeline '{}' is not in pipelines.order", tenant.name,
                                       *token.pipeline));
  const std::array<std::pair<std::string_view, const listener_config*>, 3> listeners{
      {{"delivery", &config.delivery}, {"ingest", &config.ingest}, {"admin", &config.admin}}};
  for (std::size_t i = 0; i < listeners.size(); ++i)
    for (std::size_t j = i + 1; j < listeners.size(); ++j) {
      const auto& a = listeners[i].second->address;
      const auto& b = listeners[j].second->address;
      if (a.port != 0 && a == b)
        throw config_error(fmt::format("key '{}.listen': same address as '{}.listen' ({})", listeners[j].first,
                                       listeners[i].first, b.to_string()));
    }
}

}  // namespace live_origin::config
