#include "app/origin_server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/publish.hpp>
#include <caf/logger.hpp>
#include <caf/send.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>
#include <iterator>
#include <thread>

#include "actors/bridge.hpp"
#include "actors/interfaces.hpp"
#include "actors/origin_supervisor.hpp"
#include "actors/stream_directory.hpp"
#include "app/metrics.hpp"
#include "cluster/cluster_actor.hpp"
#include "cluster/cluster_owners.hpp"
#include "cluster/cluster_view.hpp"
#include "cluster/lease_keeper.hpp"
#include "http/listener_metrics.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"
#include "model/endpoint_url.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::app {

namespace {

// Admin requests carry no body worth more than this.
constexpr std::size_t admin_body_limit = 64 << 10;
// Delivery requests (GET/HEAD) carry no body; a few bytes are tolerated, not stored.
constexpr std::size_t delivery_body_limit = 4 << 10;
// At shutdown, after the connections drained (http.shutdown_grace_ms): how long the actors get to finish
// their last messages (a write they started goes on to storage) before storage closes, and how often the
// drain is looked at.
constexpr std::chrono::seconds actors_stop_wait{5};
constexpr std::chrono::milliseconds shutdown_poll_interval{5};

caf::actor_system_config make_actor_config(const config::origin_config& config) {
  caf::actor_system_config actor_config;
  storage::register_message_types(actor_config);
  actors::register_message_types(actor_config);
  cluster::register_message_types(actor_config);
  actor_config.set("scheduler.max-threads", static_cast<std::size_t>(config.actors.scheduler_threads));
  if (config.cluster.enabled()) {
    // BASP between nodes; heartbeats are off by default, so a silent peer would never be noticed.
    actor_config.load<caf::io::middleman>();
    actor_config.set("middleman.heartbeat-interval", caf::timespan{config.cluster.heartbeat});
    actor_config.set("middleman.connection-timeout", caf::timespan{config.cluster.connection_timeout});
  }
  return actor_config;
}

// `counters`: the tenant's counters when it exists already (a reload keeps them), else null.
std::shared_ptr<const actors::stream_defaults> stream_defaults_for(
    const config::origin_config& config, const config::tenant_config& tenant,
    std::shared_ptr<std::atomic<std::size_t>> held_total,
    std::shared_ptr<actors::stream_defaults::hold_outcomes> hold_ends,
    std::shared_ptr<actors::stream_defaults::tenant_counters> counters,
    std::shared_ptr<std::atomic<std::uint64_t>> hot_total, std::shared_ptr<const actors::write_fence> fence) {
  auto defaults = std::make_shared<actors::stream_defaults>();
  defaults->fence = std::move(fence);
  defaults->profile = tenant.profile;
  defaults->cache = config.cache;
  defaults->max_held_per_stream = config.live.max_held_per_stream;
  defaults->max_held_total = config.live.max_held_total;
  defaults->shed_mailbox_messages = config.live.shed_mailbox_messages;
  defaults->storage_timeout = config.storage_timeout;
  defaults->hot_bytes_per_stream = config.hot_bytes_per_stream;
  defaults->hot_bytes_total = config.hot_bytes_total;
  defaults->hot_total = std::move(hot_total);
  defaults->held_total = std::move(held_total);
  defaults->hold_ends = std::move(hold_ends);
  defaults->pipelines = config.pipelines.order;
  defaults->tenant = counters ? std::move(counters)
                              : std::make_shared<actors::stream_defaults::tenant_counters>(defaults->pipelines.size());
  defaults->tenant->stored.set_limit(tenant.quota.max_stored_bytes);
  defaults->manifest_fresh_segments = config.pipelines.manifest_fresh_segments;
  return defaults;
}

http::tenant_policy_map policies_of(const std::vector<config::tenant_config>& tenants) {
  http::tenant_policy_map policies;
  for (const auto& tenant : tenants) policies[tenant.name] = {tenant.tokens, tenant.quota};
  return policies;
}

}  // namespace

struct origin_server::parts {
  config::origin_config config;
  caf::actor_system_config actor_config;
  std::unique_ptr<caf::actor_system> system;
  std::shared_ptr<actors::stream_directory> directory = std::make_shared<actors::stream_directory>();
  std::shared_ptr<actors::bridge_pool> bridges;
  actors::origin_supervisor_actor origin;
  std::shared_ptr<http::listener_metrics> delivery_metrics = std::make_shared<http::listener_metrics>("delivery");
  std::shared_ptr<http::listener_metrics> ingest_metrics = std::make_shared<http::listener_metrics>("ingest");
  std::shared_ptr<http::listener_metrics> admin_metrics = std::make_shared<http::listener_metrics>("admin");
  std::unique_ptr<http::server> delivery;
  std::unique_ptr<http::server> ingest;
  std::unique_ptr<http::server> admin;
  std::atomic<bool> accepting{false};
  bool stopped = false;
  std::shared_ptr<std::atomic<std::size_t>> held_total = std::make_shared<std::atomic<std::size_t>>(0);
  std::shared_ptr<actors::stream_defaults::hold_outcomes> hold_ends =
      std::make_shared<actors::stream_defaults::hold_outcomes>();
  std::function<config::origin_config()> config_source;  // re-reads the configuration for a reload
  std::shared_ptr<http::tenant_policies> policies = std::make_shared<http::tenant_policies>();
  mutable std::mutex tenants_mutex;  // guards `tenants`: read by /metrics, replaced by a reload
  std::vector<actors::tenant_setup> tenants;
  std::shared_ptr<std::atomic<std::uint64_t>> hot_total = std::make_shared<std::atomic<std::uint64_t>>(0);
  // Bodies cached for streams owned by other nodes (a cluster), bounded together.
  std::shared_ptr<cluster::proxy_cache_totals> proxy_cache =
      std::make_shared<cluster::proxy_cache_totals>(config.cluster.cache_bytes_total);
  std::atomic<bool> reloading{false};  // one reload at a time
  storage::storage_pool storage;
  std::shared_ptr<cluster::cluster_view> cluster_view;  // null: a cluster of one
  cluster::cluster_actor cluster;
  std::uint16_t cluster_port = 0;
  std::vector<storage::recovered_stream> recovered;  // what storage held at start, until handed to the tenants
  // With etcd: writes only while this node's lease lives ([cluster] etcd). Null without.
  std::shared_ptr<actors::write_fence> fence;
  std::shared_ptr<cluster::lease_keeper> lease;

  // The setups with the streams storage holds for each tenant (handed over once, at start).
  std::vector<actors::tenant_setup> recover_into(std::vector<actors::tenant_setup> setups) {
    std::size_t streams = 0, candidates = 0;
    for (auto& stream : recovered) {
      auto tenant = std::find_if(setups.begin(), setups.end(), [&](const auto& s) { return s.name == stream.tenant; });
      if (tenant == setups.end()) {
        spdlog::warn("storage holds stream /{}/{} of a tenant that is not configured; it stays stored, unserved",
                     stream.tenant, stream.stream);
        continue;
      }
      ++streams;
      candidates += stream.candidates.size();
      tenant->recovered.push_back(std::move(stream));
    }
    recovered.clear();
    if (streams) spdlog::info("storage: {} streams with {} candidates recovered", streams, candidates);
    return setups;
  }

  // Setups for `configured`, keeping the counters of tenants that exist already.
  std::vector<actors::tenant_setup> setups_for(const std::vector<config::tenant_config>& configured) const {
    std::lock_guard lock(tenants_mutex);
    std::vector<actors::tenant_setup> setups;
    for (const auto& tenant : configured) {
      std::shared_ptr<actors::stream_defaults::tenant_counters> counters;
      for (const auto& known : tenants)
        if (known.name == tenant.name) counters = known.defaults->tenant;
      setups.push_back(
          {tenant.name,
           stream_defaults_for(config, tenant, held_total, hold_ends, std::move(counters), hot_total, fence),
           {}});
    }
    return setups;
  }

  explicit parts(config::origin_config c) : config(std::move(c)), actor_config(make_actor_config(config)) {}

  std::string metrics_text() const {
    const http::listener_metrics* listeners[] = {delivery_metrics.get(), ingest_metrics.get(), admin_metrics.get()};
    std::lock_guard lock(tenants_mutex);
    return render_metrics({.listeners = listeners,
                           .delivery = *delivery_metrics,
                           .streams = directory->stream_count(),
                           .held_requests = held_total->load(),
                           .hold_ends = *hold_ends,
                           .hot_bytes = hot_total->load(std::memory_order_relaxed),
                           .proxy_cache = *proxy_cache,
                           .tenants = tenants});
  }

  http::listener_settings settings(std::string name, const config::listener_config& listener, std::size_t body_limit,
                                   spdlog::level::level_enum refusal_log_level) const {
    return {std::move(name), listener, config.http, body_limit, config.log.access_log, refusal_log_level};
  }
};

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint) {
  return config::listen_address{endpoint.address().to_string(), endpoint.port()}.to_string();
}

origin_server::origin_server(config::origin_config config, std::function<config::origin_config()> config_source)
    : parts_(std::make_unique<parts>(std::move(config))) {
  parts_->config_source = std::move(config_source);
}

void origin_server::reload(std::function<void(http::reload_result)> done) {
  auto& p = *parts_;
  auto refuse = [&](std::string why) {
    spdlog::error("configuration reload refused, the running configuration stays: {}", why);
    done({false, std::move(why)});
  };
  if (!p.config_source) return refuse("the origin was started without a configuration file");
  if (!p.origin) return refuse("the origin is not running");
  if (p.reloading.exchange(true)) return refuse("another reload is in progress");
  config::origin_config next;
  try {
    next = p.config_source();
  } catch (const std::exception& e) {
    p.reloading = false;
    return refuse(e.what());
  }
  auto setups = p.setups_for(next.tenants);
  std::size_t added = 0, kept = 0, removed = 0;
  {
    std::lock_guard lock(p.tenants_mutex);
    for (const auto& setup : setups) {
      bool known = std::any_of(p.tenants.begin(), p.tenants.end(), [&](const auto& t) { return t.name == setup.name; });
      (known ? kept : added) += 1;
    }
    removed = p.tenants.size() - kept;
  }
  auto message = fmt::format(
      "{} tenants ({} added, {} removed); tokens and quotas replaced; other sections take "
      "effect at the next restart",
      setups.size(), added, removed);
  // Credentials and quotas first, so a revoked token stops working at once; then the actor tree.
  p.policies->replace(policies_of(next.tenants));
  p.bridges->post([&p, setups, message, done](caf::event_based_actor* self) {
    self->request(p.origin, actors::reload_recovery_wait * 2, actors::reload_atom_v, actors::tenant_reload{setups})
        .then(
            [&p, setups, message, done](std::uint64_t) {
              {
                std::lock_guard lock(p.tenants_mutex);
                p.tenants = setups;
              }
              p.reloading = false;
              spdlog::info("configuration reloaded: {}", message);
              done({true, message});
            },
            [&p, done](caf::error& error) {
              p.reloading = false;
              auto why = "the actors did not take the new tenants: " + caf::to_string(error);
              spdlog::error("configuration reload: {}", why);
              done({false, why});
            });
  });
}

http::reload_result origin_server::reload_and_wait() {
  std::promise<http::reload_result> result;
  auto answer = result.get_future();
  reload([&result](http::reload_result outcome) { result.set_value(std::move(outcome)); });
  return answer.get();
}

origin_server::~origin_server() { shutdown(); }

void origin_server::start() {
  auto& p = *parts_;
  std::error_code ec;
  std::filesystem::create_directories(p.config.data_dir, ec);
  if (ec) throw std::runtime_error("cannot create data directory '" + p.config.data_dir + "': " + ec.message());

  auto store_dir = (std::filesystem::path(p.config.data_dir) / "store").string();
  std::shared_ptr<storage::object_store> store = storage::open_rocksdb_store(
      store_dir, p.config.power_safe ? storage::durability::power : storage::durability::process,
      p.config.write_buffer_bytes);
  const auto& cluster_config = p.config.cluster;
  // In a cluster a starting node owns nothing yet: its streams open when placement gives them to it.
  if (!cluster_config.enabled()) p.recovered = storage::recover_streams(*store);  // before any actor reads the store
  p.system = std::make_unique<caf::actor_system>(p.actor_config);
  storage::replication_settings replication;
  std::shared_ptr<const actors::stream_owners> owners;  // none: this node owns every stream
  if (cluster_config.enabled()) {
    cluster::node_record self{
        .id = cluster_config.node_id, .host = cluster_config.listen.host, .port = cluster_config.listen.port};
    p.cluster_view = std::make_shared<cluster::cluster_view>(self, cluster_config.replicas);
    replication = {.replicas = p.cluster_view,
                   .chunk_bytes = cluster_config.chunk_bytes,
                   .timeout = cluster_config.request_timeout};
    cluster::proxy_settings proxy{
        .chunk_bytes = cluster_config.chunk_bytes,
        .cache_bytes = cluster_config.cache_bytes_per_stream,
        .cache_totals = p.proxy_cache,
        .request_timeout = cluster_config.request_timeout,
        .idle_end = cluster_config.proxy_idle,
        // Tokens are per process; a tag per node keeps holds from different nodes apart at the owner.
        .token_tag = (std::hash<std::string>{}(cluster_config.node_id) & 0xffffffull) << 40,
        .cache = p.config.cache,
    };
    owners = std::make_shared<cluster::cluster_owners>(p.cluster_view, std::move(proxy));
  }
  for (int i = 0; i < p.config.storage_writers; ++i)
    p.storage.push_back(storage::spawn_storage_actor(*p.system, store, replication));
  p.bridges = std::make_shared<actors::bridge_pool>(*p.system, p.config.actors.bridges);
  if (!cluster_config.etcd.empty()) {
    p.fence = std::make_shared<actors::write_fence>();
    cluster::lease_settings lease{
        .ttl = cluster_config.lease_ttl, .margin = cluster_config.lease_margin, .timeout = cluster_config.etcd_timeout};
    for (const auto& url : cluster_config.etcd) lease.members.push_back(*model::parse_endpoint_url(url));
    p.lease = std::make_shared<cluster::lease_keeper>(std::move(lease), p.fence);
    p.lease->start();
  }
  p.tenants = p.setups_for(p.config.tenants);
  p.policies->replace(policies_of(p.config.tenants));
  p.origin = actors::spawn_origin_supervisor(*p.system, p.recover_into(p.tenants), p.directory, p.storage, owners);
  if (cluster_config.enabled()) {
    cluster::cluster_options options;
    options.self = {
        .id = cluster_config.node_id, .host = cluster_config.listen.host, .port = cluster_config.listen.port};
    for (const auto& seed : cluster_config.seeds) options.seeds.emplace_back(seed.host, seed.port);
    options.chunk_bytes = cluster_config.chunk_bytes;
    options.max_body_bytes = p.config.http.max_body_bytes;
    options.tick = cluster_config.heartbeat;
    options.connection_timeout = cluster_config.connection_timeout;
    options.request_timeout = cluster_config.request_timeout;
    options.join_timeout = cluster_config.join_timeout;
    options.max_hold = std::chrono::milliseconds(p.config.live.policy.max_hold_ms);
    options.cache = p.config.cache;
    p.cluster = cluster::spawn_cluster_actor(*p.system, std::move(options), p.cluster_view, p.directory, p.storage);
  }

  http::route_context context;
  context.directory = p.directory;
  context.bridges = p.bridges;
  context.origin = p.origin;
  context.max_target_bytes = p.config.http.max_target_bytes;
  context.request_timeout = p.config.http.request_timeout;
  context.max_hold = std::chrono::milliseconds(p.config.live.policy.max_hold_ms);
  context.cache = p.config.cache;
  context.held_total = p.held_total;
  context.shed_inflight_requests = p.config.live.shed_inflight_requests;
  context.pipelines = p.config.pipelines.order;
  context.region = p.config.region;
  context.admin_token = p.config.admin_token;
  context.fault_injection = p.config.fault_injection;
  context.delivery_allow = p.config.delivery_allow;
  context.tenants = p.policies;
  context.reload = [this](std::function<void(http::reload_result)> done) { reload(std::move(done)); };
  context.accepting = [&p] { return p.accepting.load(); };
  context.clustered = cluster_config.enabled();
  if (p.cluster) context.cluster = p.cluster;
  context.lease = p.lease;
  context.metrics = [&p] { return p.metrics_text(); };
  p.delivery = std::make_unique<http::server>(
      p.settings("delivery", p.config.delivery, delivery_body_limit, spdlog::level::debug),
      http::make_delivery_handler(context), p.delivery_metrics);
  p.ingest = std::make_unique<http::server>(
      p.settings("ingest", p.config.ingest, p.config.http.max_body_bytes, spdlog::level::warn),
      http::make_ingest_handler(context), p.ingest_metrics);
  p.admin = std::make_unique<http::server>(p.settings("admin", p.config.admin, admin_body_limit, spdlog::level::info),
                                           http::make_admin_handler(context), p.admin_metrics);
  p.delivery->start();
  p.ingest->start();
  p.admin->start();
  if (cluster_config.enabled()) start_cluster();
  p.accepting = true;
  // Spawning from this thread left it holding a reference to CAF's logger, and ~actor_system waits
  // for every such reference; drop it so that any thread may call shutdown().
  caf::logger::set_current_actor_system(nullptr);
}

void origin_server::start_cluster() {
  auto& p = *parts_;
  const auto& cluster_config = p.config.cluster;
  auto port = caf::io::publish(p.cluster, cluster_config.listen.port, cluster_config.listen.host.c_str(), true);
  if (!port)
    throw std::runtime_error(fmt::format("cluster: cannot listen on {}: {}", cluster_config.listen.to_string(),
                                         p.system->render(port.error())));
  p.cluster_port = *port;
  // Peers learn this node's addresses from its record, complete only now (port 0: any free one). Then
  // the first tick (the actor schedules the next ones) contacts the seeds.
  cluster::node_record self{.id = cluster_config.node_id,
                            .host = cluster_config.listen.host,
                            .port = *port,
                            .delivery = endpoint_text(p.delivery->endpoint()),
                            .ingest = endpoint_text(p.ingest->endpoint()),
                            .admin = endpoint_text(p.admin->endpoint())};
  caf::anon_send(p.cluster, cluster::member_atom_v, self);
  caf::anon_send(p.cluster, cluster::tick_atom_v);
  spdlog::info("cluster: node {} listening on {}:{}, {} seed(s)", cluster_config.node_id, cluster_config.listen.host,
               *port, cluster_config.seeds.size());
}

bool origin_server::shutdown() {
  auto& p = *parts_;
  if (p.stopped) return true;
  p.stopped = true;
  p.accepting = false;
  std::vector<http::server*> servers;
  for (auto* server : {p.delivery.get(), p.ingest.get(), p.admin.get()})
    if (server) servers.push_back(server);

  for (auto* server : servers) server->begin_drain();
  auto deadline = std::chrono::steady_clock::now() + p.config.http.shutdown_grace;
  auto open = [&] {
    std::size_t total = 0;
    for (auto* server : servers) total += server->open_connections();
    return total;
  };
  while (open() > 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(shutdown_poll_interval);
  bool drained = open() == 0;
  if (!drained) spdlog::warn("shutdown: {} connection(s) still open after the grace period; closing them", open());

  // Actors stop while the I/O threads still run: a reply in flight may still post to a connection.
  if (p.system) {
    caf::anon_send_exit(p.origin, caf::exit_reason::user_shutdown);
    if (p.cluster) caf::anon_send_exit(p.cluster, caf::exit_reason::user_shutdown);
    p.bridges->stop();
    // Storage stops last: stream actors finishing their last message may still write through it.
    auto actors_deadline = std::chrono::steady_clock::now() + actors_stop_wait;
    while (p.system->registry().running() > p.storage.size() && std::chrono::steady_clock::now() < actors_deadline)
      std::this_thread::sleep_for(shutdown_poll_interval);
    for (auto& storage : p.storage) caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);  // closes the store
    p.system->await_all_actors_done();
  }
  if (p.lease) p.lease->stop();  // after the last write: the lease goes, and another node may take over
  for (auto* server : servers) server->stop();
  p.delivery.reset();
  p.ingest.reset();
  p.admin.reset();
  p.bridges.reset();
  p.directory->clear();
  p.origin = nullptr;
  p.cluster = nullptr;
  p.storage.clear();
  p.system.reset();
  p.lease.reset();
  return drained;
}

boost::asio::ip::tcp::endpoint origin_server::delivery_endpoint() const { return parts_->delivery->endpoint(); }
boost::asio::ip::tcp::endpoint origin_server::ingest_endpoint() const { return parts_->ingest->endpoint(); }
boost::asio::ip::tcp::endpoint origin_server::admin_endpoint() const { return parts_->admin->endpoint(); }
caf::actor_system& origin_server::actor_system() { return *parts_->system; }
std::uint16_t origin_server::cluster_port() const { return parts_->cluster_port; }
actors::stream_directory& origin_server::directory() { return *parts_->directory; }
const config::origin_config& origin_server::config() const { return parts_->config; }

}  // namespace live_origin::app
