#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.hpp"
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

TEST(Admin, MetricsCountResponsesAndBytes) {
  running_origin origin;
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/a.m4s", "12345");
  auto found = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/a.m4s");
  auto missing = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/missing.m4s");
  auto bytes_out = found.body.size() + missing.body.size();
  auto text = fetch(origin.admin(), bhttp::verb::get, "/metrics").body;
  for (auto line : {std::string("live_origin_http_responses_total{listener=\"ingest\",code=\"2xx\"} 1"),
                    std::string("live_origin_http_responses_total{listener=\"delivery\",code=\"2xx\"} 1"),
                    std::string("live_origin_http_responses_total{listener=\"delivery\",code=\"4xx\"} 1"),
                    std::string("live_origin_http_body_bytes_total{listener=\"ingest\",direction=\"in\"} 5"),
                    "live_origin_http_body_bytes_total{listener=\"delivery\",direction=\"out\"} " +
                        std::to_string(bytes_out),
                    std::string("live_origin_streams 1")})
    EXPECT_NE(text.find(line + "\n"), std::string::npos) << line << "\n" << text;
  // Two delivery requests so far (the scrape itself is counted on admin once it is answered).
  EXPECT_NE(text.find("live_origin_http_request_duration_seconds_bucket{listener=\"delivery\",le=\"+Inf\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("live_origin_http_request_duration_seconds_count{listener=\"ingest\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE live_origin_http_request_duration_seconds histogram\n"), std::string::npos);
}

}  // namespace
}  // namespace live_origin::test
