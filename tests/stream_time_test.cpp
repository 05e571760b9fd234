// The stream actor's timeline rules on CAF's deterministic scheduler, in simulated time: holds, the retry
// budget, max_hold, 404 lifetimes, missed segments, defective candidates and the DVR sweep, to the
// millisecond and without sleeping. Nothing runs until a test says so (run), and time moves only when it
// says so (advance); the stream reads its wall clock from the same simulated clock.

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/stream_actor.hpp"
#include "actors/stream_directory.hpp"
#include "actors/tenant_supervisor.hpp"
#include "model/clock.hpp"
#include "model/content_digest.hpp"
#include "storage/storage_actor.hpp"
#include "support/scripted_storage.hpp"

namespace live_origin::actors {
namespace {

using namespace std::chrono_literals;

// Unix milliseconds that follow the actor system's (simulated) clock from a fixed start.
class simulated_clock final : public model::wall_clock {
 public:
  simulated_clock(caf::actor_system& system, std::int64_t start_unix_ms)
      : system_(system), start_(system.clock().now()), start_unix_ms_(start_unix_ms) {}
  std::int64_t unix_now_ms() const override {
    return start_unix_ms_ +
           std::chrono::duration_cast<std::chrono::milliseconds>(system_.clock().now() - start_).count();
  }

 private:
  caf::actor_system& system_;
  caf::actor_clock::time_point start_;
  std::int64_t start_unix_ms_;
};

// An answer that may not have come yet.
template <class Reply>
struct pending {
  std::optional<Reply> reply;
  std::optional<caf::error> error;
  bool answered() const { return reply || error; }
};

class StreamTime : public ::testing::Test {
 protected:
  // Segment n is due at t0 + (n - 10) * 2 s: at t0 the live edge is 10 and 11 is due in 2 s.
  static constexpr std::int64_t t0 = 1'700'000'000'000;

  StreamTime() {
    spdlog::set_level(spdlog::level::off);
    config_.set("scheduler.policy", caf::atom("testing"));
    storage::register_message_types(config_);
    register_message_types(config_);
    system_ = std::make_unique<caf::actor_system>(config_);
    scheduler_ = &dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
    defaults_ = std::make_shared<stream_defaults>();
    defaults_->clock = std::make_shared<simulated_clock>(*system_, t0);
    defaults_->profile.segment_duration_ms = 2000;
    defaults_->profile.start_number = 1;
    defaults_->profile.availability_start_ms = t0 - 20'000;
    defaults_->profile.policy.retry_budget_ms = 2000;
    defaults_->profile.policy.max_hold_ms = 6000;
    defaults_->profile.policy.dvr_window_ms = 60'000;
  }

  ~StreamTime() override {
    if (stream_) caf::anon_send_exit(*stream_, caf::exit_reason::user_shutdown);
    scheduler_->run();
  }

  stream_actor stream() {
    if (!stream_) {
      stream_ = spawn_stream_actor(*system_, "demo", "live", defaults_);
      scheduler_->run();
    }
    return *stream_;
  }

  // Sends a request to `target` from a small client actor and runs what is ready; the answer may come later.
  template <class Reply, class Handle, class... Ts>
  std::shared_ptr<pending<Reply>> ask_actor(Handle target, Ts... message) {
    auto result = std::make_shared<pending<Reply>>();
    system_->spawn([=](caf::event_based_actor* self) {
      // Longer than any test runs in simulated time: the stream answers, not the request timeout.
      self->request(target, std::chrono::seconds(86400), message...)
          .then([result](Reply& reply) { result->reply = std::move(reply); },
                [result](caf::error& error) { result->error = std::move(error); });
    });
    scheduler_->run();
    return result;
  }

  // The same, to the stream.
  template <class Reply, class... Ts>
  std::shared_ptr<pending<Reply>> ask(Ts... message) {
    return ask_actor<Reply>(stream(), message...);
  }

  std::shared_ptr<pending<read_reply>> get(const std::string& object) {
    return ask<read_reply>(get_atom_v, object_read{.object = object, .token = ++token_});
  }

  std::shared_ptr<pending<write_reply>> put(const std::string& object, std::string bytes, std::string pipeline = "a",
                                            model::defect_set defects = model::defects::none) {
    auto body = object_body::adopt(std::move(bytes));
    auto digest = model::content_digest(body.view());
    return ask<write_reply>(
        put_atom_v,
        object_write{
            .object = object, .body = body, .digest = digest, .pipeline = std::move(pipeline), .defects = defects});
  }

  // Moves simulated time forward, running whatever becomes due (sweeps reschedule themselves).
  void advance(std::chrono::milliseconds by) {
    while (by > 0ms) {
      auto step = std::min<std::chrono::milliseconds>(by, 100ms);
      scheduler_->advance_time(step);
      scheduler_->run();
      by -= step;
    }
  }

  caf::actor_system_config config_;
  std::unique_ptr<caf::actor_system> system_;
  caf::scheduler::test_coordinator* scheduler_ = nullptr;
  std::shared_ptr<stream_defaults> defaults_;
  std::optional<stream_actor> stream_;
  std::uint64_t token_ = 0;
};

TEST_F(StreamTime, AGetForTheNextSegmentIsHeldUntilTheMomentItLands) {
  put("seg-10.m4s", "ten");
  auto held = get("seg-11.m4s");
  advance(1999ms);
  EXPECT_FALSE(held->answered());
  put("seg-11.m4s", "eleven");
  ASSERT_TRUE(held->reply);
  EXPECT_EQ(held->reply->status, 200);
  EXPECT_EQ(held->reply->object.body.view(), "eleven");
  EXPECT_EQ(held->reply->segment_number, 11);
}

TEST_F(StreamTime, AHeldSegmentThatNeverLandsIsGoneExactlyAtItsRetryBudget) {
  put("seg-10.m4s", "ten");
  auto held = get("seg-11.m4s");  // due at t0 + 2 s, gone at t0 + 4 s
  advance(3999ms);
  EXPECT_FALSE(held->answered());
  advance(1ms);
  ASSERT_TRUE(held->reply);
  EXPECT_EQ(held->reply->status, 410);
  EXPECT_EQ(held->reply->cache_control, "public, max-age=3600");
  // The deadline holds for a late upload too: the segment stays gone.
  EXPECT_EQ(put("seg-11.m4s", "late")->reply->status, 409);
  EXPECT_EQ(get("seg-11.m4s")->reply->status, 410);
}

TEST_F(StreamTime, AHoldReachingMaxHoldBeforeItsDeadlineIsANotYetThatIsNeverCached) {
  defaults_->profile.policy.max_hold_ms = 1000;
  put("seg-10.m4s", "ten");
  auto held = get("seg-11.m4s");
  advance(999ms);
  EXPECT_FALSE(held->answered());
  advance(1ms);
  ASSERT_TRUE(held->reply);
  EXPECT_EQ(held->reply->status, 404);
  EXPECT_EQ(held->reply->cache_control, "no-store");
}

TEST_F(StreamTime, ASegmentFurtherAheadIsCacheableUntilJustBeforeItIsDue) {
  put("seg-10.m4s", "ten");
  auto ahead = get("seg-13.m4s");  // due at t0 + 6 s
  ASSERT_TRUE(ahead->reply);
  EXPECT_EQ(ahead->reply->status, 404);
  EXPECT_EQ(ahead->reply->ttl_ms, 6000);
  EXPECT_EQ(ahead->reply->cache_control, "public, max-age=5");
  advance(2500ms);
  auto later = get("seg-13.m4s");
  EXPECT_EQ(later->reply->ttl_ms, 3500);
  EXPECT_EQ(later->reply->cache_control, "public, max-age=3");
}

TEST_F(StreamTime, AMissedSegmentIsGoneAtOnceAndCannotBePublishedAfterwards) {
  put("seg-10.m4s", "ten");
  auto missed = get("seg-8.m4s");  // due at t0 - 4 s: its budget ended at t0 - 2 s
  ASSERT_TRUE(missed->reply);
  EXPECT_EQ(missed->reply->status, 410);
  auto late = put("seg-8.m4s", "eight");
  ASSERT_TRUE(late->reply);
  EXPECT_EQ(late->reply->status, 409);
  EXPECT_EQ(late->reply->outcome, model::write_outcome::refused_gone);
}

TEST_F(StreamTime, ADefectiveCandidateWaitsForACleanOneUntilTheRetryBudgetThenIsServed) {
  put("seg-10.m4s", "ten");
  advance(2000ms);  // segment 11 is due now
  put("seg-11.m4s", "short eleven", "a", model::defects::short_segment);
  auto held = get("seg-11.m4s");  // b may still deliver a clean copy until t0 + 4 s
  advance(1999ms);
  EXPECT_FALSE(held->answered());
  advance(1ms);
  ASSERT_TRUE(held->reply);
  EXPECT_EQ(held->reply->status, 200);
  EXPECT_EQ(held->reply->pipeline, "a");
  EXPECT_EQ(held->reply->object.defects, model::defects::short_segment);
}

TEST_F(StreamTime, ACleanCandidateReleasesAHoldThatAStreamWithADefectiveOneWasWaitingOn) {
  put("seg-10.m4s", "ten");
  advance(2000ms);
  put("seg-11.m4s", "short eleven", "a", model::defects::short_segment);
  auto held = get("seg-11.m4s");
  advance(500ms);
  put("seg-11.m4s", "clean eleven", "b");
  ASSERT_TRUE(held->reply);
  EXPECT_EQ(held->reply->pipeline, "b");
  EXPECT_EQ(held->reply->object.body.view(), "clean eleven");
}

// An HLS media playlist listing segments `first` to `last`.
std::string playlist(int first, int last) {
  std::string text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:" + std::to_string(first) + "\n";
  for (int n = first; n <= last; ++n) text += "#EXTINF:2.0,\nseg-" + std::to_string(n) + ".m4s\n";
  return text;
}

// Issue 22: two pipelines publish every 2 s and a stops after segment 10. Once b's playlist listing 11 has been
// served, a's frozen one (listing 10) is never served again, however soon after b's next segment it is asked for.
TEST_F(StreamTime, AStoppedPipelinesPlaylistIsNeverServedAgainAfterALongerOneWas) {
  for (const char* pipeline : {"a", "b"}) {
    put("seg-10.m4s", "ten", pipeline);
    put("live.m3u8", playlist(8, 10), pipeline);
  }
  EXPECT_EQ(get("live.m3u8")->reply->pipeline, "a");
  advance(2000ms);  // a has stopped; b publishes segment 11
  put("seg-11.m4s", "eleven", "b");
  put("live.m3u8", playlist(9, 11), "b");
  advance(300ms);
  EXPECT_EQ(get("live.m3u8")->reply->pipeline, "a") << "within the grace: a may be milliseconds late";
  advance(700ms);  // the grace (half a segment) since a fell behind is over
  auto switched = get("live.m3u8");
  EXPECT_EQ(switched->reply->pipeline, "b");
  EXPECT_EQ(switched->reply->object.body.view(), playlist(9, 11));
  for (int n = 12; n <= 14; ++n) {
    advance(1000ms);  // segment n is due
    put("seg-" + std::to_string(n) + ".m4s", "next", "b");
    put("live.m3u8", playlist(n - 2, n), "b");
    for (auto step : {1ms, 299ms, 700ms}) {
      advance(step);
      auto reply = get("live.m3u8");
      ASSERT_TRUE(reply->reply);
      EXPECT_EQ(reply->reply->pipeline, "b") << "segment " << n << ": a's playlist would shrink to segment 10";
      EXPECT_EQ(reply->reply->object.body.view(), playlist(n - 2, n));
    }
  }
}

// 6 s segments, segment 10 due at t0: a playlist listing the live edge is cacheable until just before the next
// segment is due (at least 1 s); one behind the edge keeps the configured lifetime.
TEST_F(StreamTime, AManifestListingTheLiveEdgeIsCacheableUntilTheNextSegmentIsDue) {
  defaults_->profile.segment_duration_ms = 6000;
  defaults_->profile.availability_start_ms = t0 - 60'000;
  put("seg-10.m4s", "ten");
  put("live.m3u8", playlist(8, 10));
  auto expect_lifetime = [&](std::int64_t ttl_ms, const std::string& cache_control) {
    auto reply = get("live.m3u8");
    ASSERT_TRUE(reply->reply);
    EXPECT_EQ(reply->reply->status, 200);
    EXPECT_EQ(reply->reply->ttl_ms, ttl_ms);
    EXPECT_EQ(reply->reply->cache_control, cache_control);
  };
  expect_lifetime(6000, "public, max-age=5");
  advance(2500ms);
  expect_lifetime(3500, "public, max-age=3");
  advance(3400ms);
  expect_lifetime(100, "public, max-age=1");  // the floor: max-age=0 would not be cached at all
  advance(100ms);                             // segment 11 is due and not here: the playlist is behind
  expect_lifetime(-1, "public, max-age=1");
  put("seg-11.m4s", "eleven");
  put("live.m3u8", playlist(9, 11));
  advance(10ms);
  expect_lifetime(5990, "public, max-age=5");
}

TEST_F(StreamTime, SegmentsLeaveWithTheDvrWindowAtTheNextSweep) {
  put("seg-10.m4s", "ten");
  put("seg-11.m4s", "eleven");
  ASSERT_EQ(ask<stream_status>(settings_atom_v)->reply->objects, 2u);
  // Segment 10 leaves the 60 s window at t0 + 60 s, segment 11 two seconds later; sweeps run every second.
  advance(60'999ms);
  EXPECT_EQ(ask<stream_status>(settings_atom_v)->reply->objects, 1u);
  EXPECT_EQ(get("seg-10.m4s")->reply->status, 410);
  advance(2000ms);
  EXPECT_EQ(ask<stream_status>(settings_atom_v)->reply->objects, 0u);
  EXPECT_EQ(get("seg-11.m4s")->reply->status, 410);
}

TEST_F(StreamTime, ManyHeldRequestsAreAnsweredTogetherAtTheirCommonDeadline) {
  put("seg-10.m4s", "ten");
  std::vector<std::shared_ptr<pending<read_reply>>> held;
  for (int i = 0; i < 50; ++i) held.push_back(get("seg-11.m4s"));
  EXPECT_EQ(ask<stream_status>(settings_atom_v)->reply->held_requests, 50u);
  advance(4000ms);
  for (const auto& h : held) {
    ASSERT_TRUE(h->reply);
    EXPECT_EQ(h->reply->status, 410);
  }
  EXPECT_EQ(ask<stream_status>(settings_atom_v)->reply->held_requests, 0u);
  EXPECT_EQ(defaults_->held_total->load(), 0u);
}

// A write waiting for storage when its actor dies is told at once (no simulated time passes), so the
// HTTP side asks the successor instead of waiting for the storage timeout.
TEST_F(StreamTime, AWriteInFlightWhenItsActorDiesIsToldTheReceiverWentDownAtOnce) {
  auto storage = system_->spawn(test::scripted_storage, test::script::never, test::script::yes, test::script::yes);
  stream_ = spawn_stream_actor(*system_, "demo", "drill", defaults_, storage, std::nullopt);
  scheduler_->run();
  auto write = put("seg-1.m4s", "one");
  EXPECT_FALSE(write->answered()) << "acknowledged without storage";
  caf::anon_send(*stream_, crash_atom_v);
  scheduler_->run();
  ASSERT_TRUE(write->error);
  EXPECT_EQ(*write->error, caf::sec::request_receiver_down) << system_->render(*write->error);
  stream_.reset();
  caf::anon_send_exit(storage, caf::exit_reason::user_shutdown);
}

TEST_F(StreamTime, AFailedStreamIsRestartedAndTheDirectoryFollows) {
  auto directory = std::make_shared<stream_directory>();
  auto tenant = spawn_tenant_supervisor(*system_, {"demo", defaults_, {}}, directory, {}, nullptr);
  scheduler_->run();
  auto opened = ask_actor<stream_actor>(tenant, open_atom_v, std::string("live1"));
  ASSERT_TRUE(opened->reply);
  auto first = *opened->reply;
  EXPECT_EQ(directory->stream("demo", "live1"), first);
  caf::anon_send_exit(first, caf::exit_reason::kill);
  scheduler_->run();
  auto current = directory->stream("demo", "live1");
  ASSERT_TRUE(current);
  EXPECT_NE(*current, first);
  EXPECT_EQ(ask_actor<write_reply>(
                *current, put_atom_v,
                object_write{.object = "x.ts", .body = object_body::adopt("x"), .digest = model::content_digest("x")})
                ->reply->status,
            201);
  auto info = ask_actor<tenant_info>(tenant, info_atom_v);
  ASSERT_TRUE(info->reply);
  EXPECT_EQ(info->reply->restarts, 1u);
  EXPECT_EQ(defaults_->tenant->restarts.load(), 1u);
  caf::anon_send_exit(tenant, caf::exit_reason::user_shutdown);
  scheduler_->run();
}

}  // namespace
}  // namespace live_origin::actors
