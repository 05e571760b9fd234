#include "app/cli.hpp"

#include <fmt/format.h>

#include <string_view>

namespace live_origin::app {

std::string usage() {
  return "Usage: live-origin [options]\n"
         "\n"
         "A live-streaming origin: packagers PUT/POST segments and manifests to the ingest listener,\n"
         "CDN nodes GET them from the delivery listener, operators use the admin listener.\n"
         "\n"
         "Options:\n"
         "  --config FILE         TOML config file (default: config/origin.toml)\n"
         "  --delivery ADDR:PORT  delivery listener, overrides delivery.listen\n"
         "  --ingest ADDR:PORT    ingest listener, overrides ingest.listen\n"
         "  --admin ADDR:PORT     admin listener, overrides admin.listen\n"
         "  --data-dir DIR        data directory, overrides storage.data_dir\n"
         "  --log-level LEVEL     trace|debug|info|warn|error|critical|off, overrides log.level\n"
         "  --check-config        validate the config (and flags) and exit: 0 when valid\n"
         "  --help                show this help and exit\n"
         "  --version             print the version and exit\n";
}

cli_options parse_cli(const std::vector<std::string>& args) {
  cli_options options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::string flag(arg);
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      flag = std::string(arg.substr(0, eq));
      inline_value = std::string(arg.substr(eq + 1));
    }
    auto value = [&]() -> std::string {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) throw config::config_error(fmt::format("flag '{}': needs a value", flag));
      return args[++i];
    };
    auto no_value = [&] {
      if (inline_value) throw config::config_error(fmt::format("flag '{}': takes no value", flag));
    };
    if (flag == "--config")
      options.config_path = value();
    else if (flag == "--delivery")
      options.delivery = value();
    else if (flag == "--ingest")
      options.ingest = value();
    else if (flag == "--admin")
      options.admin = value();
    else if (flag == "--data-dir")
      options.data_dir = value();
    else if (flag == "--log-level")
      options.log_level = value();
    else if (flag == "--check-config")
      no_value(), options.check_config = true;
    else if (flag == "--help" || flag == "-h")
      no_value(), options.help = true;
    else if (flag == "--version")
      no_value(), options.version = true;
    else
      throw config::config_error(fmt::format("flag '{}': unknown flag (see --help)", flag));
  }
  return options;
}

void apply_cli(const cli_options& options, config::origin_config& config) {
  auto address = [](std::string_view flag, const std::string& text) {
    auto parsed = config::parse_listen_address(text);
    if (!parsed)
      throw config::config_error(fmt::format("flag '{}': must be HOST:PORT or [V6]:PORT (got \"{}\")", flag, text));
    return *parsed;
  };
  if (options.delivery) config.delivery.address = address("--delivery", *options.delivery);
  if (options.ingest) config.ingest.address = address("--ingest", *options.ingest);
  if (options.admin) config.admin.address = address("--admin", *options.admin);
  if (options.data_dir) {
    if (options.data_dir->empty()) throw config::config_error("flag '--data-dir': must not be empty");
    config.data_dir = *options.data_dir;
  }
  if (options.log_level) {
    if (!config::is_log_level(*options.log_level))
      throw config::config_error(
          fmt::format("flag '--log-level': must be one of trace, debug, info, warn, error, critical, off (got \"{}\")",
                      *options.log_level));
    config.log.level = *options.log_level;
  }
  config::validate(config);
}

}  // namespace live_origin::app
