// The origin inspects what stock packagers upload (no X-Origin-Defects from them) and selects by it, over
// real sockets with real ffmpeg segments: pipeline a's copy impaired the way inputs fail, b's clean.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <map>

#include "support/ffmpeg_media.hpp"
#include "support/http_client.hpp"
#include "support/live_stream.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// Real segments, encoded once for every test: HLS fMP4 (init.mp4, index0.m4s ...) and TS (index0.ts ...).
struct encoded_media {
  temp_dir dir;
  ffmpeg_media ffmpeg{dir};
  std::vector<segment_file> fmp4, ts, fmp4_dropped, fmp4_restarted;
  std::string init;

  encoded_media() {
    fmp4 = ffmpeg_media::playlist(ffmpeg.hls_fmp4("clean_fmp4"));
    ts = ffmpeg_media::playlist(ffmpeg.hls_ts("clean_ts"));
    // 0.64 s of frames dropped inside segment 1, timestamps kept: one sample lasts 17 frames.
    fmp4_dropped = ffmpeg_media::playlist(
        ffmpeg.hls_fmp4("dropped", {"-vf", "select='not(between(t,2.6,3.2))'", "-fps_mode", "passthrough"}));
    // An encoder restarted for segment 2: its media timeline starts again at 0.
    fmp4_restarted = ffmpeg_media::playlist(ffmpeg.hls_fmp4("restarted", {}, {"-start_number", "2"}, 2));
    init = read_file(fmp4.at(0).path.parent_path() / "init.mp4");
  }
};

class MediaSelection : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { media_ = new encoded_media(); }
  static void TearDownTestSuite() {
    delete media_;
    media_ = nullptr;
  }

  void SetUp() override {
    ASSERT_GE(media_->fmp4.size(), 3u);
    ASSERT_GE(media_->ts.size(), 3u);
    start();
  }

  void start(const std::function<void(config::origin_config&)>& adjust = {}) {
    origin_ = std::make_unique<running_origin>([&](config::origin_config& c) {
      for (auto& tenant : c.tenants) {
        tenant.profile.segment_duration_ms = 2000;
        tenant.profile.policy.retry_budget_ms = 3000;
        tenant.profile.policy.max_hold_ms = 5000;
        tenant.profile.policy.dvr_window_ms = 600'000;
      }
      if (adjust) adjust(c);
    });
    // Segments 0 and 1 are due; 2 is due in ~1.9 s.
    auto availability = unix_now_ms() - std::int64_t{2} * 2000 - 100;
    auto reply = fetch(origin_->admin(), bhttp::verb::put, "/streams/demo/live",
                       "{\"start_number\": 0, \"availability_start_ms\": " + std::to_string(availability) + "}");
    ASSERT_EQ(reply.status, 200) << reply.body;
  }

  http_reply put(const std::string& object, const std::string& body, const std::string& pipeline) {
    return fetch(origin_->ingest(), bhttp::verb::put, "/demo/live/" + object, body, {{"X-Origin-Pipeline", pipeline}});
  }
  http_reply get(const std::string& object) {
    return fetch(origin_->delivery(), bhttp::verb::get, "/demo/live/" + object);
  }
  nlohmann::json status() {
    return nlohmann::json::parse(fetch(origin_->admin(), bhttp::verb::get, "/streams/demo/live").body);
  }
  static std::string bytes_of(const segment_file& segment) { return read_file(segment.path); }
  static std::string name_of(const segment_file& segment) { return segment.path.filename().string(); }

  // Both pipelines publish the init segment and segments 0..2, pipeline a's segment `impaired` replaced.
  void publish_fmp4(std::size_t impaired, const std::string& a_copy) {
    ASSERT_EQ(put("init.mp4", media_->init, "a").status, 201);
    ASSERT_EQ(put("init.mp4", media_->init, "b").status, 201);
    for (std::size_t n = 0; n < 3; ++n) {
      const auto& segment = media_->fmp4[n];
      ASSERT_EQ(put(name_of(segment), n == impaired ? a_copy : bytes_of(segment), "a").status, 201);
      ASSERT_EQ(put(name_of(segment), bytes_of(segment), "b").status, 201);
    }
  }

  void expect_served_from(const std::string& object, const std::string& pipeline, const std::string& bytes) {
    auto reply = get(object);
    EXPECT_EQ(reply.status, 200) << object;
    EXPECT_EQ(reply.header("x-origin-pipeline"), pipeline) << object;
    EXPECT_FALSE(reply.has_header("x-origin-defects")) << reply.header("x-origin-defects");
    EXPECT_TRUE(reply.body == bytes) << object << ": other bytes than pipeline " << pipeline << "'s";
  }

  static encoded_media* media_;
  std::unique_ptr<running_origin> origin_;
};

encoded_media* MediaSelection::media_ = nullptr;

TEST_F(MediaSelection, CleanSegmentsFromBothPipelinesAreServedFromTheFirst) {
  publish_fmp4(99, {});
  for (std::size_t n = 0; n < 3; ++n) expect_served_from(name_of(media_->fmp4[n]), "a", bytes_of(media_->fmp4[n]));
  EXPECT_EQ(status()["pipelines"]["a"]["recent_defects"].size(), 0u);
}

TEST_F(MediaSelection, DroppedFramesInPipelineAServeBsCopy) {
  publish_fmp4(1, bytes_of(media_->fmp4_dropped.at(1)));
  expect_served_from(name_of(media_->fmp4[0]), "a", bytes_of(media_->fmp4[0]));
  expect_served_from(name_of(media_->fmp4[1]), "b", bytes_of(media_->fmp4[1]));

  auto a = status()["pipelines"]["a"];
  EXPECT_EQ(a["defects"]["short"], 1);
  ASSERT_EQ(a["recent_defects"].size(), 1u);
  EXPECT_EQ(a["recent_defects"][0]["object"], name_of(media_->fmp4[1]));
  EXPECT_EQ(a["recent_defects"][0]["defects"], "short");
  EXPECT_EQ(a["recent_defects"][0]["found"].get<std::string>().rfind("video: 34 of 50 samples", 0), 0u)
      << a["recent_defects"][0]["found"];
  auto metrics = scrape_metrics_until(origin_->admin(), [](const prometheus_text& m) {
    return m.value_or("live_origin_derived_defects_total", {{"tenant", "demo"}, {"pipeline", "a"}, {"kind", "short"}},
                      0) > 0;
  });
  EXPECT_EQ(
      metrics.value("live_origin_derived_defects_total", {{"tenant", "demo"}, {"pipeline", "a"}, {"kind", "short"}}),
      1);
  EXPECT_EQ(metrics.sum("live_origin_derived_defects_total", {{"pipeline", "b"}}), 0);
}

TEST_F(MediaSelection, ARestartedTimelineInPipelineAServesBsCopy) {
  // a's encoder restarted before segment 2: its timestamps go back from 4 s, where its segment 1 ended, to 0.
  ASSERT_EQ(name_of(media_->fmp4_restarted.at(0)), "index2.m4s");
  publish_fmp4(2, bytes_of(media_->fmp4_restarted.at(0)));
  expect_served_from(name_of(media_->fmp4[2]), "b", bytes_of(media_->fmp4[2]));
  EXPECT_EQ(status()["pipelines"]["a"]["defects"]["discontinuity"], 1);
}

TEST_F(MediaSelection, ATruncatedBodyWithAMatchingLengthServesBsCopy) {
  auto cut = bytes_of(media_->fmp4[1]);
  cut.resize(cut.size() - 1000);  // Content-Length says what was sent: the upload itself "succeeded"
  publish_fmp4(1, cut);
  expect_served_from(name_of(media_->fmp4[1]), "b", bytes_of(media_->fmp4[1]));
  EXPECT_EQ(status()["pipelines"]["a"]["defects"]["corrupt"], 1);
}

TEST_F(MediaSelection, ASlateFromPipelineAServesBsCopy) {
  auto body = bytes_of(media_->fmp4[1]);
  ASSERT_EQ(body.substr(4, 4), "styp");
  auto styp_size = static_cast<std::size_t>(static_cast<unsigned char>(body[3]));  // ffmpeg's styp is < 256 bytes
  std::string slate_styp(
      "\0\0\0\x18styp"
      "msdh\0\0\0\0"
      "msdhslat",
      24);
  publish_fmp4(1, slate_styp + body.substr(styp_size));
  expect_served_from(name_of(media_->fmp4[1]), "b", bytes_of(media_->fmp4[1]));
  EXPECT_EQ(status()["pipelines"]["a"]["defects"]["slate"], 1);
}

TEST_F(MediaSelection, LostTsPacketsInPipelineAServeBsCopy) {
  for (std::size_t n = 0; n < 3; ++n) {
    auto clean = bytes_of(media_->ts[n]);
    auto lossy = clean;
    if (n == 1) lossy.erase(188 * 100, 188 * 7);
    ASSERT_EQ(put(name_of(media_->ts[n]), lossy, "a").status, 201);
    ASSERT_EQ(put(name_of(media_->ts[n]), clean, "b").status, 201);
  }
  expect_served_from(name_of(media_->ts[0]), "a", bytes_of(media_->ts[0]));
  expect_served_from(name_of(media_->ts[1]), "b", bytes_of(media_->ts[1]));
  auto found = status()["pipelines"]["a"]["recent_defects"].at(0)["found"].get<std::string>();
  EXPECT_EQ(found.rfind("TS: continuity error on PID ", 0), 0u) << found;
}

TEST_F(MediaSelection, WithBothImpairedTheLeastBadIsServedWithItsDefectsListed) {
  ASSERT_EQ(put("init.mp4", media_->init, "a").status, 201);
  ASSERT_EQ(put("init.mp4", media_->init, "b").status, 201);
  auto name = name_of(media_->fmp4[1]);
  auto cut = bytes_of(media_->fmp4[1]);
  cut.resize(cut.size() - 1000);
  ASSERT_EQ(put(name, cut, "a").status, 201);                                   // corrupt
  ASSERT_EQ(put(name, bytes_of(media_->fmp4_dropped.at(1)), "b").status, 201);  // short
  auto reply = get(name);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("x-origin-pipeline"), "b");
  EXPECT_EQ(reply.header("x-origin-defects"), "short");
}

TEST_F(MediaSelection, AHeldGetWaitsForTheCleanCopyWhileTheOtherPipelineMayStillSendIt) {
  ASSERT_EQ(put("init.mp4", media_->init, "a").status, 201);
  ASSERT_EQ(put("init.mp4", media_->init, "b").status, 201);
  for (std::size_t n = 0; n < 2; ++n) {
    ASSERT_EQ(put(name_of(media_->fmp4[n]), bytes_of(media_->fmp4[n]), "a").status, 201);
    ASSERT_EQ(put(name_of(media_->fmp4[n]), bytes_of(media_->fmp4[n]), "b").status, 201);
  }
  // Segment 2 is due in ~1.9 s: its GET is held until a candidate the origin would serve lands.
  auto name = name_of(media_->fmp4[2]);
  auto clean = bytes_of(media_->fmp4[2]);
  auto held = std::async(std::launch::async, [&] { return get(name); });
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (status()["held_requests"] == 0 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  ASSERT_EQ(status()["held_requests"], 1);
  auto cut = clean;
  cut.resize(cut.size() - 1000);
  ASSERT_EQ(put(name, cut, "a").status, 201);
  // b may still deliver within the retry budget: a's corrupt copy does not answer the hold.
  EXPECT_EQ(held.wait_for(300ms), std::future_status::timeout) << "answered with a's corrupt copy";
  ASSERT_EQ(put(name, clean, "b").status, 201);
  auto reply = held.get();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("x-origin-pipeline"), "b");
  EXPECT_TRUE(reply.body == clean);
}

TEST_F(MediaSelection, ACheckSwitchedOffForTheTenantFindsNothing) {
  start([](config::origin_config& c) {
    for (auto& tenant : c.tenants) tenant.profile.inspection.checks.short_samples = false;
  });
  publish_fmp4(1, bytes_of(media_->fmp4_dropped.at(1)));
  expect_served_from(name_of(media_->fmp4[1]), "a", bytes_of(media_->fmp4_dropped.at(1)));
}

}  // namespace
}  // namespace live_origin::test
