#pragma once

// What the origin counts, declared once: every family /metrics shows, with its type, help text and
// labels. /metrics is rendered from this table with prometheus_writer; the values come from the
// counters each part of the origin keeps (listener metrics, stream defaults, the proxy cache).

#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace live_origin::model {

enum class metric_type { counter, gauge, histogram };

enum class metric : std::uint8_t {
  http_requests_total,
  http_rejections_total,
  http_body_bytes_total,
  http_connections_total,
  http_request_duration_seconds,
  streams,
  held_requests,
  held_requests_total,
  hot_bytes,
  cluster_cache_bytes,
  cluster_cache_hits_total,
  stored_bytes,
  stored_objects,
  stream_restarts_total,
  segments_received_total,
  segments_served_total,
  derived_defects_total,
  shed_requests_total,
};

struct metric_family {
  metric id;
  std::string_view name;
  metric_type type;
  std::string_view help;
  std::array<std::string_view, 4> labels;  // in sample order; unused ones empty
  std::size_t label_count() const {
    std::size_t count = 0;
    while (count < labels.size() && !labels[count].empty()) ++count;
    return count;
  }
};

inline constexpr std::array<metric_family, 18> metric_families{{
    {metric::http_requests_total,
     "live_origin_http_requests_total",
     metric_type::counter,
     "HTTP requests by listener, method, status code and tenant (empty: none or not configured).",
     {"listener", "method", "code", "tenant"}},
    {metric::http_rejections_total,
     "live_origin_http_rejections_total",
     metric_type::counter,
     "Requests refused, by listener and reason.",
     {"listener", "reason"}},
    {metric::http_body_bytes_total,
     "live_origin_http_body_bytes_total",
     metric_type::counter,
     "Body bytes received (in) and sent (out).",
     {"listener", "direction"}},
    {metric::http_connections_total,
     "live_origin_http_connections_total",
     metric_type::counter,
     "Connections accepted or refused over the limit.",
     {"listener", "result"}},
    {metric::http_request_duration_seconds,
     "live_origin_http_request_duration_seconds",
     metric_type::histogram,
     "From a request's header to its answer's last byte.",
     {"listener"}},
    {metric::streams, "live_origin_streams", metric_type::gauge, "Stream actors currently running.", {}},
    {metric::held_requests,
     "live_origin_held_requests",
     metric_type::gauge,
     "GET requests held for a segment that has not landed.",
     {}},
    {metric::held_requests_total,
     "live_origin_held_requests_total",
     metric_type::counter,
     "Held GET requests by how they ended.",
     {"outcome"}},
    {metric::hot_bytes,
     "live_origin_hot_bytes",
     metric_type::gauge,
     "Media segment bytes held in memory (the hot window) across all streams.",
     {}},
    {metric::cluster_cache_bytes,
     "live_origin_cluster_cache_bytes",
     metric_type::gauge,
     "Bodies kept for streams owned by other nodes.",
     {}},
    {metric::cluster_cache_hits_total,
     "live_origin_cluster_cache_hits_total",
     metric_type::counter,
     "GETs for streams owned elsewhere served from kept bytes.",
     {}},
    {metric::stored_bytes,
     "live_origin_stored_bytes",
     metric_type::gauge,
     "Bytes stored now across the tenant's streams.",
     {"tenant"}},
    {metric::stored_objects,
     "live_origin_stored_objects",
     metric_type::gauge,
     "Objects stored now across the tenant's streams.",
     {"tenant"}},
    {metric::stream_restarts_total,
     "live_origin_stream_restarts_total",
     metric_type::counter,
     "Stream actors restarted by their tenant supervisor.",
     {"tenant"}},
    {metric::segments_received_total,
     "live_origin_segments_received_total",
     metric_type::counter,
     "Media segments received, by tenant and pipeline (first upload).",
     {"tenant", "pipeline"}},
    {metric::segments_served_total,
     "live_origin_segments_served_total",
     metric_type::counter,
     "Media segments by tenant and the pipeline whose candidate was served first.",
     {"tenant", "pipeline"}},
    {metric::derived_defects_total,
     "live_origin_derived_defects_total",
     metric_type::counter,
     "Defects the origin's own inspection found in uploaded segments, by tenant, pipeline and kind.",
     {"tenant", "pipeline", "kind"}},
    {metric::shed_requests_total,
     "live_origin_shed_requests_total",
     metric_type::counter,
     "Delivery requests shed under load, by reason.",
     {"reason"}},
}};

constexpr const metric_family& family_of(metric id) { return metric_families[static_cast<std::size_t>(id)]; }

// The table is indexed by the enum: each entry sits at its own position.
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < metric_families.size(); ++i)
    if (static_cast<std::size_t>(metric_families[i].id) != i) return false;
  return true;
}
static_assert(table_in_enum_order(), "metric_families must list the families in the order of enum metric");

std::string_view to_string(metric_type type);

// Writes the Prometheus text exposition format: a family's HELP and TYPE lines from the table, then its
// samples, each with exactly the family's labels in order (a histogram's `le` comes on top).
class prometheus_writer {
 public:
  explicit prometheus_writer(std::string& out) : out_(out) {}

  void family(metric id);

  template <class Value>
  void sample(std::initializer_list<std::string_view> label_values, const Value& value) {
    sample_named("", label_values, {}, value);
  }

  // Histograms: `suffix` is _bucket, _sum or _count; `le` is the bucket's bound (empty for _sum and _count).
  template <class Value>
  void histogram_sample(std::string_view suffix, std::initializer_list<std::string_view> label_values,
                        std::string_view le, const Value& value) {
    sample_named(suffix, label_values, le, value);
  }

 private:
  template <class Value>
  void sample_named(std::string_view suffix, std::initializer_list<std::string_view> label_values, std::string_view le,
                    const Value& value) {
    assert(current_ && "a sample belongs to a family");
    assert(label_values.size() == current_->label_count() && "every label of the family, in order");
    auto to = std::back_inserter(out_);
    fmt::format_to(to, "{}{}", current_->name, suffix);
    if (label_values.size() > 0 || !le.empty()) {
      out_ += '{';
      std::size_t i = 0;
      for (auto label : label_values) {
        if (i > 0) out_ += ',';
        fmt::format_to(to, "{}=\"{}\"", current_->labels[i++], label);
      }
      if (!le.empty()) fmt::format_to(to, "{}le=\"{}\"", i > 0 ? "," : "", le);
      out_ += '}';
    }
    fmt::format_to(to, " {}\n", value);
  }

  std::string& out_;
  const metric_family* current_ = nullptr;
};

}  // namespace live_origin::model
