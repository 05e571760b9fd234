// Two redundant pipelines over real sockets: selection, failover, defects downstream, masks, events.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <deque>
#include <future>
#include <set>
#include <thread>

#include "support/http_client.hpp"
#include "support/live_stream.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

class Pipelines : public ::testing::Test {
 protected:
  void SetUp() override {
    origin_ = std::make_unique<running_origin>([](config::origin_config& c) {
      c.region = "test-region";
      c.pipelines.manifest_fresh_segments = 3;
      for (auto& tenant : c.tenants) {
        tenant.profile.segment_duration_ms = 200;
        tenant.profile.policy.retry_budget_ms = 3000;
        tenant.profile.policy.dvr_window_ms = 60'000;
        tenant.profile.policy.max_hold_ms = 5000;
      }
    });
    // Live edge 10; segment 11 is due in ~180 ms and may arrive up to 3 s later.
    auto availability = unix_now_ms() - 20 - std::int64_t{11} * 200;
    auto reply = fetch(origin_->admin(), bhttp::verb::put, "/streams/demo/live",
                       "{\"start_number\": 0, \"availability_start_ms\": " + std::to_string(availability) + "}");
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  http_reply put(const std::string& target, const std::string& body, const std::string& pipeline,
                 header_list extra = {}) {
    extra.emplace_back("X-Origin-Pipeline", pipeline);
    return fetch(origin_->ingest(), bhttp::verb::put, target, body, extra);
  }
  http_reply get(const std::string& target) { return fetch(origin_->delivery(), bhttp::verb::get, target); }
  nlohmann::json status() {
    return nlohmann::json::parse(fetch(origin_->admin(), bhttp::verb::get, "/streams/demo/live").body);
  }

  std::unique_ptr<running_origin> origin_;
};

TEST_F(Pipelines, EveryAnswerNamesItsPipelineAndRegion) {
  put(segment(10), "from a", "a");
  auto reply = get(segment(10));
  EXPECT_EQ(reply.body, "from a");
  EXPECT_EQ(reply.header("x-origin-pipeline"), "a");
  EXPECT_EQ(reply.header("x-origin-region"), "test-region");
  EXPECT_FALSE(reply.has_header("x-origin-defects"));
}

TEST_F(Pipelines, FirstPipelineInOrderWinsWhenBothAreClean) {
  put(segment(10), "from b", "b");
  put(segment(10), "from a", "a");
  EXPECT_EQ(get(segment(10)).header("x-origin-pipeline"), "a");
}

TEST_F(Pipelines, FailoverWhenPipelineAStops) {
  put(segment(9), "a9", "a");
  put(segment(9), "b9", "b");
  put(segment(10), "b10", "b");  // a has stopped
  auto reply = get(segment(10));
  EXPECT_EQ(reply.body, "b10");
  EXPECT_EQ(reply.header("x-origin-pipeline"), "b");
}

TEST_F(Pipelines, MetricsShowTheSwitchPerTenantAndPipeline) {
  put(segment(9), "a9", "a");
  put(segment(9), "b9", "b");
  put(segment(10), "b10", "b");  // a has stopped
  get(segment(9));
  get(segment(9));  // a segment counts once, however often it is served
  get(segment(10));
  auto text = fetch(origin_->admin(), bhttp::verb::get, "/metrics").body;
  for (const auto* line : {"live_origin_segments_received_total{tenant=\"demo\",pipeline=\"a\"} 1\n",
                           "live_origin_segments_received_total{tenant=\"demo\",pipeline=\"b\"} 2\n",
                           "live_origin_segments_served_total{tenant=\"demo\",pipeline=\"a\"} 1\n",
                           "live_origin_segments_served_total{tenant=\"demo\",pipeline=\"b\"} 1\n",
                           "live_origin_segments_served_total{tenant=\"other\",pipeline=\"a\"} 0\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << text;
}

TEST_F(Pipelines, DefectiveAWithCleanBServesB) {
  put(segment(10), "a-short", "a", {{"X-Origin-Defects", "short"}});
  put(segment(10), "b-clean", "b");
  auto reply = get(segment(10));
  EXPECT_EQ(reply.body, "b-clean");
  EXPECT_FALSE(reply.has_header("x-origin-defects"));
}

TEST_F(Pipelines, BothDefectiveServesTheLeastBadAndSaysSo) {
  put(segment(10), "a-missing", "a", {{"X-Origin-Defects", "missing"}});
  put(segment(10), "b-short", "b", {{"X-Origin-Defects", "Short"}});
  auto reply = get(segment(10));
  EXPECT_EQ(reply.status, 200) << "never withheld for being defective";
  EXPECT_EQ(reply.body, "b-short");
  EXPECT_EQ(reply.header("x-origin-defects"), "short");
}

TEST_F(Pipelines, DefectiveCandidateWaitsForACleanOneWithinTheRetryBudget) {
  put(segment(10), "a10", "a");
  put(segment(11), "a-broken", "a", {{"X-Origin-Defects", "discontinuity"}});
  auto held = std::async(std::launch::async, [&] { return get(segment(11)); });
  auto deadline = steady::now() + 5s;
  while (status()["held_requests"] != 1 && steady::now() < deadline) std::this_thread::sleep_for(2ms);
  ASSERT_EQ(status()["held_requests"], 1) << "a defective candidate alone does not answer the GET";
  put(segment(11), "b-clean", "b");
  auto reply = held.get();
  EXPECT_EQ(reply.body, "b-clean");
  EXPECT_EQ(reply.header("x-origin-pipeline"), "b");
}

TEST_F(Pipelines, ServedCandidateKeepsItsBytesForLaterRequests) {
  put(segment(10), "b-first", "b");
  EXPECT_EQ(get(segment(10)).body, "b-first");  // only b had it: b is served
  put(segment(10), "a-later", "a");
  EXPECT_EQ(get(segment(10)).body, "b-first") << "CDNs cached b's bytes under this URL";
}

TEST_F(Pipelines, MasksAreAppliedAndRemoved) {
  for (int n : {10, 12}) {
    put(segment(n), "a" + std::to_string(n), "a");
    put(segment(n), "b" + std::to_string(n), "b");
  }
  auto added = fetch(origin_->admin(), bhttp::verb::post, "/streams/demo/live/masks",
                     R"({"pipeline": "a", "from": 10, "to": 12})");
  EXPECT_EQ(added.status, 201);
  EXPECT_EQ(nlohmann::json::parse(added.body), nlohmann::json::parse(R"([{"pipeline": "a", "from": 10, "to": 12}])"));
  EXPECT_EQ(get(segment(10)).header("x-origin-pipeline"), "b");
  auto listed = nlohmann::json::parse(fetch(origin_->admin(), bhttp::verb::get, "/streams/demo/live/masks").body);
  EXPECT_EQ(listed.size(), 1u);
  auto removed = fetch(origin_->admin(), bhttp::verb::delete_, "/streams/demo/live/masks",
                       R"({"pipeline": "a", "from": 10, "to": 12})");
  EXPECT_EQ(removed.status, 200);
  EXPECT_TRUE(nlohmann::json::parse(removed.body).empty());
  EXPECT_EQ(get(segment(12)).header("x-origin-pipeline"), "a") << "unmasked: a is first again";
  EXPECT_EQ(get(segment(10)).header("x-origin-pipeline"), "b") << "already served from b: stays b";
}

TEST_F(Pipelines, MaskingTheServedPipelineSwitchesToTheOther) {
  put(segment(10), "a10", "a");
  put(segment(10), "b10", "b");
  EXPECT_EQ(get(segment(10)).body, "a10");
  fetch(origin_->admin(), bhttp::verb::post, "/streams/demo/live/masks", R"({"pipeline": "a", "from": 0, "to": 100})");
  EXPECT_EQ(get(segment(10)).body, "b10") << "the operator's mask wins over stickiness";
}

TEST_F(Pipelines, BadMasksAre400) {
  put(segment(10), "a10", "a");
  for (auto body :
       {R"({"pipeline": "z", "from": 1, "to": 2})", R"({"pipeline": "a", "from": 5, "to": 2})",
        R"({"pipeline": "a", "from": -1, "to": 2})", R"({"pipeline": "a", "from": 1, "to": 2, "x": 1})", "not json"})
    EXPECT_EQ(fetch(origin_->admin(), bhttp::verb::post, "/streams/demo/live/masks", body).status, 400) << body;
}

TEST_F(Pipelines, NotificationsAccumulateOnLaterSegments) {
  put(segment(8), "a8", "a");
  put(segment(9), "a9", "a", {{"X-Origin-Event", "ad-start"}});
  put(segment(9), "b9", "b", {{"X-Origin-Event", "ad-start"}});  // the same event from the other pipeline
  put(segment(10), "a10", "a", {{"X-Origin-Event", "ad end, 30s"}});
  EXPECT_FALSE(get(segment(8)).has_header("x-origin-events"));
  EXPECT_EQ(get(segment(9)).header("x-origin-events"), "ad-start");
  EXPECT_EQ(get(segment(10)).header("x-origin-events"), "ad-start, ad end%2C 30s");
}

TEST_F(Pipelines, ManifestFromTheFirstFreshPipeline) {
  put("/demo/live/manifest.mpd", "<MPD a/>", "a");
  put("/demo/live/manifest.mpd", "<MPD b/>", "b");
  EXPECT_EQ(get("/demo/live/manifest.mpd").body, "<MPD a/>");
  // a stalls; b keeps updating for longer than 3 segment durations (600 ms).
  auto until = steady::now() + 800ms;
  while (steady::now() < until) {
    put("/demo/live/manifest.mpd", "<MPD b/>", "b");
    std::this_thread::sleep_for(50ms);  // a packager's cadence, not a readiness wait
  }
  auto reply = get("/demo/live/manifest.mpd");
  EXPECT_EQ(reply.body, "<MPD b/>");
  EXPECT_EQ(reply.header("x-origin-pipeline"), "b");
}

TEST_F(Pipelines, ManifestOfAPipelineThatFellBehindIsReplacedAtOnce) {
  put(segment(10), "a10", "a");
  put(segment(10), "b10", "b");
  put("/demo/live/manifest.mpd", "<MPD a 10/>", "a");
  put("/demo/live/manifest.mpd", "<MPD b 10/>", "b");
  EXPECT_EQ(get("/demo/live/manifest.mpd").body, "<MPD a 10/>");
  // a dies; b delivers segment 11 and its manifest naming it. Within half a segment (the grace that
  // keeps healthy pipelines from flapping), well before the 600 ms freshness window, b's is served.
  put(segment(11), "b11", "b");
  put("/demo/live/manifest.mpd", "<MPD b 11/>", "b");
  auto switched_at = steady::now();
  http_reply reply;
  while ((reply = get("/demo/live/manifest.mpd")).body != "<MPD b 11/>" && steady::now() < switched_at + 2s)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(reply.body, "<MPD b 11/>") << "a's playlist would name no new segment: players would stall";
  EXPECT_EQ(reply.header("x-origin-pipeline"), "b");
  EXPECT_LT(steady::now() - switched_at, 500ms) << "the freshness window (600 ms) was not needed";
  // a comes back and catches up: its manifest is preferred again.
  put(segment(11), "a11", "a");
  put("/demo/live/manifest.mpd", "<MPD a 11/>", "a");
  EXPECT_EQ(get("/demo/live/manifest.mpd").body, "<MPD a 11/>");
}

// An HLS media playlist listing segments `first` to `last` of the test stream.
std::string playlist(std::int64_t first, std::int64_t last) {
  std::string text = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n";
  for (auto n = first; n <= last; ++n) text += "#EXTINF:0.2,\nchunk-stream0-" + std::to_string(n) + ".m4s\n";
  return text;
}

// The number of the last segment a playlist from playlist() lists.
std::int64_t last_listed(const std::string& body) {
  auto at = body.rfind("chunk-stream0-");
  if (at == std::string::npos) return -1;
  return std::stoll(body.substr(at + std::string_view("chunk-stream0-").size()));
}

// Issue 22: a stops after segment 10 while b goes on publishing a segment and its playlist every 200 ms.
// Whatever a player reloading the playlist gets, it never lists less than what it got before: a's frozen
// playlist is not served again once b's longer one was, not even right after b's next segment.
TEST_F(Pipelines, AServedPlaylistNeverListsLessThanOneServedBefore) {
  const std::string manifest = "/demo/live/stream.m3u8";
  for (const char* pipeline : {"a", "b"}) {
    put(segment(10), std::string(pipeline) + "10", pipeline);
    put(manifest, playlist(8, 10), pipeline);
  }
  std::int64_t served = -1;
  std::set<std::string> pipelines_served;
  std::deque<std::string> recent;  // what the last GETs got (pipeline:last segment), for the failure message
  auto reload = [&] {
    auto reply = get(manifest);
    ASSERT_EQ(reply.status, 200);
    auto listed = last_listed(reply.body);
    recent.push_back(reply.header("x-origin-pipeline") + ":" + std::to_string(listed));
    if (recent.size() > 8) recent.pop_front();
    EXPECT_GE(listed, served) << "the playlist went backwards; the last answers: " << testing::PrintToString(recent);
    served = std::max(served, listed);
    pipelines_served.insert(reply.header("x-origin-pipeline"));
  };
  reload();
  EXPECT_EQ(pipelines_served, std::set<std::string>{"a"});
  // a has stopped. b publishes segments 11 to 16 at the stream's cadence (200 ms), past a's freshness
  // window (600 ms); players reload all the time, the first time right after b's playlist update.
  for (std::int64_t n = 11; n <= 16; ++n) {
    auto next = steady::now() + 200ms;
    put(segment(n), "b" + std::to_string(n), "b");
    put(manifest, playlist(n - 2, n), "b");
    while (steady::now() < next) {
      reload();
      if (HasFailure()) return;
      std::this_thread::sleep_for(5ms);  // a player's reload cadence, not a readiness wait
    }
  }
  EXPECT_EQ(served, 16) << "b's playlist was served in the end";
  EXPECT_TRUE(pipelines_served.count("b"));
}

// With 6 s segments, a playlist listing the live edge may be cached until just before the next segment is due;
// one that lags behind the edge keeps the short configured lifetime.
TEST_F(Pipelines, APlaylistsLifetimeEndsWhenTheNextSegmentIsDue) {
  // Segment 10 has been due for 1.5 s; segment 11 is due 4.5 s from now.
  auto next_due = unix_now_ms() + 4500;
  auto availability = next_due - 12 * 6000;
  auto timeline = fetch(origin_->admin(), bhttp::verb::put, "/streams/demo/live",
                        R"({"segment_duration_ms": 6000, "start_number": 0, "availability_start_ms": )" +
                            std::to_string(availability) + "}");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  put(segment(10), "a10", "a");
  put("/demo/live/stream.m3u8", playlist(8, 10), "a");
  auto before = unix_now_ms();
  auto reply = get("/demo/live/stream.m3u8");
  auto after = unix_now_ms();
  ASSERT_EQ(reply.status, 200);
  ASSERT_TRUE(reply.has_header("x-origin-ttl-ms"));
  auto ttl = std::stoll(reply.header("x-origin-ttl-ms"));
  EXPECT_LE(before + ttl, next_due) << "the lifetime ends when segment 11 is due";
  EXPECT_GE(after + ttl, next_due);
  EXPECT_EQ(reply.header("cache-control"),
            "public, max-age=" + std::to_string(std::max<std::int64_t>((ttl - 1) / 1000, 1)));
  // A playlist one segment behind the edge: its successor is overdue, the configured 1 s.
  put("/demo/live/behind.m3u8", playlist(7, 9), "a");
  auto behind = get("/demo/live/behind.m3u8");
  EXPECT_EQ(behind.header("cache-control"), "public, max-age=1");
  EXPECT_FALSE(behind.has_header("x-origin-ttl-ms"));
}

TEST_F(Pipelines, BadPipelineHeadersAre400AndStoreNothing) {
  EXPECT_EQ(put(segment(10), "x", "c").status, 400);
  EXPECT_EQ(put(segment(10), "x", "a", {{"X-Origin-Defects", "broken"}}).status, 400);
  header_list events;
  for (int i = 0; i < 9; ++i) events.emplace_back("X-Origin-Event", "e" + std::to_string(i));
  EXPECT_EQ(put(segment(10), "x", "a", events).status, 400);
  EXPECT_EQ(put(segment(10), "x", "a", {{"X-Origin-Event", std::string(300, 'e')}}).status, 400);
  EXPECT_EQ(status()["objects"], 0);
  auto refusals = [](const prometheus_text& metrics, const std::string& reason) {
    return metrics.value_or("live_origin_http_rejections_total", {{"listener", "ingest"}, {"reason", reason}}, 0);
  };
  auto metrics = scrape_metrics_until(origin_->admin(), [&](const prometheus_text& m) {
    return refusals(m, "unknown_pipeline") > 0 && refusals(m, "bad_defects") > 0 && refusals(m, "bad_event") > 0;
  });
  for (auto reason : {"unknown_pipeline", "bad_defects", "bad_event"})
    EXPECT_GT(refusals(metrics, reason), 0) << reason;
}

TEST_F(Pipelines, StreamShowsPerPipelineCounts) {
  put(segment(9), "a9", "a", {{"X-Origin-Defects", "short, missing"}});
  put(segment(9), "b9", "b");
  put(segment(10), "b10", "b");
  get(segment(9));
  get(segment(10));
  auto pipelines = status()["pipelines"];
  EXPECT_EQ(pipelines["a"]["segments_received"], 1);
  EXPECT_EQ(pipelines["a"]["defects"]["short"], 1);
  EXPECT_EQ(pipelines["a"]["defects"]["missing"], 1);
  EXPECT_EQ(pipelines["a"]["last_segment"], 9);
  EXPECT_EQ(pipelines["a"]["segments_served"], 0);
  EXPECT_EQ(pipelines["b"]["segments_received"], 2);
  EXPECT_EQ(pipelines["b"]["segments_served"], 2);
  EXPECT_EQ(pipelines["b"]["last_segment"], 10);
  EXPECT_TRUE(pipelines["b"]["lag_segments"].is_number());
}

TEST_F(Pipelines, StreamMayOverrideThePipelineOrder) {
  auto reply = fetch(origin_->admin(), bhttp::verb::put, "/streams/demo/live", R"({"pipeline_order": ["b", "a"]})");
  EXPECT_EQ(nlohmann::json::parse(reply.body)["pipeline_order"], nlohmann::json::parse(R"(["b", "a"])"));
  put(segment(10), "a10", "a");
  put(segment(10), "b10", "b");
  EXPECT_EQ(get(segment(10)).header("x-origin-pipeline"), "b");
  EXPECT_EQ(fetch(origin_->admin(), bhttp::verb::put, "/streams/demo/live", R"({"pipeline_order": ["b"]})").status,
            400);
}

TEST_F(Pipelines, HoldEndingAtMaxHoldServesTheDefectiveCandidateRatherThanNothing) {
  fetch(origin_->admin(), bhttp::verb::put, "/streams/demo/live", R"({"max_hold_ms": 300})");
  put(segment(10), "a10", "a");
  put(segment(11), "a-broken", "a", {{"X-Origin-Defects", "short"}});
  auto reply = get(segment(11));  // held waiting for b; max_hold ends first
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "a-broken");
  EXPECT_EQ(reply.header("x-origin-defects"), "short");
}

TEST_F(Pipelines, MaskingThePipelineAHoldWaitsForAnswersItAtOnce) {
  put(segment(10), "a10", "a");
  put(segment(11), "a-broken", "a", {{"X-Origin-Defects", "missing"}});
  auto held = std::async(std::launch::async, [&] { return get(segment(11)); });
  auto deadline = steady::now() + 5s;
  while (status()["held_requests"] != 1 && steady::now() < deadline) std::this_thread::sleep_for(2ms);
  ASSERT_EQ(status()["held_requests"], 1);
  fetch(origin_->admin(), bhttp::verb::post, "/streams/demo/live/masks", R"({"pipeline": "b", "from": 0, "to": 100})");
  auto reply = held.get();
  EXPECT_EQ(reply.body, "a-broken");
  EXPECT_EQ(reply.header("x-origin-defects"), "missing");
}

TEST_F(Pipelines, RepeatedDefectHeadersAddUp) {
  put(segment(10), "a10", "a", {{"X-Origin-Defects", "short"}, {"X-Origin-Defects", "missing"}});
  put(segment(10), "b10", "b", {{"X-Origin-Defects", "short, missing, discontinuity"}});  // nothing to wait for
  auto reply = get(segment(10));
  EXPECT_EQ(reply.body, "a10");
  EXPECT_EQ(reply.header("x-origin-defects"), "short, missing");
  EXPECT_EQ(put(segment(10), "x", "a", {{"X-Origin-Pipeline", "b"}}).status, 400) << "two different pipelines";
}

TEST_F(Pipelines, EventsHeaderStaysBoundedKeepingTheNewest) {
  for (int n = 1; n <= 10; ++n) {
    header_list events;
    for (int e = 0; e < 8; ++e) events.emplace_back("X-Origin-Event", std::to_string(n) + "-" + std::string(200, 'x'));
    put(segment(n), "s" + std::to_string(n), "a", events);
  }
  auto header = get(segment(10)).header("x-origin-events");
  EXPECT_LE(header.size(), 4096u);
  EXPECT_NE(header.find("10-"), std::string::npos) << "the newest notifications are the ones kept";
}

TEST_F(Pipelines, NotificationsOnAManifestCountFromTheLiveEdge) {
  put("/demo/live/manifest.mpd", "<MPD/>", "a", {{"X-Origin-Event", "program-start"}});
  put(segment(10), "a10", "a");
  EXPECT_EQ(get(segment(10)).header("x-origin-events"), "program-start");
}

}  // namespace
}  // namespace live_origin::test
