#include "app/metrics.hpp"

#include "model/metrics.hpp"
#include "model/rejection.hpp"

namespace live_origin::app {

std::string render_metrics(const metric_sources& sources) {
  using model::metric;
  using counters = actors::stream_defaults::tenant_counters;
  std::string out;
  http::listener_metrics::write_prometheus(sources.listeners, out);
  model::prometheus_writer metrics(out);
  metrics.family(metric::streams);
  metrics.sample({}, sources.streams);
  metrics.family(metric::held_requests);
  metrics.sample({}, sources.held_requests);
  metrics.family(metric::held_requests_total);
  metrics.sample({"released"}, sources.hold_ends.released.load());
  metrics.sample({"timed_out"}, sources.hold_ends.timed_out.load());
  metrics.sample({"abandoned"}, sources.hold_ends.abandoned.load());
  metrics.family(metric::hot_bytes);
  metrics.sample({}, sources.hot_bytes);
  metrics.family(metric::cluster_cache_bytes);
  metrics.sample({}, sources.proxy_cache.bytes.bytes());
  metrics.family(metric::cluster_cache_hits_total);
  metrics.sample({}, sources.proxy_cache.hits.load());

  // Per tenant: what is stored, restarts, and what each pipeline delivered and had served.
  auto per_tenant = [&](metric id, auto value) {
    metrics.family(id);
    for (const auto& tenant : sources.tenants) metrics.sample({tenant.name}, value(*tenant.defaults->tenant));
  };
  auto per_pipeline = [&](metric id, const std::vector<std::atomic<std::uint64_t>> counters::*member) {
    metrics.family(id);
    for (const auto& tenant : sources.tenants) {
      const auto& pipelines = tenant.defaults->pipelines;
      for (std::size_t i = 0; i < pipelines.size(); ++i)
        metrics.sample({tenant.name, pipelines[i]}, ((*tenant.defaults->tenant).*member)[i].load());
    }
  };
  per_tenant(metric::stored_bytes, [](const counters& c) { return c.stored.bytes(); });
  per_tenant(metric::stored_objects, [](const counters& c) { return c.stored.objects(); });
  per_tenant(metric::stream_restarts_total, [](const counters& c) { return c.restarts.load(); });
  per_pipeline(metric::segments_received_total, &counters::received);
  per_pipeline(metric::segments_served_total, &counters::served);
  metrics.family(metric::derived_defects_total);
  for (const auto& tenant : sources.tenants) {
    const auto& pipelines = tenant.defaults->pipelines;
    for (std::size_t i = 0; i < pipelines.size(); ++i)
      for (std::size_t kind = 0; kind < model::defect_kind_count; ++kind)
        metrics.sample({tenant.name, pipelines[i], model::defect_kind_name(kind)},
                       tenant.defaults->tenant->derived_defects[i * model::defect_kind_count + kind].load());
  }

  metrics.family(metric::shed_requests_total);
  for (auto reason : {model::rejection::shed_dvr, model::rejection::hold_limit})
    metrics.sample({model::to_string(reason)}, sources.delivery.rejections(reason));
  return out;
}

}  // namespace live_origin::app
