#include "http/listener_metrics.hpp"

#include <fmt/format.h>

namespace live_origin::http {

void listener_metrics::count_response(unsigned status, std::uint64_t body_bytes_out, double seconds) {
  auto status_class = status / 100;
  if (status_class >= 1 && status_class <= 5) responses_by_class_[status_class].fetch_add(1, std::memory_order_relaxed);
  body_bytes_out_.fetch_add(body_bytes_out, std::memory_order_relaxed);
  for (std::size_t i = 0; i < duration_buckets_s.size(); ++i)
    if (seconds <= duration_buckets_s[i]) {
      duration_counts_[i].fetch_add(1, std::memory_order_relaxed);  // cumulated when written out
      break;
    }
  duration_count_.fetch_add(1, std::memory_order_relaxed);
  duration_sum_us_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void listener_metrics::count_rejection(std::string_view reason) {
  std::lock_guard lock(rejections_mutex_);
  auto it = rejections_.find(reason);
  if (it == rejections_.end()) it = rejections_.emplace(std::string(reason), 0).first;
  ++it->second;
}

void listener_metrics::count_connection(bool refused) {
  (refused ? connections_refused_ : connections_accepted_).fetch_add(1, std::memory_order_relaxed);
}

std::uint64_t listener_metrics::responses(unsigned status_class) const {
  return status_class >= 1 && status_class <= 5 ? responses_by_class_[status_class].load() : 0;
}

std::uint64_t listener_metrics::rejections(std::string_view reason) const {
  std::lock_guard lock(rejections_mutex_);
  auto it = rejections_.find(reason);
  return it == rejections_.end() ? 0 : it->second;
}

void write_prometheus_preamble(std::string& out) {
  out +=
      "# HELP live_origin_http_responses_total HTTP responses by listener and status class.\n"
      "# TYPE live_origin_http_responses_total counter\n"
      "# HELP live_origin_http_rejections_total Requests refused, by listener and reason.\n"
      "# TYPE live_origin_http_rejections_total counter\n"
      "# HELP live_origin_http_body_bytes_total Body bytes received (in) and sent (out).\n"
      "# TYPE live_origin_http_body_bytes_total counter\n"
      "# HELP live_origin_http_connections_total Connections accepted or refused over the limit.\n"
      "# TYPE live_origin_http_connections_total counter\n"
      "# HELP live_origin_http_request_duration_seconds From a request's header to its answer's last byte.\n"
      "# TYPE live_origin_http_request_duration_seconds histogram\n";
}

void listener_metrics::write_prometheus(std::string& out) const {
  for (unsigned status_class = 1; status_class <= 5; ++status_class)
    fmt::format_to(std::back_inserter(out), "live_origin_http_responses_total{{listener=\"{}\",code=\"{}xx\"}} {}\n",
                   listener_, status_class, responses_by_class_[status_class].load());
  {
    std::lock_guard lock(rejections_mutex_);
    for (const auto& [reason, count] : rejections_)
      fmt::format_to(std::back_inserter(out), "live_origin_http_rejections_total{{listener=\"{}\",reason=\"{}\"}} {}\n",
                     listener_, reason, count);
  }
  fmt::format_to(std::back_inserter(out),
                 "live_origin_http_body_bytes_total{{listener=\"{0}\",direction=\"in\"}} {1}\n"
                 "live_origin_http_body_bytes_total{{listener=\"{0}\",direction=\"out\"}} {2}\n"
                 "live_origin_http_connections_total{{listener=\"{0}\",result=\"accepted\"}} {3}\n"
                 "live_origin_http_connections_total{{listener=\"{0}\",result=\"refused\"}} {4}\n",
                 listener_, body_bytes_in_.load(), body_bytes_out_.load(), connections_accepted_.load(),
                 connections_refused_.load());
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < duration_buckets_s.size(); ++i) {
    cumulative += duration_counts_[i].load();
    fmt::format_to(std::back_inserter(out),
                   "live_origin_http_request_duration_seconds_bucket{{listener=\"{}\",le=\"{}\"}} {}\n", listener_,
                   duration_buckets_s[i], cumulative);
  }
  auto count = duration_count_.load();
  fmt::format_to(std::back_inserter(out),
                 "live_origin_http_request_duration_seconds_bucket{{listener=\"{0}\",le=\"+Inf\"}} {1}\n"
                 "live_origin_http_request_duration_seconds_sum{{listener=\"{0}\"}} {2}\n"
                 "live_origin_http_request_duration_seconds_count{{listener=\"{0}\"}} {1}\n",
                 listener_, count, static_cast<double>(duration_sum_us_.load()) / 1e6);
}

}  // namespace live_origin::http
