#pragma once

// A real etcd (Debian's etcd-server) for a test: one member on free loopback ports, its data in a temporary
// folder, killed with the test. scripts/test installs it; without it the tests using this fail.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "support/child_process.hpp"

namespace live_origin::test {

// A loopback port that was free a moment ago (for programs that cannot report a port-0 binding).
inline std::uint16_t free_port() {
  net::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  return acceptor.local_endpoint().port();
}

class etcd_server {
 public:
  etcd_server() {
    auto program = find_program("etcd");
    EXPECT_TRUE(program) << "etcd is not installed (scripts/test installs it; apt-get install etcd-server)";
    // Another process may take a port between free_port() and etcd's bind: then etcd exits, and we retry.
    for (int attempt = 0; attempt < 3 && program; ++attempt) {
      client_port_ = free_port();
      auto peer = "http://127.0.0.1:" + std::to_string(free_port());
      process_ = std::make_unique<child_process>(
          *program,
          std::vector<std::string>{"--name", "test", "--data-dir", (dir_.path() / "data").string(),
                                   "--listen-client-urls", url(), "--advertise-client-urls", url(),
                                   "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                                   "--initial-cluster", "test=" + peer, "--log-level", "warn"},
          dir_);
      if (wait_healthy()) return;
      process_.reset();
    }
    ADD_FAILURE() << "etcd did not become healthy";
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(client_port_); }
  std::uint16_t port() const { return client_port_; }
  void signal(int number) { process_->signal(number); }

 private:
  // Polls /health with a deadline; false when etcd exited or never answered.
  bool wait_healthy() {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    tcp::endpoint endpoint(net::ip::address_v4::loopback(), client_port_);
    while (std::chrono::steady_clock::now() < until) {
      if (process_->wait_exit(std::chrono::milliseconds(0))) return false;
      try {
        if (fetch(endpoint, bhttp::verb::get, "/health").body.find("true") != std::string::npos) return true;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  temp_dir dir_;
  std::uint16_t client_port_ = 0;
  std::unique_ptr<child_process> process_;
};

}  // namespace live_origin::test
