#include "app/logging.hpp"

#include <chrono>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace live_origin::app {

namespace {
// Lines waiting for the access-log writer; past this the oldest are dropped rather than blocking.
constexpr std::size_t access_log_queue_lines = 16384;
}  // namespace

void setup_logging(const config::log_settings& settings) {
  auto operational = spdlog::stderr_logger_mt("live-origin");
  operational->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  operational->set_level(spdlog::level::from_str(settings.level));
  spdlog::set_default_logger(operational);

  spdlog::init_thread_pool(access_log_queue_lines, 1);
  auto access = spdlog::create_async_nb<spdlog::sinks::stdout_sink_mt>("access");
  access->set_pattern("%Y-%m-%dT%H:%M:%S.%e %v");
  access->set_level(settings.access_log ? spdlog::level::info : spdlog::level::off);
  // stdout to a file or pipe is block-buffered: without this, access lines would show up only at exit.
  spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace live_origin::app
