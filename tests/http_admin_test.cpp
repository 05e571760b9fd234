#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

TEST(Admin, HealthAndReadiness) {
  running_origin origin;
  auto health = fetch(origin.admin(), bhttp::verb::get, "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok\n");
  auto ready = fetch(origin.admin(), bhttp::verb::get, "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  EXPECT_EQ(fetch(origin.admin(), bhttp::verb::get, "/nope").status, 404);
  EXPECT_EQ(fetch(origin.admin(), bhttp::verb::post, "/healthz", "x").status, 405);
}

TEST(Admin, ActorTreeShowsSupervisorsStreamsAndObjectCounts) {
  running_origin origin;
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/a.m4s", "aaa");
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/b.m4s", "bb");
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live2/a.m4s", "c");
  auto reply = fetch(origin.admin(), bhttp::verb::get, "/actors");
  ASSERT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "application/json");
  auto tree = nlohmann::json::parse(reply.body);
  EXPECT_EQ(tree["kind"], "origin_supervisor");
  ASSERT_EQ(tree["children"].size(), 2u);
  std::map<std::string, nlohmann::json> tenants;
  for (auto& tenant : tree["children"]) {
    EXPECT_EQ(tenant["kind"], "tenant_supervisor");
    EXPECT_EQ(tenant["restarts"], 0);
    tenants[tenant["name"]] = tenant;
  }
  ASSERT_TRUE(tenants.count("demo"));
  ASSERT_TRUE(tenants.count("other"));
  EXPECT_TRUE(tenants["other"]["children"].empty());
  std::map<std::string, nlohmann::json> streams;
  for (auto& stream : tenants["demo"]["children"]) streams[stream["name"]] = stream;
  ASSERT_EQ(streams.size(), 2u);
  EXPECT_EQ(streams["live1"]["kind"], "stream");
  EXPECT_EQ(streams["live1"]["objects"], 2);
  EXPECT_EQ(streams["live1"]["bytes"], 5);
  EXPECT_EQ(streams["live2"]["objects"], 1);
  EXPECT_TRUE(streams["live1"]["actor_id"].is_number());
  EXPECT_TRUE(streams["live1"]["mailbox"].is_number());
  // Two PUTs, the upload notice of the second, this introspection request (and any DVR sweeps).
  EXPECT_GE(streams["live1"]["messages_handled"].get<int>(), 4);
  EXPECT_GE(tenants["demo"]["messages_handled"].get<int>(), 3) << "two opens and the introspection request";
  EXPECT_GE(tree["messages_handled"].get<int>(), 2) << "the readiness ping and the introspection request";
}

TEST(DeliveryNetworks, OnlyListedClientNetworksMayRead) {
  running_origin closed([](config::origin_config& c) { c.delivery_allow = {*model::parse_network("10.0.0.0/8")}; });
  fetch(closed.ingest(), bhttp::verb::put, "/demo/live/a.m3u8", "x");
  EXPECT_EQ(fetch(closed.delivery(), bhttp::verb::get, "/demo/live/a.m3u8").status, 403);
  running_origin open([](config::origin_config& c) {
    c.delivery_allow = {*model::parse_network("10.0.0.0/8"), *model::parse_network("127.0.0.0/8")};
  });
  fetch(open.ingest(), bhttp::verb::put, "/demo/live/a.m3u8", "x");
  EXPECT_EQ(fetch(open.delivery(), bhttp::verb::get, "/demo/live/a.m3u8").status, 200);
}

TEST(Admin, StreamsListsEveryStreamPerTenant) {
  running_origin origin;
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/a.m3u8", "abc");
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live2/a.m3u8", "de");
  auto list = nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/streams").body);
  ASSERT_EQ(list["demo"].size(), 2u);
  EXPECT_TRUE(list["other"].empty());
  std::map<std::string, std::uint64_t> bytes;
  for (auto& stream : list["demo"]) bytes[stream["stream"]] = stream["bytes"].get<std::uint64_t>();
  EXPECT_EQ(bytes["live1"], 3u);
  EXPECT_EQ(bytes["live2"], 2u);
}

TEST(Admin, MetricsAreStrictPrometheusTextAndCountWhatWasAsked) {
  running_origin origin;
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/a.m4s", "12345");
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/a.m4s", "12345");  // the same bytes again: 204
  fetch(origin.ingest(), bhttp::verb::put, "/other/live9/b.m4s", "123");
  fetch(origin.ingest(), bhttp::verb::put, "/nosuchtenant/live1/a.m4s", "x");
  auto found = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/a.m4s");
  auto head = fetch(origin.delivery(), bhttp::verb::head, "/demo/live1/a.m4s");
  auto missing = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/missing.m4s");
  auto bytes_out = found.body.size() + missing.body.size();
  auto m = scrape_metrics_until(origin.admin(), [](const prometheus_text& metrics) {
    return metrics.sum("live_origin_http_request_duration_seconds_count", {{"listener", "ingest"}}) +
               metrics.sum("live_origin_http_request_duration_seconds_count", {{"listener", "delivery"}}) >=
           7;
  });
  auto requests = [&](std::string listener, std::string method, std::string code, std::string tenant) {
    return m.value_or("live_origin_http_requests_total",
                      {{"listener", listener}, {"method", method}, {"code", code}, {"tenant", tenant}}, 0);
  };
  EXPECT_EQ(requests("ingest", "PUT", "201", "demo"), 1);
  EXPECT_EQ(requests("ingest", "PUT", "204", "demo"), 1);
  EXPECT_EQ(requests("ingest", "PUT", "201", "other"), 1);
  EXPECT_EQ(requests("ingest", "PUT", "404", ""), 1) << "unknown tenants are not labels";
  EXPECT_EQ(requests("delivery", "GET", "200", "demo"), 1);
  EXPECT_EQ(requests("delivery", "HEAD", "200", "demo"), 1);
  EXPECT_EQ(requests("delivery", "GET", "404", "demo"), 1);
  EXPECT_EQ(m.sum("live_origin_http_requests_total", {{"listener", "ingest"}}), 4);
  EXPECT_EQ(m.sum("live_origin_http_requests_total", {{"listener", "delivery"}}), 3);
  EXPECT_EQ(m.value("live_origin_http_rejections_total", {{"listener", "ingest"}, {"reason", "unknown_tenant"}}), 1);
  EXPECT_EQ(m.value("live_origin_http_body_bytes_total", {{"listener", "ingest"}, {"direction", "in"}}), 5 + 5 + 3)
      << "bodies handled; a refused one is dropped unread";
  EXPECT_EQ(m.value("live_origin_http_body_bytes_total", {{"listener", "delivery"}, {"direction", "out"}}), bytes_out);
  EXPECT_EQ(m.value("live_origin_streams"), 2);
  // Three delivery requests so far (the scrape itself is counted on admin once it is answered).
  EXPECT_EQ(m.value("live_origin_http_request_duration_seconds_count", {{"listener", "delivery"}}), 3);
  EXPECT_EQ(m.value("live_origin_http_request_duration_seconds_count", {{"listener", "ingest"}}), 4);
  EXPECT_EQ(m.type_of("live_origin_http_request_duration_seconds"), "histogram");
}

TEST(Admin, StrictPrometheusParserRejectsWhatScrapersWouldTrip) {
  EXPECT_NO_THROW(prometheus_text("# TYPE a_total counter\na_total{x=\"1\"} 2\n"));
  EXPECT_THROW(prometheus_text("a_total 1\n"), std::runtime_error) << "no TYPE";
  EXPECT_THROW(prometheus_text("# TYPE a counter\na 1\n"), std::runtime_error) << "counter without _total";
  EXPECT_THROW(prometheus_text("# TYPE a_total counter\n# TYPE b gauge\na_total 1\nb 1\na_total{x=\"1\"} 1\n"),
               std::runtime_error)
      << "a family split in two";
  EXPECT_THROW(prometheus_text("# TYPE b gauge\nb{x=1} 1\n"), std::runtime_error) << "unquoted label value";
  EXPECT_THROW(prometheus_text("# TYPE b gauge\nb 1\nb 2\n"), std::runtime_error) << "repeated series";
  EXPECT_THROW(prometheus_text("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n"),
               std::runtime_error)
      << "buckets not cumulative";
}

}  // namespace
}  // namespace live_origin::test
