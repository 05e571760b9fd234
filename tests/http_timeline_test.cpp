// The live timeline over real sockets: holds, 404-until-due, 410, DVR expiry, 409s, DELETE policy, shedding.
// Segments are short (100-200 ms) so the suite stays fast; timelines are fixed through the admin API.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <regex>
#include <thread>

#include "support/http_client.hpp"
#include "support/live_stream.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

class Timeline : public ::testing::Test {
 protected:
  void SetUp() override {
    origin_ = std::make_unique<running_origin>([](config::origin_config& c) {
      c.live.policy.max_hold_ms = 2000;
      c.cache.segment_max_age_s = 60;
      c.cache.gone_max_age_s = 30;
      for (auto& tenant : c.tenants) {
        tenant.profile.segment_duration_ms = 200;
        tenant.profile.policy.retry_budget_ms = 200;
        tenant.profile.policy.max_hold_ms = 2000;
        tenant.profile.policy.dvr_window_ms = 2000;
        tenant.profile.policy.live_window_segments = 3;
      }
    });
  }

  // Fixes the stream's timeline so that segment `edge` was due `into_ms` ago: the live edge is `edge`.
  nlohmann::json fix_timeline(std::int64_t duration_ms, std::int64_t edge, std::int64_t into_ms = 0,
                              const std::string& extra = "") {
    auto availability = unix_now_ms() - into_ms - (edge + 1) * duration_ms;
    auto body = "{\"segment_duration_ms\": " + std::to_string(duration_ms) + ", \"start_number\": 0, " +
                "\"availability_start_ms\": " + std::to_string(availability) + extra + "}";
    auto reply = fetch(origin_->admin(), bhttp::verb::put, "/streams/demo/live", body);
    EXPECT_EQ(reply.status, 200) << reply.body;
    // The packager has published this track before (segment 0): only known tracks are held or gone.
    fetch(origin_->ingest(), bhttp::verb::put, segment(0), "seed");
    return nlohmann::json::parse(reply.body);
  }

  nlohmann::json stream_status() {
    return nlohmann::json::parse(fetch(origin_->admin(), bhttp::verb::get, "/streams/demo/live").body);
  }

  // Polls the admin API until `held_requests` reaches `count` (no sleeping for readiness).
  bool wait_for_held(std::uint64_t count, std::chrono::milliseconds deadline = 5s) {
    auto until = steady::now() + deadline;
    while (steady::now() < until) {
      if (stream_status()["held_requests"] == count) return true;
      std::this_thread::sleep_for(2ms);
    }
    return false;
  }

  http_reply put(const std::string& target, const std::string& body) {
    return fetch(origin_->ingest(), bhttp::verb::put, target, body);
  }
  http_reply get(const std::string& target) { return fetch(origin_->delivery(), bhttp::verb::get, target); }

  std::unique_ptr<running_origin> origin_;
};

TEST_F(Timeline, PresentSegmentIs200WithLongLifetimeAndItsNumber) {
  fix_timeline(200, 10);
  put(segment(10), "ten");
  auto reply = get(segment(10));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "ten");
  EXPECT_EQ(reply.header("cache-control"), "public, max-age=60");
  EXPECT_EQ(reply.header("x-origin-segment"), "10");
}

TEST_F(Timeline, GetForNextSegmentIsHeldUntilItLands) {
  fix_timeline(200, 10, 20, ", \"retry_budget_ms\": 3000");  // segment 11 is due in ~180 ms; 3 s of slack
  auto held = std::async(std::launch::async, [&] { return get(segment(11)); });
  ASSERT_TRUE(wait_for_held(1));
  EXPECT_EQ(put(segment(11), "eleven").status, 201);
  auto reply = held.get();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "eleven");
  EXPECT_EQ(reply.header("x-origin-segment"), "11");
  EXPECT_EQ(stream_status()["held_requests"], 0);
}

TEST_F(Timeline, LateSegmentIsGoneAfterRetryBudgetAndCannotBePublishedAfterwards) {
  fix_timeline(200, 10, 20);
  auto started = steady::now();
  auto reply = get(segment(11));  // due in ~180 ms, retry budget 200 ms: 410 after ~380 ms
  auto waited = steady::now() - started;
  EXPECT_EQ(reply.status, 410);
  EXPECT_EQ(reply.header("cache-control"), "public, max-age=30");
  EXPECT_GE(waited, 250ms) << "it was held, not answered at once";
  EXPECT_NE(fetch(origin_->admin(), bhttp::verb::get, "/metrics")
                .body.find("live_origin_held_requests_total{outcome=\"timed_out\"} 1\n"),
            std::string::npos);
  auto late = put(segment(11), "too late");
  EXPECT_EQ(late.status, 409);
  EXPECT_EQ(get(segment(11)).status, 410);
}

TEST_F(Timeline, DueSegmentInsideItsRetryBudgetIsHeld) {
  fix_timeline(200, 10, 50, ", \"retry_budget_ms\": 3000");  // segment 10 was due 50 ms ago: still in budget
  auto held = std::async(std::launch::async, [&] { return get(segment(10)); });
  ASSERT_TRUE(wait_for_held(1));
  put(segment(10), "just in time");
  EXPECT_EQ(held.get().body, "just in time");
}

TEST_F(Timeline, SegmentFurtherAheadIs404CacheableUntilJustBeforeItIsDue) {
  fix_timeline(2000, 10, 100);  // 2 s segments; segment 15 is due in 9.9 s
  auto before = unix_now_ms();
  auto reply = get(segment(15));
  auto after = unix_now_ms();
  EXPECT_EQ(reply.status, 404);
  auto due = stream_status()["timeline"]["availability_start_ms"].get<std::int64_t>() + std::int64_t{16} * 2000;
  auto ttl = std::stoll(reply.header("x-origin-ttl-ms"));
  EXPECT_LE(ttl, due - before);
  EXPECT_GE(ttl, due - after);
  EXPECT_EQ(reply.header("cache-control"), "public, max-age=" + std::to_string((ttl - 1) / 1000));
}

TEST_F(Timeline, MissedSegmentIsGoneAtOnce) {
  fix_timeline(200, 10);
  auto started = steady::now();
  EXPECT_EQ(get(segment(5)).status, 410);  // due 1 s ago, never produced
  EXPECT_LT(steady::now() - started, 150ms) << "nothing to wait for";
  EXPECT_EQ(put(segment(5), "late").status, 409);
}

TEST_F(Timeline, SegmentOlderThanTheDvrWindowIsGoneEvenIfStored) {
  fix_timeline(200, 50);  // DVR window 2 s = 10 segments
  EXPECT_EQ(put(segment(20), "old").status, 201);
  EXPECT_EQ(get(segment(20)).status, 410);
  EXPECT_EQ(get(segment(-0)).status, 410);
}

TEST_F(Timeline, ManyHeldRequestsAreReleasedTogetherByOnePut) {
  fix_timeline(200, 10, 20, ", \"retry_budget_ms\": 3000");
  std::vector<std::future<http_reply>> waiting;
  for (int i = 0; i < 40; ++i) waiting.push_back(std::async(std::launch::async, [&] { return get(segment(11)); }));
  ASSERT_TRUE(wait_for_held(40));
  put(segment(11), "for everyone");
  for (auto& reply : waiting) {
    auto answer = reply.get();
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(answer.body, "for everyone");
  }
  auto metrics = fetch(origin_->admin(), bhttp::verb::get, "/metrics").body;
  EXPECT_NE(metrics.find("live_origin_held_requests_total{outcome=\"released\"} 40\n"), std::string::npos) << metrics;
}

TEST_F(Timeline, HeldClientThatDisconnectsFreesItsSlot) {
  fix_timeline(200, 10, 20, ", \"max_hold_ms\": 2000, \"retry_budget_ms\": 2000");
  {
    http_connection connection(origin_->delivery());
    connection.send(bhttp::verb::get, segment(11));
    ASSERT_TRUE(wait_for_held(1));
  }  // the client goes away
  EXPECT_TRUE(wait_for_held(0, 1500ms)) << "the slot is freed before the hold would have ended";
  EXPECT_NE(fetch(origin_->admin(), bhttp::verb::get, "/metrics")
                .body.find("live_origin_held_requests_total{outcome=\"abandoned\"} 1\n"),
            std::string::npos);
}

TEST_F(Timeline, UploadInFlightIsHeldUntilItCompletes) {
  put("/demo/live/other.m3u8", "exists");  // the stream exists before the upload starts
  http_connection upload(origin_->ingest());
  upload.write_raw(
      "PUT /demo/live/stream.m3u8 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n#EXTM3\r\n");
  auto auto_deadline = steady::now() + 5s;
  while (stream_status()["uploads_in_flight"] != 1 && steady::now() < auto_deadline) std::this_thread::sleep_for(2ms);
  auto held = std::async(std::launch::async, [&] { return get("/demo/live/stream.m3u8"); });
  ASSERT_TRUE(wait_for_held(1));
  upload.write_raw("2\r\nU\n\r\n0\r\n\r\n");
  EXPECT_EQ(upload.receive().status, 201);
  auto reply = held.get();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "#EXTM3U\n");
  EXPECT_EQ(reply.header("cache-control"), "public, max-age=1");
}

TEST_F(Timeline, AbortedUploadReleasesItsHolds) {
  put("/demo/live/other.m3u8", "exists");
  auto upload = std::make_unique<http_connection>(origin_->ingest());
  upload->write_raw("PUT /demo/live/stream.m3u8 HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial");
  auto deadline = steady::now() + 5s;
  while (stream_status()["uploads_in_flight"] != 1 && steady::now() < deadline) std::this_thread::sleep_for(2ms);
  auto held = std::async(std::launch::async, [&] { return get("/demo/live/stream.m3u8"); });
  ASSERT_TRUE(wait_for_held(1));
  upload.reset();  // the packager dies mid-upload
  EXPECT_EQ(held.get().status, 404);
}

TEST(TimelineHoldLimit, HoldsOverTheStreamBoundGet503) {
  running_origin origin([](config::origin_config& c) {
    c.live.max_held_per_stream = 2;
    for (auto& tenant : c.tenants) tenant.profile.policy.max_hold_ms = 3000;
  });
  auto availability = unix_now_ms() - std::int64_t{11} * 1000;  // 1 s segments, live edge 10, segment 11 due in ~1 s
  fetch(origin.admin(), bhttp::verb::put, "/streams/demo/live",
        "{\"segment_duration_ms\": 1000, \"start_number\": 0, \"availability_start_ms\": " +
            std::to_string(availability) + "}");
  fetch(origin.ingest(), bhttp::verb::put, segment(10), "ten");
  auto first = std::async(std::launch::async, [&] { return fetch(origin.delivery(), bhttp::verb::get, segment(11)); });
  auto second = std::async(std::launch::async, [&] { return fetch(origin.delivery(), bhttp::verb::get, segment(11)); });
  auto deadline = steady::now() + 5s;
  while (steady::now() < deadline &&
         nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/streams/demo/live").body)["held_requests"] !=
             2)
    std::this_thread::sleep_for(2ms);
  auto third = fetch(origin.delivery(), bhttp::verb::get, segment(11));
  EXPECT_EQ(third.status, 503);
  EXPECT_EQ(third.header("cache-control"), "public, max-age=1");
  fetch(origin.ingest(), bhttp::verb::put, segment(11), "landed");
  EXPECT_EQ(first.get().body, "landed");
  EXPECT_EQ(second.get().body, "landed");
  auto metrics = fetch(origin.admin(), bhttp::verb::get, "/metrics").body;
  EXPECT_NE(metrics.find("reason=\"hold_limit\"} 1"), std::string::npos) << metrics;
}

TEST_F(Timeline, SegmentsOfATrackNobodyPublishesAreNeitherHeldNorGone) {
  fix_timeline(200, 10, 20, ", \"retry_budget_ms\": 3000");
  auto started = steady::now();
  EXPECT_EQ(get("/demo/live/made-up-11.m4s").status, 404) << "not held: nobody publishes that track";
  EXPECT_EQ(get("/demo/live/made-up-5.m4s").status, 404) << "not remembered as gone";
  EXPECT_LT(steady::now() - started, 1s);
  EXPECT_EQ(stream_status()["held_requests"], 0);
  EXPECT_EQ(put("/demo/live/made-up-5.m4s", "late but new").status, 201);
}

TEST_F(Timeline, ManifestIsLatestVersionWithShortLifetime) {
  put("/demo/live/manifest.mpd", "<MPD v1/>");
  put("/demo/live/manifest.mpd", "<MPD v2/>");
  auto reply = get("/demo/live/manifest.mpd");
  EXPECT_EQ(reply.body, "<MPD v2/>");
  EXPECT_EQ(reply.header("cache-control"), "public, max-age=1");
  EXPECT_FALSE(reply.has_header("x-origin-segment"));
}

TEST_F(Timeline, UnknownStreamIs404WithShortLifetime) {
  auto reply = get("/demo/nothing/1.m4s");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(reply.header("cache-control"), "public, max-age=1");
  EXPECT_EQ(get("/nobody/x/1.m4s").header("cache-control"), "public, max-age=1");
}

TEST_F(Timeline, ServedSegmentKeepsItsBytes) {
  fix_timeline(200, 10);
  put(segment(10), "first");
  EXPECT_EQ(put(segment(10), "second").status, 204) << "not served yet: replaceable";
  EXPECT_EQ(get(segment(10)).body, "second");
  EXPECT_EQ(put(segment(10), "second").status, 204) << "same bytes again";
  EXPECT_EQ(put(segment(10), "third").status, 409) << "served: CDNs cached it";
  EXPECT_EQ(get(segment(10)).body, "second");
  auto metrics = fetch(origin_->admin(), bhttp::verb::get, "/metrics").body;
  EXPECT_NE(metrics.find("live_origin_http_rejections_total{listener=\"ingest\",reason=\"segment_already_served\"} 1"),
            std::string::npos)
      << metrics;
}

TEST_F(Timeline, FirstSegmentAnchorsALearnedTimeline) {
  EXPECT_EQ(
      fetch(origin_->ingest(), bhttp::verb::put, segment(100), "anchor", {{"X-Origin-Segment-Duration", "150"}}).status,
      201);
  auto status = stream_status();
  EXPECT_EQ(status["timeline"]["start_number"], 100);
  EXPECT_EQ(status["timeline"]["segment_duration_ms"], 150);
  EXPECT_EQ(status["live_edge"], 100);
  EXPECT_EQ(get(segment(103)).status, 404) << "further ahead";
  EXPECT_EQ(
      fetch(origin_->ingest(), bhttp::verb::put, segment(101), "x", {{"X-Origin-Segment-Duration", "zero"}}).status,
      400);
}

TEST_F(Timeline, SegmentsPastTheDvrWindowAreFreed) {
  // 50 ms segments, 1 s DVR window: publish 3 s worth in real time; memory stays at about one window.
  fix_timeline(50, 0, 0, ", \"dvr_window_s\": 1");
  const std::string payload(10'000, 's');
  auto availability = stream_status()["timeline"]["availability_start_ms"].get<std::int64_t>();
  std::uint64_t most_objects = 0;
  for (int n = 1; n <= 60; ++n) {
    auto due = availability + std::int64_t{n + 1} * 50;
    std::this_thread::sleep_for(std::chrono::milliseconds(std::max<std::int64_t>(due - unix_now_ms(), 0)));  // pacing
    ASSERT_EQ(put(segment(n), payload).status, 201);
    most_objects = std::max<std::uint64_t>(most_objects, stream_status()["objects"].get<std::uint64_t>());
  }
  // One window is 20 segments, plus up to one sweep interval (50 ms) and one anchor segment of slack.
  EXPECT_LE(most_objects, 24u);
  EXPECT_LE(stream_status()["bytes"].get<std::uint64_t>(), 24u * payload.size());
  EXPECT_EQ(get(segment(1)).status, 410);
}

TEST_F(Timeline, DeleteExpiresAfterTheDvrWindowNotAtOnce) {
  fix_timeline(200, 10, 0, ", \"dvr_window_s\": 1");
  put("/demo/live/old.m3u8", "playlist");
  EXPECT_EQ(fetch(origin_->ingest(), bhttp::verb::delete_, "/demo/live/old.m3u8").status, 204);
  EXPECT_EQ(get("/demo/live/old.m3u8").status, 200) << "still there for late viewers";
  auto deadline = steady::now() + 5s;
  while (get("/demo/live/old.m3u8").status == 200 && steady::now() < deadline) std::this_thread::sleep_for(20ms);
  EXPECT_EQ(get("/demo/live/old.m3u8").status, 404);
}

TEST_F(Timeline, WritingAgainAfterADeleteKeepsTheObject) {
  fix_timeline(200, 10, 0, ", \"dvr_window_s\": 1");
  put("/demo/live/init.mp4", "init v1");
  fetch(origin_->ingest(), bhttp::verb::delete_, "/demo/live/init.mp4");
  put("/demo/live/init.mp4", "init v2");
  std::this_thread::sleep_for(1300ms);  // longer than the DVR window the DELETE would have used
  EXPECT_EQ(get("/demo/live/init.mp4").body, "init v2");
}

TEST(TimelineDeletePolicy, IgnoreKeepsTheObject) {
  running_origin origin([](config::origin_config& c) {
    for (auto& tenant : c.tenants) {
      tenant.profile.policy.dvr_window_ms = 1000;
      tenant.profile.on_delete = model::delete_policy::ignore;
    }
  });
  fetch(origin.ingest(), bhttp::verb::put, "/demo/live/keep.m3u8", "kept");
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::delete_, "/demo/live/keep.m3u8").status, 204);
  auto status = nlohmann::json::parse(fetch(origin.admin(), bhttp::verb::get, "/streams/demo/live").body);
  EXPECT_EQ(status["objects"], 1);
  std::this_thread::sleep_for(1300ms);  // longer than the DVR window: an "expire" tenant would have dropped it
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live/keep.m3u8").body, "kept");
}

TEST_F(Timeline, ForcedSheddingRefusesDvrReadsButServesTheLiveEdge) {
  fix_timeline(200, 20, 0, ", \"force_shedding\": true, \"dvr_window_s\": 60");
  put(segment(5), "dvr");    // 15 behind the edge: DVR
  put(segment(19), "live");  // 1 behind the edge: live
  auto dvr = get(segment(5));
  EXPECT_EQ(dvr.status, 503);
  EXPECT_EQ(dvr.header("cache-control"), "public, max-age=5");
  auto live = get(segment(19));
  EXPECT_EQ(live.status, 200);
  EXPECT_EQ(live.body, "live");
  fix_timeline(200, 20, 0, ", \"force_shedding\": false, \"dvr_window_s\": 60");
  EXPECT_EQ(get(segment(5)).status, 200);
}

TEST(TimelineShedding, OverloadShedsDvrReadsAndNeverTheLiveEdge) {
  running_origin origin([](config::origin_config& c) {
    c.live.shed_inflight_requests = 2;
    c.live.shed_mailbox_messages = 4;
    for (auto& tenant : c.tenants) {
      tenant.profile.segment_duration_ms = 60'000;  // the live edge stays put for the whole test
      tenant.profile.policy.dvr_window_ms = std::int64_t{24} * 3'600'000;
      tenant.profile.policy.live_window_segments = 3;
    }
  });
  auto availability = unix_now_ms() - std::int64_t{101} * 60'000 + 1000;  // live edge 100 for the next ~59 s
  fetch(origin.admin(), bhttp::verb::put, "/streams/demo/live",
        "{\"start_number\": 0, \"availability_start_ms\": " + std::to_string(availability) + "}");
  fetch(origin.ingest(), bhttp::verb::put, segment(10), std::string(1000, 'd'));
  fetch(origin.ingest(), bhttp::verb::put, segment(99), std::string(1000, 'l'));
  std::atomic<int> dvr_shed{0}, dvr_served{0}, live_failed{0}, bad_shed_header{0};
  std::atomic<bool> stop{false};
  auto load = [&] {  // keep-alive DVR reads until told to stop (bounded by the loop below)
    auto connection = std::make_unique<http_connection>(origin.delivery());
    while (!stop) {
      auto reply = connection->request(bhttp::verb::get, segment(10));
      if (reply.status == 503) {
        ++dvr_shed;
        if (reply.header("cache-control") != "public, max-age=5") ++bad_shed_header;
        connection = std::make_unique<http_connection>(origin.delivery());  // a refusal closes the connection
      } else if (reply.status == 200) {
        ++dvr_served;
      }
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 24; ++i) readers.emplace_back(load);
  http_connection live(origin.delivery());
  for (int i = 0; i < 300; ++i)
    if (live.request(bhttp::verb::get, segment(99)).status != 200) ++live_failed;
  stop = true;
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(live_failed, 0) << "live-edge reads are never shed";
  EXPECT_GT(dvr_shed, 0) << "DVR reads were shed under load (" << dvr_served << " served)";
  EXPECT_EQ(bad_shed_header, 0);
}

}  // namespace
}  // namespace live_origin::test
