#pragma once

#include <spdlog/common.h>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <memory>
#include <string>

#include "config/origin_config.hpp"
#include "http/listener_metrics.hpp"
#include "http/message.hpp"

namespace live_origin::http {

struct listener_settings {
  std::string name;  // "delivery", "ingest" or "admin": in logs and metrics
  config::listener_config listener;
  config::http_limits limits;
  std::size_t body_limit = 0;  // largest request body this listener reads
  bool access_log = true;
  // Refusals are always counted; this is the level they are logged at. Ingest refusals matter
  // (packagers never read statuses); delivery ones can come by the thousand under load.
  spdlog::level::level_enum refusal_log_level = spdlog::level::warn;
};

// One HTTP/1.1 listener with its own io_context and threads, so a read storm on one listener cannot
// starve another. Sessions read, hand the request to the handler, and write; they decide nothing.
class server {
 public:
  server(listener_settings settings, std::shared_ptr<handler> handler, std::shared_ptr<listener_metrics> metrics);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  // Binds, listens and starts the I/O threads. Throws std::runtime_error naming the listener and the
  // address when it cannot bind.
  void start();
  boost::asio::ip::tcp::endpoint endpoint() const;

  // Stops accepting; idle keep-alive connections close now, busy ones right after their response.
  void begin_drain();
  std::size_t open_connections() const;

  // Stops the I/O threads; whatever is still open is dropped. Idempotent.
  void stop();

  struct core;  // public so that sessions (internal) can name it

 private:
  std::unique_ptr<core> core_;
};

}  // namespace live_origin::http
