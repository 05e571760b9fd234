#include <gtest/gtest.h>

#include "app/cli.hpp"
#include "config/origin_config.hpp"

namespace live_origin::config {
namespace {

// Expects `text` to be refused with a message that contains every one of `needles`.
void expect_refused(std::string_view text, std::initializer_list<std::string_view> needles) {
  try {
    parse_config(text, "test.toml");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const config_error& e) {
    for (auto needle : needles) EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(Config, EmptyFileGivesTheDocumentedDefaults) {
  auto config = parse_config("", "empty.toml");
  EXPECT_EQ(config.delivery.address.to_string(), "127.0.0.1:8080");
  EXPECT_EQ(config.ingest.address.to_string(), "127.0.0.1:8081");
  EXPECT_EQ(config.admin.address.to_string(), "127.0.0.1:8082");
  EXPECT_EQ(config.http.max_body_bytes, 64u << 20);
  EXPECT_EQ(config.data_dir, "data");
  EXPECT_EQ(config.log.level, "info");
  EXPECT_TRUE(config.tenants.empty());
}

TEST(Config, ShippedConfigIsValidAndHasTheDemoTenant) {
  auto config = load_config_file(LIVE_ORIGIN_SOURCE_DIR "/config/origin.toml");
  ASSERT_NE(config.find_tenant("demo"), nullptr);
  // The shipped file documents the defaults; it must not drift from them.
  origin_config defaults;
  EXPECT_EQ(config.delivery.address, defaults.delivery.address);
  EXPECT_EQ(config.ingest.address, defaults.ingest.address);
  EXPECT_EQ(config.admin.address, defaults.admin.address);
  EXPECT_EQ(config.delivery.threads, defaults.delivery.threads);
  EXPECT_EQ(config.delivery.max_connections, defaults.delivery.max_connections);
  EXPECT_EQ(config.ingest.max_connections, defaults.ingest.max_connections);
  EXPECT_EQ(config.admin.max_connections, defaults.admin.max_connections);
  EXPECT_EQ(config.http.max_body_bytes, defaults.http.max_body_bytes);
  EXPECT_EQ(config.http.max_header_bytes, defaults.http.max_header_bytes);
  EXPECT_EQ(config.http.max_target_bytes, defaults.http.max_target_bytes);
  EXPECT_EQ(config.http.header_timeout, defaults.http.header_timeout);
  EXPECT_EQ(config.http.body_idle_timeout, defaults.http.body_idle_timeout);
  EXPECT_EQ(config.http.send_idle_timeout, defaults.http.send_idle_timeout);
  EXPECT_EQ(config.http.keepalive_timeout, defaults.http.keepalive_timeout);
  EXPECT_EQ(config.http.request_timeout, defaults.http.request_timeout);
  EXPECT_EQ(config.http.shutdown_grace, defaults.http.shutdown_grace);
  EXPECT_EQ(config.actors.scheduler_threads, defaults.actors.scheduler_threads);
  EXPECT_EQ(config.actors.bridges, defaults.actors.bridges);
  EXPECT_EQ(config.log.level, defaults.log.level);
  EXPECT_EQ(config.live.segment_duration_ms, defaults.live.segment_duration_ms);
  EXPECT_EQ(config.live.policy.retry_budget_ms, defaults.live.policy.retry_budget_ms);
  EXPECT_EQ(config.live.policy.dvr_window_ms, defaults.live.policy.dvr_window_ms);
  EXPECT_EQ(config.live.policy.max_hold_ms, defaults.live.policy.max_hold_ms);
  EXPECT_EQ(config.live.policy.live_window_segments, defaults.live.policy.live_window_segments);
  EXPECT_EQ(config.live.max_held_per_stream, defaults.live.max_held_per_stream);
  EXPECT_EQ(config.live.max_held_total, defaults.live.max_held_total);
  EXPECT_EQ(config.live.shed_inflight_requests, defaults.live.shed_inflight_requests);
  EXPECT_EQ(config.live.shed_mailbox_messages, defaults.live.shed_mailbox_messages);
  EXPECT_EQ(config.cache.segment_max_age_s, defaults.cache.segment_max_age_s);
  EXPECT_EQ(config.cache.manifest_max_age_s, defaults.cache.manifest_max_age_s);
  EXPECT_EQ(config.cache.manifest_min_max_age_s, defaults.cache.manifest_min_max_age_s);
  EXPECT_EQ(config.cache.gone_max_age_s, defaults.cache.gone_max_age_s);
  EXPECT_EQ(config.cache.miss_max_age_s, defaults.cache.miss_max_age_s);
  EXPECT_EQ(config.cache.shed_max_age_s, defaults.cache.shed_max_age_s);
  EXPECT_EQ(config.pipelines.order, defaults.pipelines.order);
  EXPECT_EQ(config.pipelines.manifest_fresh_segments, defaults.pipelines.manifest_fresh_segments);
  EXPECT_EQ(config.region, defaults.region);
}

TEST(Config, TokensAreReadAndChecked) {
  auto config = parse_config(R"(
    [admin]
    token = "admin-token-0123456789"
    [tenants.t]
    [[tenants.t.tokens]]
    token = "tenant-token-0123456789"
    pipeline = "b"
    [[tenants.t.tokens]]
    token = "tenant-token-abcdefghij"
  )",
                             "tokens.toml");
  EXPECT_EQ(config.admin_token, "admin-token-0123456789");
  const auto* tenant = config.find_tenant("t");
  ASSERT_TRUE(tenant);
  ASSERT_EQ(tenant->tokens.size(), 2u);
  EXPECT_EQ(tenant->tokens[0].pipeline, "b");
  EXPECT_FALSE(tenant->tokens[1].pipeline);
  expect_refused("[admin]\ntoken = \"short\"\n", {"admin.token", "16"});
  expect_refused("[[tenants.t.tokens]]\ntoken = \"tenant-token-0123456789\"\npipeline = \"z\"\n",
                 {"tenants.t.tokens", "'z'"});
  expect_refused("[[tenants.t.tokens]]\ntoken = \"tenant-token-0123456789\"\nrole = \"x\"\n",
                 {"tenants.t.tokens.role", "unknown key"});
  expect_refused("[delivery]\ntoken = \"admin-token-0123456789\"\n", {"delivery.token", "unknown key"});
}

TEST(Config, ClusterSectionIsReadAndChecked) {
  EXPECT_FALSE(parse_config("", "none.toml").cluster.enabled());
  auto config = parse_config(R"([cluster]
node_id = "node-1"
listen = "127.0.0.1:4300"
seeds = ["127.0.0.1:4301", "[::1]:4302"]
replicas = 1
chunk_bytes = 65536
cache_bytes_total = 1048576
proxy_idle_ms = 2500
heartbeat_ms = 100
connection_timeout_ms = 500
)",
                             "cluster.toml");
  const auto& cluster = config.cluster;
  EXPECT_TRUE(cluster.enabled());
  EXPECT_EQ(cluster.node_id, "node-1");
  EXPECT_EQ(cluster.listen.port, 4300);
  ASSERT_EQ(cluster.seeds.size(), 2u);
  EXPECT_EQ(cluster.seeds[1].host, "::1");
  EXPECT_EQ(cluster.replicas, 1);
  EXPECT_EQ(cluster.chunk_bytes, 65536u);
  EXPECT_EQ(cluster.cache_bytes_total, 1u << 20);
  EXPECT_EQ(cluster.proxy_idle, std::chrono::milliseconds(2500));
  EXPECT_EQ(cluster.heartbeat, std::chrono::milliseconds(100));
  expect_refused("[cluster]\nnode_id = \"a/b\"\n", {"cluster.node_id"});
  expect_refused("[cluster]\nnode_id = \"n\"\nseeds = [\"nohost\"]\n", {"cluster.seeds", "nohost"});
  expect_refused("[cluster]\nnode_id = \"n\"\nreplicas = 3\n", {"cluster.replicas"});
  expect_refused("[cluster]\nnode_id = \"n\"\ncache_bytes_total = 1000\n", {"cluster.cache_bytes_total"});
  expect_refused("[cluster]\nnode_id = \"n\"\nheartbeat_ms = 1000\nconnection_timeout_ms = 500\n",
                 {"cluster.connection_timeout_ms", "heartbeat_ms"});
  expect_refused("[cluster]\nnode_id = \"n\"\ngossip = true\n", {"cluster.gossip", "unknown key"});
}

TEST(Config, EtcdMembersAndTheLeaseAreReadAndChecked) {
  EXPECT_TRUE(parse_config("[cluster]\nnode_id = \"n\"\n", "none.toml").cluster.etcd.empty());
  auto cluster = parse_config(R"([cluster]
node_id = "node-1"
etcd = ["http://127.0.0.1:2379", "http://[::1]:2379"]
lease_ttl_ms = 6000
lease_margin_ms = 1500
etcd_timeout_ms = 800
)",
                              "etcd.toml")
                     .cluster;
  EXPECT_EQ(cluster.etcd, (std::vector<std::string>{"http://127.0.0.1:2379", "http://[::1]:2379"}));
  EXPECT_EQ(cluster.lease_ttl, std::chrono::seconds(6));
  EXPECT_EQ(cluster.lease_margin, std::chrono::milliseconds(1500));
  EXPECT_EQ(cluster.etcd_timeout, std::chrono::milliseconds(800));
  auto with = [](const std::string& lines) { return "[cluster]\nnode_id = \"n\"\n" + lines; };
  expect_refused(with("etcd = [\"127.0.0.1:2379\"]\n"), {"cluster.etcd", "127.0.0.1:2379", "http://HOST:PORT"});
  expect_refused("[cluster]\netcd = [\"http://127.0.0.1:2379\"]\n", {"cluster.node_id"});  // the lease's holder
  expect_refused(with("lease_ttl_ms = 2500\n"), {"cluster.lease_ttl_ms", "whole seconds"});
  expect_refused(with("lease_ttl_ms = 1000\n"), {"cluster.lease_ttl_ms"});
  expect_refused(with("lease_ttl_ms = 3000\nlease_margin_ms = 1500\n"), {"cluster.lease_margin_ms", "third"});
  expect_refused(with("lease_ttl_ms = 3000\netcd_timeout_ms = 1500\n"), {"cluster.etcd_timeout_ms", "third"});
}

TEST(Config, DeliveryAllowListIsCidrs) {
  auto config = parse_config("[delivery]\nallow = [\"10.0.0.0/8\", \"::1/128\"]\n", "allow.toml");
  EXPECT_EQ(config.delivery_allow.size(), 2u);
  expect_refused("[delivery]\nallow = [\"10.0.0.0\"]\n", {"delivery.allow", "CIDR"});
  expect_refused("[ingest]\nallow = [\"10.0.0.0/8\"]\n", {"ingest.allow", "unknown key"});
}

TEST(Config, PipelinesAndRegion) {
  auto config = parse_config("[pipelines]\norder = [\"main\", \"backup\", \"third\"]\n[node]\nregion = \"eu-west-1\"\n",
                             "pipelines.toml");
  EXPECT_EQ(config.pipelines.order, (std::vector<std::string>{"main", "backup", "third"}));
  EXPECT_EQ(config.region, "eu-west-1");
  expect_refused("[pipelines]\norder = []\n", {"pipelines.order", "1 to 8"});
  expect_refused("[pipelines]\norder = [\"a\", \"a\"]\n", {"pipelines.order", "twice"});
  expect_refused("[pipelines]\norder = [\"a b\"]\n", {"pipelines.order", "'a b'"});
  expect_refused("[node]\nregion = \"\"\n", {"node.region"});
}

TEST(Config, TenantsInheritLiveSettingsAndMayOverrideThem) {
  auto config = parse_config(R"(
    [live]
    segment_duration_ms = 4000
    retry_budget_ms = 1000
    max_hold_ms = 8000
    [tenants.plain]
    [tenants.custom]
    segment_duration_ms = 2000
    dvr_window_s = 60
    max_hold_ms = 3000
    start_number = 7
    availability_start_ms = 1700000000000
    delete = "ignore"
    manifest_patterns = ["*.m3u8"]
    init_patterns = ["header*"]
    plain_patterns = ["key*"]
  )",
                             "tenants.toml");
  const auto* plain = config.find_tenant("plain");
  const auto* custom = config.find_tenant("custom");
  ASSERT_TRUE(plain && custom);
  EXPECT_EQ(plain->profile.segment_duration_ms, 4000);
  EXPECT_EQ(plain->profile.policy.retry_budget_ms, 1000);
  EXPECT_EQ(plain->profile.on_delete, model::delete_policy::expire);
  EXPECT_FALSE(plain->profile.start_number);
  EXPECT_EQ(custom->profile.segment_duration_ms, 2000);
  EXPECT_EQ(custom->profile.policy.retry_budget_ms, 1000);
  EXPECT_EQ(custom->profile.policy.dvr_window_ms, 60'000);
  EXPECT_EQ(custom->profile.policy.max_hold_ms, 3000);
  EXPECT_EQ(*custom->profile.start_number, 7u);
  EXPECT_EQ(*custom->profile.availability_start_ms, 1'700'000'000'000);
  EXPECT_EQ(custom->profile.on_delete, model::delete_policy::ignore);
  EXPECT_EQ(custom->profile.naming.manifest_patterns, std::vector<std::string>{"*.m3u8"});
  EXPECT_EQ(custom->profile.naming.init_patterns, std::vector<std::string>{"header*"});
  EXPECT_EQ(custom->profile.naming.plain_patterns, std::vector<std::string>{"key*"});
}

TEST(Config, TenantSettingsAreChecked) {
  expect_refused("[live]\nmax_hold_ms = 1000\n[tenants.t]\nmax_hold_ms = 2000\n", {"tenants.t.max_hold_ms", "1000"});
  expect_refused("[tenants.t]\ndelete = \"now\"\n", {"tenants.t.delete", "expire"});
  expect_refused("[tenants.t]\nmanifest_patterns = \"*.mpd\"\n", {"tenants.t.manifest_patterns", "array"});
  expect_refused("[tenants.t]\nsegment_duration_ms = 0\n", {"tenants.t.segment_duration_ms"});
  expect_refused("[cache]\nsegment_max_age = 5\n", {"cache.segment_max_age", "unknown key"});
}

TEST(Config, ReadsEveryKey) {
  auto config = parse_config(R"(
    [delivery]
    listen = "[::1]:9000"
    threads = 3
    max_connections = 5
    [http]
    max_body_bytes = 1024
    request_timeout_ms = 2500
    [actors]
    scheduler_threads = 4
    [storage]
    data_dir = "/var/lib/live-origin"
    timeout_ms = 2000
    [log]
    level = "debug"
    access_log = false
    [tenants.b]
    [tenants.a]
  )",
                             "full.toml");
  EXPECT_EQ(config.delivery.address.host, "::1");
  EXPECT_EQ(config.delivery.address.port, 9000);
  EXPECT_EQ(config.delivery.address.to_string(), "[::1]:9000");
  EXPECT_EQ(config.delivery.threads, 3);
  EXPECT_EQ(config.delivery.max_connections, 5);
  EXPECT_EQ(config.http.max_body_bytes, 1024u);
  EXPECT_EQ(config.http.request_timeout.count(), 2500);
  EXPECT_EQ(config.storage_timeout.count(), 2000);
  EXPECT_EQ(config.actors.scheduler_threads, 4);
  EXPECT_EQ(config.data_dir, "/var/lib/live-origin");
  EXPECT_EQ(config.log.level, "debug");
  EXPECT_FALSE(config.log.access_log);
  ASSERT_EQ(config.tenants.size(), 2u);
  EXPECT_EQ(config.tenants[0].name, "a");
}

TEST(Config, TheStorageTimeoutStaysBelowTheRequestTimeout) {
  EXPECT_EQ(parse_config("", "t.toml").storage_timeout, std::chrono::milliseconds(4000));
  auto config = parse_config("[storage]\ntimeout_ms = 2500\n[http]\nrequest_timeout_ms = 3000\n", "t.toml");
  EXPECT_EQ(config.storage_timeout, std::chrono::milliseconds(2500));
  expect_refused("[storage]\ntimeout_ms = 5000\n", {"storage.timeout_ms", "http.request_timeout_ms", "5000 ms"});
  expect_refused("[http]\nrequest_timeout_ms = 3000\n", {"storage.timeout_ms", "(3000 ms)", "4000 ms"});
  expect_refused("[storage]\ntimeout_ms = 10\n", {"storage.timeout_ms"});
}

TEST(Config, UnknownKeysAreNamed) {
  expect_refused("[delivery]\nlisten_on = \"127.0.0.1:1\"\n", {"delivery.listen_on", "unknown key"});
  expect_refused("[http]\nmax_body = 1\n", {"http.max_body", "unknown key"});
  expect_refused("colour = \"red\"\n", {"'colour'", "unknown key"});
  expect_refused("[tenants.demo]\ntoken = \"x\"\n", {"tenants.demo.token", "unknown key"});
}

TEST(Config, WrongTypesAndRangesAreNamed) {
  expect_refused("[delivery]\nthreads = \"two\"\n", {"delivery.threads", "integer"});
  expect_refused("[delivery]\nthreads = 0\n", {"delivery.threads", "between 1 and 64", "got 0"});
  expect_refused("[http]\nmax_body_bytes = -1\n", {"http.max_body_bytes"});
  expect_refused("[log]\naccess_log = \"yes\"\n", {"log.access_log", "true or false"});
  expect_refused("[log]\nlevel = \"loud\"\n", {"log.level", "loud"});
  expect_refused("delivery = 3\n", {"delivery", "table"});
}

TEST(Config, BadAddressesAreNamed) {
  expect_refused("[ingest]\nlisten = \"localhost\"\n", {"ingest.listen", "HOST:PORT"});
  expect_refused("[ingest]\nlisten = \"127.0.0.1:70000\"\n", {"ingest.listen"});
  expect_refused("[ingest]\nlisten = \"::1:80\"\n", {"ingest.listen"});
  expect_refused("[ingest]\nlisten = \"127.0.0.1:8080\"\n", {"ingest.listen", "delivery.listen"});
}

TEST(Config, BadTenantNamesAreNamed) {
  expect_refused("[tenants.\"bad name\"]\n", {"tenants.bad name"});
  expect_refused("[tenants.\"..\"]\n", {"tenants..."});
}

TEST(Config, SyntaxErrorsNameTheFile) { expect_refused("[delivery\n", {"test.toml", "not valid TOML"}); }

TEST(Config, MissingFileIsNamed) {
  try {
    load_config_file("/nonexistent/origin.toml");
    ADD_FAILURE();
  } catch (const config_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/origin.toml"), std::string::npos);
  }
}

TEST(ListenAddress, ParsesV4V6AndRejectsGarbage) {
  EXPECT_EQ(parse_listen_address("0.0.0.0:80"), (listen_address{"0.0.0.0", 80}));
  EXPECT_EQ(parse_listen_address("[::]:0"), (listen_address{"::", 0}));
  EXPECT_FALSE(parse_listen_address("127.0.0.1"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:"));
  EXPECT_FALSE(parse_listen_address(":80"));
  EXPECT_FALSE(parse_listen_address("127.0.0.1:8o"));
  EXPECT_FALSE(parse_listen_address("[::1]80"));
}

}  // namespace
}  // namespace live_origin::config

namespace live_origin::app {
namespace {

TEST(Cli, ReadsEveryFlagInBothSpellings) {
  auto options = parse_cli({"--config", "x.toml", "--delivery=127.0.0.1:1", "--ingest", "127.0.0.1:2", "--admin",
                            "127.0.0.1:3", "--data-dir", "/tmp/d", "--log-level=debug", "--check-config"});
  EXPECT_EQ(options.config_path, "x.toml");
  EXPECT_EQ(*options.delivery, "127.0.0.1:1");
  EXPECT_EQ(*options.ingest, "127.0.0.1:2");
  EXPECT_EQ(*options.admin, "127.0.0.1:3");
  EXPECT_EQ(*options.data_dir, "/tmp/d");
  EXPECT_EQ(*options.log_level, "debug");
  EXPECT_TRUE(options.check_config);
}

TEST(Cli, FlagsOverrideTheConfig) {
  auto options = parse_cli({"--delivery", "127.0.0.1:9100", "--data-dir", "/srv/lo", "--log-level", "error"});
  config::origin_config config;
  apply_cli(options, config);
  EXPECT_EQ(config.delivery.address.port, 9100);
  EXPECT_EQ(config.data_dir, "/srv/lo");
  EXPECT_EQ(config.log.level, "error");
}

TEST(Cli, ProblemsNameTheFlag) {
  auto message = [](std::vector<std::string> args) -> std::string {
    try {
      config::origin_config config;
      apply_cli(parse_cli(args), config);
    } catch (const config::config_error& e) {
      return e.what();
    }
    return "accepted";
  };
  EXPECT_NE(message({"--bogus"}).find("'--bogus'"), std::string::npos);
  EXPECT_NE(message({"--delivery"}).find("needs a value"), std::string::npos);
  EXPECT_NE(message({"--delivery", "nowhere"}).find("'--delivery'"), std::string::npos);
  EXPECT_NE(message({"--log-level", "chatty"}).find("'--log-level'"), std::string::npos);
  EXPECT_NE(message({"--help=yes"}).find("takes no value"), std::string::npos);
  EXPECT_NE(message({"--ingest", "127.0.0.1:8080"}).find("same address"), std::string::npos);
}

TEST(Cli, UsageListsEveryFlag) {
  auto text = usage();
  for (auto flag : {"--config", "--delivery", "--ingest", "--admin", "--data-dir", "--log-level", "--check-config",
                    "--help", "--version"})
    EXPECT_NE(text.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace live_origin::app
