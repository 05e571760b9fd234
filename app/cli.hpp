#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/origin_config.hpp"

namespace live_origin::app {

// What the command line asked for. Flags override the config file's listen addresses, data
// directory and log level.
struct cli_options {
  std::string config_path = "config/origin.toml";
  std::optional<std::string> delivery;
  std::optional<std::string> ingest;
  std::optional<std::string> admin;
  std::optional<std::string> data_dir;
  std::optional<std::string> log_level;
  bool check_config = false;
  bool help = false;
  bool version = false;
};

// Throws config::config_error naming the flag and the problem.
cli_options parse_cli(const std::vector<std::string>& args);

// Applies the overrides to a loaded config, then validates the result.
void apply_cli(const cli_options& options, config::origin_config& config);

std::string usage();

}  // namespace live_origin::app
