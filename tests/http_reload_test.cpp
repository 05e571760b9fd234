// Configuration reload (POST /config/reload, as SIGHUP does): tenants, tokens and quotas change without
// dropping streams or connections; a configuration that does not load changes nothing.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/stream_directory.hpp"
#include "support/http_client.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

const std::string demo_token = "demo-token-0123456789";

http_reply reload(const running_origin& origin) { return fetch(origin.admin(), bhttp::verb::post, "/config/reload"); }

TEST(Reload, TenantsTokensAndQuotasChangeWhileStreamsAndConnectionsStay) {
  running_origin origin;
  ASSERT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U v1\n").status, 201);
  ASSERT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/other/live1/stream.m3u8", "#EXTM3U\n").status, 201);
  http_connection viewer(origin.delivery());  // a CDN's keep-alive connection, open across the reload
  ASSERT_EQ(viewer.request(bhttp::verb::get, "/demo/live1/stream.m3u8").status, 200);

  origin.on_reload([] {
    auto next = test_config();
    next.tenants = {tenant_named("demo"), tenant_named("newco")};  // "other" goes, "newco" comes
    next.tenants[0].tokens = {{demo_token, std::nullopt}};
    next.tenants[0].quota.max_stored_bytes = 100;
    return next;
  });
  auto answer = reload(origin);
  ASSERT_EQ(answer.status, 200) << answer.body;
  auto body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["reloaded"], true);
  EXPECT_NE(body["message"].get<std::string>().find("1 added, 1 removed"), std::string::npos) << answer.body;

  // The stream and the connection are still there.
  auto again = viewer.request(bhttp::verb::get, "/demo/live1/stream.m3u8");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, "#EXTM3U v1\n");
  // demo now needs its token; its new stored-bytes quota applies to the running stream.
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U v2\n").status, 401);
  const header_list auth{{"Authorization", "Bearer " + demo_token}};
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U v2\n", auth).status, 204);
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/big.m3u8", std::string(200, 'x'), auth).status, 429);
  // newco exists, other does not.
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/newco/s/stream.m3u8", "#EXTM3U\n").status, 201);
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/other/live1/stream.m3u8", "#EXTM3U\n").status, 404);
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/other/live1/stream.m3u8").status, 404);
  EXPECT_EQ(origin.server().directory().stream_count("other"), 0u);

  prometheus_text metrics(fetch(origin.admin(), bhttp::verb::get, "/metrics").body);
  EXPECT_EQ(metrics.value("live_origin_stored_objects", {{"tenant", "newco"}}), 1);
  EXPECT_EQ(metrics.value_or("live_origin_stored_objects", {{"tenant", "other"}}, -1), -1) << "a removed tenant";
  EXPECT_EQ(metrics.value("live_origin_stored_bytes", {{"tenant", "demo"}}), 11) << "kept across the reload";
}

TEST(Reload, BadConfigurationIsRefusedAndTheRunningOneStays) {
  running_origin origin;
  origin.on_reload([]() -> config::origin_config {
    throw config::config_error("config/origin.toml: key 'tenants.demo.max_streams': must be between 0 and 10000000");
  });
  auto answer = reload(origin);
  EXPECT_EQ(answer.status, 400);
  auto body = nlohmann::json::parse(answer.body);
  EXPECT_EQ(body["reloaded"], false);
  EXPECT_NE(body["error"].get<std::string>().find("tenants.demo.max_streams"), std::string::npos);
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n").status, 201);
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/other/live1/stream.m3u8", "#EXTM3U\n").status, 201);
  EXPECT_EQ(fetch(origin.admin(), bhttp::verb::get, "/config/reload").status, 405);
}

TEST(Reload, ATenantRemovedAndAddedBackResumesFromStorage) {
  running_origin origin;
  ASSERT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/seg-3.m4s", "three").status, 201);
  ASSERT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-3.m4s").status, 200);  // served: fixed
  origin.on_reload([] {
    auto next = test_config();
    next.tenants = {tenant_named("other")};
    return next;
  });
  ASSERT_EQ(reload(origin).status, 200);
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-3.m4s").status, 404);
  origin.on_reload([] { return test_config(); });
  ASSERT_EQ(reload(origin).status, 200);
  // Served at once, before anything is written to the stream: the tenant started what storage holds.
  auto again = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-3.m4s");
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.body, "three");
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/seg-3.m4s", "changed").status, 409)
      << "the stream came back from storage, where the segment is marked served";
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-3.m4s").body, "three");
}

}  // namespace
}  // namespace live_origin::test
