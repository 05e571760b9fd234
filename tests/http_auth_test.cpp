// Ingest and admin authentication over real sockets. (Loopback-only rules for peers that are not on
// loopback are unit-tested in model_auth_test: every test client here is on loopback.)

#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

const std::string token_a = "pipeline-a-token-0001";
const std::string token_any = "any-pipeline-token-0002";
const std::string other_token = "other-tenant-token-0003";
const std::string admin_token = "admin-token-000000004";

class Auth : public ::testing::Test {
 protected:
  running_origin origin_{[](config::origin_config& c) {
    c.admin_token = admin_token;
    auto secure = tenant_named("secure");
    secure.tokens = {{token_a, std::string("a")}, {token_any, std::nullopt}};
    auto other = tenant_named("sealed");
    other.tokens = {{other_token, std::nullopt}};
    c.tenants.push_back(secure);
    c.tenants.push_back(other);
  }};

  http_reply put(const std::string& target, header_list headers) {
    return fetch(origin_.ingest(), bhttp::verb::put, target, "bytes", headers);
  }
  std::string bearer(const std::string& token) { return "Bearer " + token; }
};

TEST_F(Auth, NoTokenIs401WithAChallenge) {
  auto reply = put("/secure/live/1.ts", {});
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.header("www-authenticate"), "Bearer realm=\"live-origin\"");
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/secure/live/1.ts").status, 404) << "nothing stored";
}

TEST_F(Auth, WrongTokenAndAnotherTenantsTokenAre403) {
  EXPECT_EQ(put("/secure/live/1.ts", {{"Authorization", bearer("guess")}}).status, 403);
  EXPECT_EQ(put("/secure/live/1.ts", {{"Authorization", bearer(other_token)}}).status, 403);
  EXPECT_EQ(put("/secure/live/1.ts", {{"Authorization", "Basic " + token_any}}).status, 401);
  auto refusals = [](const prometheus_text& metrics, const std::string& reason) {
    return metrics.value_or("live_origin_http_rejections_total", {{"listener", "ingest"}, {"reason", reason}}, 0);
  };
  auto metrics = scrape_metrics_until(
      origin_.admin(),
      [&](const prometheus_text& m) { return refusals(m, "bad_token") >= 2 && refusals(m, "missing_token") >= 1; },
      {{"Authorization", bearer(admin_token)}});
  EXPECT_EQ(refusals(metrics, "bad_token"), 2);
  EXPECT_EQ(refusals(metrics, "missing_token"), 1);
}

TEST_F(Auth, RightTokenPublishes) {
  EXPECT_EQ(put("/secure/live/1.ts", {{"Authorization", bearer(token_any)}, {"X-Origin-Pipeline", "b"}}).status, 201);
  EXPECT_EQ(put("/sealed/live/1.ts", {{"Authorization", bearer(other_token)}}).status, 201);
  auto reply = fetch(origin_.delivery(), bhttp::verb::get, "/secure/live/1.ts");
  EXPECT_EQ(reply.status, 200) << "delivery needs no token";
  EXPECT_EQ(reply.header("x-origin-pipeline"), "b");
}

TEST_F(Auth, PipelineBoundTokenPublishesAsItsPipelineOnly) {
  EXPECT_EQ(put("/secure/live/2.ts", {{"Authorization", bearer(token_a)}, {"X-Origin-Pipeline", "b"}}).status, 403);
  EXPECT_EQ(put("/secure/live/2.ts", {{"Authorization", bearer(token_a)}}).status, 201);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/secure/live/2.ts").header("x-origin-pipeline"), "a")
      << "no X-Origin-Pipeline: the token's pipeline";
}

TEST_F(Auth, DeleteNeedsTheTokenToo) {
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::delete_, "/secure/live/1.ts").status, 401);
}

TEST_F(Auth, TenantWithoutTokensTakesLoopbackPublishers) { EXPECT_EQ(put("/demo/live/1.ts", {}).status, 201); }

TEST_F(Auth, AdminNeedsItsTokenButProbesDoNot) {
  EXPECT_EQ(fetch(origin_.admin(), bhttp::verb::get, "/actors").status, 401);
  EXPECT_EQ(fetch(origin_.admin(), bhttp::verb::get, "/actors", {}, {{"Authorization", bearer(token_any)}}).status,
            403);
  EXPECT_EQ(fetch(origin_.admin(), bhttp::verb::get, "/actors", {}, {{"Authorization", bearer(admin_token)}}).status,
            200);
  EXPECT_EQ(fetch(origin_.admin(), bhttp::verb::put, "/streams/demo/live", "{}").status, 401);
  EXPECT_EQ(fetch(origin_.admin(), bhttp::verb::get, "/healthz").status, 200);
  EXPECT_EQ(fetch(origin_.admin(), bhttp::verb::get, "/readyz").status, 200);
}

}  // namespace
}  // namespace live_origin::test
