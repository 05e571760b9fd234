#pragma once

#include "config/origin_config.hpp"

namespace live_origin::app {

// Operational log on stderr at the configured level; access log (one line per request) on stdout
// through a bounded asynchronous queue, so a slow log consumer never stalls an I/O thread.
void setup_logging(const config::log_settings& settings);

}  // namespace live_origin::app
