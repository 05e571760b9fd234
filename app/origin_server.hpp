#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "config/origin_config.hpp"
#include "http/routes.hpp"

namespace caf {
class actor_system;
}

namespace live_origin::actors {
class stream_directory;
}

namespace live_origin::app {

// HOST:PORT as the logs and the cluster's node records show a listener ([V6]:PORT for IPv6).
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);

// The whole origin in one object: the actor system with its supervisor tree, the bridge pool and the
// three listeners. main() runs one; tests run one per fixture on port 0.
class origin_server {
 public:
  // `config_source` re-reads the configuration on a reload (SIGHUP, POST /config/reload); without one,
  // reloads are refused.
  explicit origin_server(config::origin_config config, std::function<config::origin_config()> config_source = {});
  ~origin_server();
  origin_server(const origin_server&) = delete;
  origin_server& operator=(const origin_server&) = delete;

  // Starts actors, then listeners. Throws std::runtime_error (naming what failed) when a listener
  // cannot bind or the data directory cannot be created.
  void start();

  // Orderly stop: stop accepting, let in-flight requests finish (bounded by http.shutdown_grace_ms),
  // then stop the actors and the I/O threads. Idempotent. Returns true when every connection finished
  // within the grace period.
  bool shutdown();

  // Re-reads the configuration and applies its tenants, ingest tokens and quotas without dropping
  // streams or connections: new tenants start, removed ones stop (their streams with them), the others
  // keep their streams and counters. A configuration that does not load changes nothing. `done` runs
  // once, on some thread, when the actors have the new tenants (or the reload was refused).
  void reload(std::function<void(http::reload_result)> done);
  http::reload_result reload_and_wait();  // the same, waiting (the signal thread, tests)

  boost::asio::ip::tcp::endpoint delivery_endpoint() const;
  boost::asio::ip::tcp::endpoint ingest_endpoint() const;
  boost::asio::ip::tcp::endpoint admin_endpoint() const;

  std::uint16_t cluster_port() const;  // the CAF port peers reach this node on; 0 without a cluster
  caf::actor_system& actor_system();
  actors::stream_directory& directory();
  const config::origin_config& config() const;

 private:
  void start_cluster();
  struct parts;
  std::unique_ptr<parts> parts_;
};

}  // namespace live_origin::app
