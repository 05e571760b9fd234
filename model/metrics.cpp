#include "model/metrics.hpp"

namespace live_origin::model {

std::string_view to_string(metric_type type) {
  switch (type) {
    case metric_type::counter:
      return "counter";
    case metric_type::gauge:
      return "gauge";
    case metric_type::histogram:
      return "histogram";
  }
  return "untyped";
}

void prometheus_writer::family(metric id) {
  current_ = &family_of(id);
  fmt::format_to(std::back_inserter(out_), "# HELP {0} {1}\n# TYPE {0} {2}\n", current_->name, current_->help,
                 to_string(current_->type));
}

}  // namespace live_origin::model
