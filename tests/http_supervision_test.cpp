// The crash drill: a stream actor made to throw is restarted by its tenant supervisor from storage; its
// held requests and the requests that arrive meanwhile wait for the successor (never an empty stream,
// never a hang), and the stream takes writes and reads again at once.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <thread>

#include "support/http_client.hpp"
#include "support/live_stream.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

nlohmann::json stream_status(const running_origin& origin) {
  return nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/streams/demo/live").body);
}

TEST(Supervision, CrashDrillAnswersHeldRequestsAndTheStreamServesAgain) {
  running_origin origin([](config::origin_config& c) {
    c.fault_injection = true;
    for (auto& tenant : c.tenants) tenant.profile.policy.max_hold_ms = 5000;
  });
  auto availability = unix_now_ms() - std::int64_t{11} * 2000 - 100;  // 2 s segments: 10 is the edge, 11 due in ~1.9 s
  fetch(origin.admin(), bhttp::verb::put, "/streams/demo/live",
        "{\"segment_duration_ms\": 2000, \"start_number\": 0, \"availability_start_ms\": " +
            std::to_string(availability) + "}");
  fetch(origin.ingest(), bhttp::verb::put, segment(10), "ten");
  auto held = std::async(std::launch::async, [&] { return fetch(origin.delivery(), bhttp::verb::get, segment(11)); });
  auto deadline = steady::now() + 5s;
  while (stream_status(origin)["held_requests"] != 1 && steady::now() < deadline) std::this_thread::sleep_for(2ms);
  ASSERT_EQ(stream_status(origin)["held_requests"], 1);

  EXPECT_EQ(fetch(origin.admin(), bhttp::verb::post, "/streams/demo/live/crash").status, 202);
  // At once, while the successor may still be loading: the request waits for it and gets the stored bytes.
  auto recovered = fetch(origin.delivery(), bhttp::verb::get, segment(10));
  EXPECT_EQ(recovered.status, 200) << recovered.body;
  EXPECT_EQ(recovered.body, "ten");

  // The restart is visible; the held request moved to the successor, which answers it when 11 lands.
  deadline = steady::now() + 5s;
  std::uint64_t restarts = 0;
  while (restarts == 0 && steady::now() < deadline) {
    auto tree = nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/actors").body);
    for (auto& tenant : tree["children"])
      if (tenant["name"] == "demo") restarts = tenant["restarts"].get<std::uint64_t>();
  }
  EXPECT_EQ(restarts, 1u);
  deadline = steady::now() + 5s;
  while (stream_status(origin)["held_requests"] != 1 && steady::now() < deadline) std::this_thread::sleep_for(2ms);
  EXPECT_EQ(stream_status(origin)["held_requests"], 1) << "held again by the successor";
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, segment(11), "eleven").status, 201);
  ASSERT_EQ(held.wait_for(2s), std::future_status::ready) << "released by the write, not by its deadline";
  auto answer = held.get();
  EXPECT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.body, "eleven");
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live/after.m3u8", "back").status, 201);
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live/after.m3u8").body, "back");
  prometheus_text metrics(fetch(origin.admin(), bhttp::verb::get, "/metrics").body);
  EXPECT_EQ(metrics.value("live_origin_stream_restarts_total", {{"tenant", "demo"}}), 1);
  EXPECT_EQ(metrics.value("live_origin_stored_bytes", {{"tenant", "demo"}}), 3 + 6 + 4)
      << "the recovered segment, the new one and the new manifest, each counted once";
}

TEST(Supervision, CrashDrillIsOffUnlessEnabled) {
  running_origin origin;
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live/x.m3u8", "x");
  EXPECT_EQ(fetch(origin.admin(), bhttp::verb::post, "/streams/demo/live/crash").status, 404);
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live/x.m3u8").body, "x");
}

}  // namespace
}  // namespace live_origin::test
