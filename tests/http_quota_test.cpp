// Tenant quotas over real sockets: each refusal is counted and never touches other tenants.

#include <gtest/gtest.h>

#include "actors/stream_directory.hpp"
#include "support/http_client.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

running_origin quota_origin() {
  return running_origin([](config::origin_config& c) {
    auto streams = tenant_named("few-streams");
    streams.quota.max_streams = 2;
    auto small = tenant_named("small-objects");
    small.quota.max_object_bytes = 100;
    auto slow = tenant_named("slow");
    slow.quota.max_requests_per_s = 5;
    auto full = tenant_named("full");
    full.quota.max_stored_bytes = 1000;
    c.tenants.push_back(full);
    c.tenants.push_back(streams);
    c.tenants.push_back(small);
    c.tenants.push_back(slow);
  });
}

unsigned put(const running_origin& origin, const std::string& target, const std::string& body = "x",
             bool chunked = false) {
  return fetch(origin.ingest(), bhttp::verb::put, target, body, {}, chunked).status;
}

TEST(Quota, StreamCountIsCappedAndExistingStreamsGoOn) {
  auto origin = quota_origin();
  EXPECT_EQ(put(origin, "/few-streams/s1/a.m3u8"), 201u);
  EXPECT_EQ(put(origin, "/few-streams/s2/a.m3u8"), 201u);
  auto third = fetch(origin.ingest(), bhttp::verb::put, "/few-streams/s3/a.m3u8", "x");
  EXPECT_EQ(third.status, 429);
  EXPECT_EQ(third.header("retry-after"), "1");
  EXPECT_EQ(put(origin, "/few-streams/s1/b.m3u8"), 201u);
  EXPECT_EQ(put(origin, "/demo/s3/a.m3u8"), 201u) << "another tenant is not affected";
  EXPECT_EQ(origin.server().directory().stream_count("few-streams"), 2u);
}

TEST(Quota, ObjectSizeIsCappedForLengthAndChunkedBodies) {
  auto origin = quota_origin();
  EXPECT_EQ(put(origin, "/small-objects/s/ok.ts", std::string(100, 'o')), 201u);
  EXPECT_EQ(put(origin, "/small-objects/s/big.ts", std::string(101, 'b')), 413u);
  EXPECT_EQ(put(origin, "/small-objects/s/big.ts", std::string(101, 'b'), true), 413u);
  auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/small-objects/s/big.ts").status, 404);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(1))
      << "the refused upload is not left \"in flight\" to hold readers";
  EXPECT_EQ(put(origin, "/demo/s/big.ts", std::string(101, 'b')), 201u);
}

TEST(Quota, StoredBytesAreCappedAcrossTheTenantsStreams) {
  auto origin = quota_origin();
  EXPECT_EQ(put(origin, "/full/s1/stream.m3u8", std::string(400, 'a')), 201u);
  EXPECT_EQ(put(origin, "/full/s2/stream.m3u8", std::string(500, 'b')), 201u);
  auto over = fetch(origin.ingest(), bhttp::verb::put, "/full/s2/other.m3u8", std::string(101, 'c'));
  EXPECT_EQ(over.status, 429) << "900 + 101 bytes would pass 1000, whichever stream";
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/full/s2/other.m3u8").status, 404) << "nothing stored";
  EXPECT_EQ(put(origin, "/full/s1/stream.m3u8", std::string(300, 'a')), 204u) << "a smaller version frees room";
  EXPECT_EQ(put(origin, "/full/s2/other.m3u8", std::string(200, 'c')), 201u) << "300 + 500 + 200 = 1000 fits";
  EXPECT_EQ(put(origin, "/demo/s/big.m3u8", std::string(5000, 'd')), 201u) << "another tenant is not affected";
  prometheus_text metrics(fetch(origin.admin(), bhttp::verb::get, "/metrics").body);
  EXPECT_EQ(metrics.value("live_origin_stored_bytes", {{"tenant", "full"}}), 1000);
  EXPECT_EQ(metrics.value("live_origin_stored_objects", {{"tenant", "full"}}), 3);
  EXPECT_EQ(metrics.value("live_origin_stored_bytes", {{"tenant", "demo"}}), 5000);
  EXPECT_EQ(
      metrics.value("live_origin_http_rejections_total", {{"listener", "ingest"}, {"reason", "quota_stored_bytes"}}),
      1);
}

TEST(Quota, RequestRateIsCappedPerTenant) {
  auto origin = quota_origin();
  int accepted = 0, refused = 0;
  for (int i = 0; i < 8; ++i) {  // well inside one second: the burst is one second's worth (5)
    auto status = put(origin, "/slow/s/" + std::to_string(i) + ".ts");
    (status == 201 ? accepted : refused) += 1;
    EXPECT_EQ(put(origin, "/demo/s/" + std::to_string(i) + ".ts"), 201u) << "another tenant is not affected";
  }
  EXPECT_LE(accepted, 6) << "5 at once, perhaps one more refilled meanwhile";
  EXPECT_GE(refused, 2);
  auto metrics = fetch(origin.admin(), bhttp::verb::get, "/metrics").body;
  EXPECT_NE(metrics.find("reason=\"quota_request_rate\""), std::string::npos);
}

}  // namespace
}  // namespace live_origin::test
