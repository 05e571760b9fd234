#pragma once

// The whole origin in-process on free loopback ports, with its own temporary data directory.

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>

#include "app/origin_server.hpp"
#include "config/origin_config.hpp"

namespace live_origin::test {

inline config::tenant_config tenant_named(std::string name, const config::live_settings& live = {}) {
  config::tenant_config tenant;
  tenant.name = std::move(name);
  tenant.profile.segment_duration_ms = live.segment_duration_ms;
  tenant.profile.policy = live.policy;
  return tenant;
}

inline config::origin_config test_config() {
  config::origin_config config;
  config.delivery.address = {"127.0.0.1", 0};
  config.ingest.address = {"127.0.0.1", 0};
  config.admin.address = {"127.0.0.1", 0};
  config.log.access_log = false;
  config.log.level = "warn";
  config.tenants = {tenant_named("demo"), tenant_named("other")};
  return config;
}

class temp_dir {
 public:
  temp_dir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("live-origin-test-" + std::to_string(random()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  ~temp_dir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class running_origin {
 public:
  explicit running_origin(const std::function<void(config::origin_config&)>& adjust = {}) {
    spdlog::set_level(spdlog::level::warn);
    auto config = test_config();
    config.data_dir = (data_.path() / "data").string();
    if (adjust) adjust(config);
    // A reload (POST /config/reload) reads whatever the test set with on_reload().
    server_ = std::make_unique<app::origin_server>(config, [source = reload_source_] {
      if (!*source) throw config::config_error("the test set no configuration to reload");
      return (*source)();
    });
    server_->start();
  }

  // What the next reload reads: a function returning the new configuration, or throwing
  // config::config_error like a bad file would.
  void on_reload(std::function<config::origin_config()> source) { *reload_source_ = std::move(source); }

  app::origin_server& server() { return *server_; }
  boost::asio::ip::tcp::endpoint delivery() const { return server_->delivery_endpoint(); }
  boost::asio::ip::tcp::endpoint ingest() const { return server_->ingest_endpoint(); }
  boost::asio::ip::tcp::endpoint admin() const { return server_->admin_endpoint(); }

 private:
  temp_dir data_;
  std::shared_ptr<std::function<config::origin_config()>> reload_source_ =
      std::make_shared<std::function<config::origin_config()>>();
  std::unique_ptr<app::origin_server> server_;
};

}  // namespace live_origin::test
