#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <memory>

#include "config/origin_config.hpp"

namespace caf {
class actor_system;
}

namespace live_origin::actors {
class stream_directory;
}

namespace live_origin::app {

// The whole origin in one object: the actor system with its supervisor tree, the bridge pool and the
// three listeners. main() runs one; tests run one per fixture on port 0.
class origin_server {
 public:
  explicit origin_server(config::origin_config config);
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

  boost::asio::ip::tcp::endpoint delivery_endpoint() const;
  boost::asio::ip::tcp::endpoint ingest_endpoint() const;
  boost::asio::ip::tcp::endpoint admin_endpoint() const;

  caf::actor_system& actor_system();
  actors::stream_directory& directory();
  const config::origin_config& config() const;

 private:
  struct parts;
  std::unique_ptr<parts> parts_;
};

}  // namespace live_origin::app
