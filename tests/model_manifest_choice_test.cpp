#include <gtest/gtest.h>

#include "model/manifest_choice.hpp"

namespace live_origin::model {
namespace {

// Two pipelines, a (0) and b (1), with 2 s segments: stale after 6 s, a pipeline behind keeps preference 1 s.
constexpr std::size_t a = 0;
constexpr std::size_t b = 1;
const std::vector<std::size_t> a_then_b{a, b};
const std::vector<bool> both_stored{true, true};
constexpr manifest_timing timing{6000, 1000};

std::optional<std::size_t> choose(const manifest_history& history, std::int64_t now,
                                  const std::vector<std::size_t>& order = a_then_b,
                                  const std::vector<bool>& present = both_stored) {
  return choose_manifest(history, order, present, now, timing);
}

// What a GET gets now; the history remembers that it was served.
std::optional<std::size_t> serve(manifest_history& history, std::int64_t now) {
  auto chosen = choose(history, now);
  if (chosen) history.note_served(*chosen);
  return chosen;
}

// The rule the stream used to have kept: fresh, and not behind for as long as the grace.
TEST(ManifestCurrency, CurrentWhenFreshAndNotBehindForLong) {
  const std::int64_t now = 100'000;
  EXPECT_TRUE(manifest_is_current({true, now - 100, 41, {}}, now, timing));
  EXPECT_TRUE(manifest_is_current({true, now - 6000, 41, {}}, now, timing)) << "the window's edge is still fresh";
  EXPECT_FALSE(manifest_is_current({true, now - 6001, 41, {}}, now, timing)) << "not written for the whole window";
  EXPECT_FALSE(manifest_is_current({true, now - 100, 40, now - 5000}, now, timing)) << "behind for 5 s";
  EXPECT_TRUE(manifest_is_current({true, now - 100, 40, now - 999}, now, timing))
      << "behind for less than the grace: the other pipeline is milliseconds ahead, no flapping";
  EXPECT_FALSE(manifest_is_current({true, now - 100, 40, now - 1000}, now, timing)) << "the grace is over";
}

TEST(ManifestHistory, APipelineFallsBehindWhenAnotherFirstListsMoreAndStaysBehindSinceThen) {
  manifest_history history(2);
  history.note_written(a, 3, 10'000);
  history.note_written(b, 3, 10'005);
  EXPECT_FALSE(history.version(a).behind_since_ms);
  EXPECT_FALSE(history.version(b).behind_since_ms);
  history.note_written(b, 4, 12'000);
  EXPECT_EQ(history.version(a).behind_since_ms, 12'000);
  history.note_written(b, 5, 14'000);
  EXPECT_EQ(history.version(a).behind_since_ms, 12'000) << "counted from falling behind, not from b's last advance";
  history.note_written(a, 4, 14'100);
  EXPECT_EQ(history.version(a).behind_since_ms, 12'000) << "still behind: no break";
  history.note_written(a, 5, 14'200);
  EXPECT_FALSE(history.version(a).behind_since_ms) << "caught up";
  EXPECT_FALSE(history.version(b).behind_since_ms);
}

TEST(ManifestHistory, AVersionAheadOfTheOthersOrListingNoSegmentIsNeverBehind) {
  manifest_history history(2);
  history.note_written(a, 42, 1000);
  history.note_written(b, 41, 1000);
  EXPECT_FALSE(history.version(a).behind_since_ms);
  EXPECT_EQ(history.version(b).behind_since_ms, 1000);
  manifest_history masters(2);  // multivariant playlists list no segment
  masters.note_written(a, -1, 1000);
  masters.note_written(b, -1, 1000);
  EXPECT_FALSE(masters.version(a).behind_since_ms);
  EXPECT_FALSE(masters.version(b).behind_since_ms);
  EXPECT_EQ(choose(masters, 1500), a);
}

TEST(ManifestChoice, PipelineOrderIsRespectedWhileBothAreCurrent) {
  manifest_history history(2);
  history.note_written(b, 10, 1000);
  history.note_written(a, 10, 1002);
  EXPECT_EQ(choose(history, 1500), a);
  EXPECT_EQ(choose(history, 1500, {b, a}), b) << "a stream's own order";
  history.note_written(b, 11, 3000);
  EXPECT_EQ(choose(history, 3010), a) << "b is milliseconds ahead: no flapping";
  history.note_written(a, 11, 3020);
  EXPECT_EQ(choose(history, 3030), a);
}

// The measurement in issue 22: two pipelines publish every 2 s, a stops after segment 3. Before the fix, a's
// frozen playlist was served again for up to 1 s after every segment b published, until it was 6 s old.
TEST(ManifestChoice, AStoppedPipelinesPlaylistIsNeverServedAgainAfterALongerOneWas) {
  manifest_history history(2);
  history.note_written(a, 3, 6000);
  history.note_written(b, 3, 6004);
  EXPECT_EQ(serve(history, 6300), a);
  // a stops. b publishes segment 4 and its playlist.
  history.note_written(b, 4, 8000);
  EXPECT_EQ(serve(history, 8300), a) << "within the grace: nothing listing 4 was served yet";
  EXPECT_EQ(serve(history, 8999), a);
  EXPECT_EQ(serve(history, 9000), b) << "the grace (1 s from falling behind) is over";
  EXPECT_EQ(history.served_segment(), 4);
  for (std::int64_t segment = 5; segment <= 9; ++segment) {
    auto published = 8000 + (segment - 4) * 2000;
    history.note_written(b, segment, published);
    for (std::int64_t after : {0, 1, 300, 999, 1000, 1999}) {
      auto chosen = serve(history, published + after);
      EXPECT_EQ(chosen, b) << "segment " << segment << ", " << after << " ms after b published it";
      EXPECT_EQ(history.served_segment(), segment);
    }
  }
}

TEST(ManifestChoice, ACurrentPipelineListingLessThanWasServedIsSkipped) {
  manifest_history history(2);
  history.note_written(b, 11, 1000);
  EXPECT_EQ(serve(history, 1010), b) << "a has no version yet";
  history.note_written(a, 10, 1050);  // a joins a segment behind: behind since now, inside its grace
  EXPECT_TRUE(manifest_is_current(history.version(a), 1060, timing));
  EXPECT_EQ(serve(history, 1060), b) << "a's playlist would lose segment 11";
  history.note_written(a, 11, 1100);
  EXPECT_EQ(serve(history, 1110), a) << "as long as b's: a is first again";
}

TEST(ManifestChoice, APipelineSlowerThanTheGraceAlternatesButNeverGoesBackwards) {
  manifest_history history(2);
  history.note_written(a, 10, 0);
  history.note_written(b, 10, 0);
  std::int64_t served = -1;
  for (std::int64_t segment = 11; segment <= 20; ++segment) {
    auto due = (segment - 10) * 2000;
    history.note_written(b, segment, due);
    for (std::int64_t at = due; at < due + 2000; at += 100) {
      if (at == due + 1500) history.note_written(a, segment, at);  // a is 1.5 s late with every segment
      auto chosen = serve(history, at);
      ASSERT_TRUE(chosen);
      auto listed = history.version(*chosen).listed_segment;
      EXPECT_GE(listed, served) << "at " << at << " ms";
      served = listed;
      EXPECT_EQ(*chosen, at < due + 1000 || at >= due + 1500 ? a : b) << "at " << at << " ms";
    }
  }
}

TEST(ManifestChoice, WhenNothingIsCurrentTheVersionListingTheMostIsServed) {
  manifest_history history(2);
  history.note_written(a, 12, 1000);
  history.note_written(b, 11, 2000);
  EXPECT_EQ(choose(history, 20'000), a) << "both stale: the longer playlist, though b was written later";
  manifest_history tie(2);
  tie.note_written(a, 12, 1000);
  tie.note_written(b, 12, 2000);
  EXPECT_EQ(choose(tie, 20'000), b) << "as long: the most recently written";
  manifest_history masters(2);
  masters.note_written(a, -1, 1000);
  masters.note_written(b, -1, 2000);
  EXPECT_EQ(choose(masters, 20'000), b);
}

TEST(ManifestChoice, AStaleVersionThatListsAsMuchBeatsAFreshOneThatListsLess) {
  manifest_history history(2);
  history.note_written(a, 20, 1000);
  history.note_written(b, 20, 1000);
  EXPECT_EQ(serve(history, 1100), a);
  history.note_written(b, 19, 3000);  // b restarted and lags behind what players already have
  EXPECT_EQ(serve(history, 9000), a) << "a is stale, but b's playlist would shrink";
  history.note_written(b, 20, 9100);
  EXPECT_EQ(serve(history, 9200), b);
}

TEST(ManifestChoice, WhenEveryVersionListsLessThanWasServedTheLongestIsServedAndTheHistoryStartsAnew) {
  manifest_history history(2);
  history.note_written(a, 100, 1000);
  EXPECT_EQ(serve(history, 1100), a);
  history.note_written(a, 5, 2000);  // both packagers restarted their numbering
  history.note_written(b, 6, 2000);
  EXPECT_EQ(serve(history, 2100), b) << "never withheld";
  EXPECT_EQ(history.served_segment(), 6);
  history.note_written(a, 6, 2200);
  EXPECT_EQ(serve(history, 2300), a);
}

TEST(ManifestChoice, OnlyStoredVersionsAreChosen) {
  manifest_history history(2);
  EXPECT_FALSE(choose(history, 1000)) << "nothing written";
  history.note_written(a, 10, 1000);
  history.note_written(b, 10, 1000);
  EXPECT_EQ(choose(history, 1100, a_then_b, {false, true}), b);
  EXPECT_FALSE(choose(history, 1100, a_then_b, {false, false}));
}

}  // namespace
}  // namespace live_origin::model
