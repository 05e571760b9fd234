#include "http/listener_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

namespace live_origin::http {

namespace {

std::string_view method_label(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "PUT", "POST", "DELETE"})
    if (method == known) return known;
  return "other";
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  fmt::format_to(std::back_inserter(out), "# HELP {0} {1}\n# TYPE {0} {2}\n", name, help, type);
}

}  // namespace

void listener_metrics::count_response(std::string_view method, unsigned status, std::string_view tenant,
                                      std::uint64_t body_bytes_out, double seconds) {
  {
    std::lock_guard lock(requests_mutex_);
    ++requests_[std::tuple<std::string, unsigned, std::string>(method_label(method), status, tenant)];
  }
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

std::uint64_t listener_metrics::rejections(std::string_view reason) const {
  std::lock_guard lock(rejections_mutex_);
  auto it = rejections_.find(reason);
  return it == rejections_.end() ? 0 : it->second;
}

void listener_metrics::write_prometheus(std::span<const listener_metrics* const> listeners, std::string& out) {
  auto to = std::back_inserter(out);
  family(out, "live_origin_http_requests_total", "counter",
         "HTTP requests by listener, method, status code and tenant (empty: none or not configured).");
  for (const auto* m : listeners) {
    std::lock_guard lock(m->requests_mutex_);
    for (const auto& [key, count] : m->requests_)
      fmt::format_to(to,
                     "live_origin_http_requests_total{{listener=\"{}\",method=\"{}\",code=\"{}\",tenant=\"{}\"}} {}\n",
                     m->listener_, std::get<0>(key), std::get<1>(key), std::get<2>(key), count);
  }
  family(out, "live_origin_http_rejections_total", "counter", "Requests refused, by listener and reason.");
  for (const auto* m : listeners) {
    std::lock_guard lock(m->rejections_mutex_);
    for (const auto& [reason, count] : m->rejections_)
      fmt::format_to(to, "live_origin_http_rejections_total{{listener=\"{}\",reason=\"{}\"}} {}\n", m->listener_,
                     reason, count);
  }
  family(out, "live_origin_http_body_bytes_total", "counter", "Body bytes received (in) and sent (out).");
  for (const auto* m : listeners)
    fmt::format_to(to,
                   "live_origin_http_body_bytes_total{{listener=\"{0}\",direction=\"in\"}} {1}\n"
                   "live_origin_http_body_bytes_total{{listener=\"{0}\",direction=\"out\"}} {2}\n",
                   m->listener_, m->body_bytes_in_.load(), m->body_bytes_out_.load());
  family(out, "live_origin_http_connections_total", "counter", "Connections accepted or refused over the limit.");
  for (const auto* m : listeners)
    fmt::format_to(to,
                   "live_origin_http_connections_total{{listener=\"{0}\",result=\"accepted\"}} {1}\n"
                   "live_origin_http_connections_total{{listener=\"{0}\",result=\"refused\"}} {2}\n",
                   m->listener_, m->connections_accepted_.load(), m->connections_refused_.load());
  family(out, "live_origin_http_request_duration_seconds", "histogram",
         "From a request's header to its answer's last byte.");
  for (const auto* m : listeners) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < duration_buckets_s.size(); ++i) {
      cumulative += m->duration_counts_[i].load();
      fmt::format_to(to, "live_origin_http_request_duration_seconds_bucket{{listener=\"{}\",le=\"{}\"}} {}\n",
                     m->listener_, duration_buckets_s[i], cumulative);
    }
    auto count = std::max(m->duration_count_.load(), cumulative);  // a request counted between the loads
    fmt::format_to(to,
                   "live_origin_http_request_duration_seconds_bucket{{listener=\"{0}\",le=\"+Inf\"}} {1}\n"
                   "live_origin_http_request_duration_seconds_sum{{listener=\"{0}\"}} {2}\n"
                   "live_origin_http_request_duration_seconds_count{{listener=\"{0}\"}} {1}\n",
                   m->listener_, count, static_cast<double>(m->duration_sum_us_.load()) / 1e6);
  }
}

}  // namespace live_origin::http
