// live-origin: command line, start-up, signal handling and orderly shutdown.

#include <spdlog/spdlog.h>

#include <pthread.h>
#include <csignal>
#include <cstdio>

#include "app/cli.hpp"
#include "app/logging.hpp"
#include "app/origin_server.hpp"

int main(int argc, char** argv) {
  using namespace live_origin;
  app::cli_options options;
  config::origin_config config;
  try {
    options = app::parse_cli({argv + 1, argv + argc});
    if (options.help) {
      std::fputs(app::usage().c_str(), stdout);
      return 0;
    }
    if (options.version) {
      std::puts("live-origin " LIVE_ORIGIN_VERSION);
      return 0;
    }
    config = config::load_config_file(options.config_path);
    app::apply_cli(options, config);
  } catch (const config::config_error& e) {
    std::fprintf(stderr, "live-origin: %s\n", e.what());
    return 1;
  }
  if (options.check_config) {
    std::printf("live-origin: configuration %s is valid\n", options.config_path.c_str());
    return 0;
  }

  app::setup_logging(config.log);

  // Block the handled signals before any thread starts, so that every thread inherits the mask and
  // only sigwait() below sees them.
  sigset_t handled_signals;
  sigemptyset(&handled_signals);
  sigaddset(&handled_signals, SIGINT);
  sigaddset(&handled_signals, SIGTERM);
  sigaddset(&handled_signals, SIGHUP);  // reload the configuration
  pthread_sigmask(SIG_BLOCK, &handled_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // A reload reads the same file with the same command-line overrides.
  app::origin_server server(config, [options] {
    auto next = config::load_config_file(options.config_path);
    app::apply_cli(options, next);
    return next;
  });
  try {
    server.start();
  } catch (const std::exception& e) {
    spdlog::critical("start-up failed: {}", e.what());
    server.shutdown();
    spdlog::shutdown();
    return 1;
  }
  spdlog::info("live-origin {} ready: delivery={} ingest={} admin={} tenants={}", LIVE_ORIGIN_VERSION,
               app::endpoint_text(server.delivery_endpoint()), app::endpoint_text(server.ingest_endpoint()),
               app::endpoint_text(server.admin_endpoint()), config.tenants.size());
  if (config.cluster.enabled())
    spdlog::info("cluster node {} on {}:{}", config.cluster.node_id, config.cluster.listen.host, server.cluster_port());

  int signal_number = 0;
  while (sigwait(&handled_signals, &signal_number) == 0 && signal_number == SIGHUP) {
    spdlog::info("received SIGHUP; reloading {}", options.config_path);
    server.reload_and_wait();  // logs what changed, or why the file was refused
  }
  spdlog::info("received {}; draining (grace {} ms)", signal_number == SIGINT ? "SIGINT" : "SIGTERM",
               config.http.shutdown_grace.count());
  bool drained = server.shutdown();
  spdlog::info("stopped{}", drained ? "" : " (some connections were cut at the end of the grace period)");
  spdlog::shutdown();
  return 0;
}
