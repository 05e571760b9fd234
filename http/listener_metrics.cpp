#include "http/listener_metrics.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "model/metrics.hpp"

namespace live_origin::http {

namespace {

std::string_view method_label(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "PUT", "POST", "DELETE"})
    if (method == known) return known;
  return "other";
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

void listener_metrics::count_connection(bool refused) {
  (refused ? connections_refused_ : connections_accepted_).fetch_add(1, std::memory_order_relaxed);
}

void listener_metrics::write_prometheus(std::span<const listener_metrics* const> listeners, std::string& out) {
  model::prometheus_writer metrics(out);
  metrics.family(model::metric::http_requests_total);
  for (const auto* m : listeners) {
    std::lock_guard lock(m->requests_mutex_);
    for (const auto& [key, count] : m->requests_)
      metrics.sample({m->listener_, std::get<0>(key), std::to_string(std::get<1>(key)), std::get<2>(key)}, count);
  }
  metrics.family(model::metric::http_rejections_total);
  for (const auto* m : listeners)
    for (std::size_t i = 0; i < m->rejections_.size(); ++i)
      if (auto count = m->rejections_[i].load(); count > 0)  // reasons never seen are not listed
        metrics.sample({m->listener_, model::to_string(static_cast<model::rejection>(i))}, count);
  metrics.family(model::metric::http_body_bytes_total);
  for (const auto* m : listeners) {
    metrics.sample({m->listener_, "in"}, m->body_bytes_in_.load());
    metrics.sample({m->listener_, "out"}, m->body_bytes_out_.load());
  }
  metrics.family(model::metric::http_connections_total);
  for (const auto* m : listeners) {
    metrics.sample({m->listener_, "accepted"}, m->connections_accepted_.load());
    metrics.sample({m->listener_, "refused"}, m->connections_refused_.load());
  }
  metrics.family(model::metric::http_request_duration_seconds);
  for (const auto* m : listeners) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < duration_buckets_s.size(); ++i) {
      cumulative += m->duration_counts_[i].load();
      metrics.histogram_sample("_bucket", {m->listener_}, fmt::format("{}", duration_buckets_s[i]), cumulative);
    }
    auto count = std::max(m->duration_count_.load(), cumulative);  // a request counted between the loads
    metrics.histogram_sample("_bucket", {m->listener_}, "+Inf", count);
    metrics.histogram_sample("_sum", {m->listener_}, "", static_cast<double>(m->duration_sum_us_.load()) / 1e6);
    metrics.histogram_sample("_count", {m->listener_}, "", count);
  }
}

}  // namespace live_origin::http
