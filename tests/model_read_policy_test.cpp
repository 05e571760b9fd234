#include <gtest/gtest.h>

#include <limits>

#include "model/read_policy.hpp"

namespace live_origin::model {
namespace {

constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

// Segments 100, 101, ... of 2 s each; segment 100 is due at 1'002'000 ms, 101 at 1'004'000 ms, ...
constexpr std::int64_t avail = 1'000'000;
constexpr std::int64_t duration = 2000;
constexpr std::uint64_t start = 100;
const std::optional<timeline> line = timeline{duration, start, avail};
const live_policy policy{};  // retry budget 2 s, DVR window 1 h, max hold 6 s, live window 3
const cache_policy cache{};  // segments 3600 s, manifests 1 s, gone 3600 s, miss 1 s, shed 5 s

constexpr std::int64_t due_of(std::uint64_t n) { return avail + static_cast<std::int64_t>(n - start + 1) * duration; }

constexpr object_facts stored{true, false, false, true};
constexpr object_facts missing{false, false, false, true};
constexpr object_facts said_gone{false, true, false, true};
constexpr object_facts uploading{false, false, true, true};

object_class segment(std::uint64_t n) { return {object_kind::media_segment, n, "chunk-stream0-.m4s"}; }
const object_class manifest{object_kind::manifest, 0, {}};
const object_class init{object_kind::init_segment, 0, {}};
const object_class plain{object_kind::plain, 0, {}};

read_decision decide(std::uint64_t n, const object_facts& facts, std::int64_t now_ms, bool shed_dvr = false,
                     const live_policy& lp = policy, const std::optional<timeline>& tl = line) {
  return decide_read(segment(n), tl, lp, facts, now_ms, shed_dvr);
}

answer_headers answer(const read_decision& decision, object_kind kind = object_kind::media_segment) {
  return answer_for(decision, kind, cache);
}

read_decision not_yet(std::int64_t ttl_ms) { return {read_outcome::not_yet, 0, ttl_ms}; }

void expect_gone(const read_decision& decision) {
  EXPECT_EQ(decision.outcome, read_outcome::gone) << to_string(decision.outcome);
  auto headers = answer(decision);
  EXPECT_EQ(headers.status, 410);
  EXPECT_EQ(headers.cache_control, "public, max-age=3600");
  EXPECT_EQ(headers.ttl_ms, -1);
}

void expect_hold(const read_decision& decision, std::int64_t until_ms) {
  EXPECT_EQ(decision.outcome, read_outcome::hold) << to_string(decision.outcome);
  EXPECT_EQ(decision.hold_until_ms, until_ms);
}

// --- present: serve ----------------------------------------------------------------------------------

TEST(ReadPolicy, StoredSegmentIsServedWithTheLongSegmentLifetime) {
  auto decision = decide(start + 5, stored, due_of(start + 5));
  EXPECT_EQ(decision.outcome, read_outcome::serve);
  auto headers = answer(decision);
  EXPECT_EQ(headers.status, 200);
  EXPECT_EQ(headers.cache_control, "public, max-age=3600");
  EXPECT_EQ(headers.ttl_ms, -1);
}

TEST(ReadPolicy, StoredSegmentIsServedWhereverItStandsOnTheTimeline) {
  EXPECT_EQ(decide(start + 5, stored, due_of(start + 5) - 1).outcome, read_outcome::serve);       // next, early
  EXPECT_EQ(decide(start + 50, stored, due_of(start)).outcome, read_outcome::serve);              // far ahead
  EXPECT_EQ(decide(start + 5, stored, due_of(start + 5) + 60'000).outcome, read_outcome::serve);  // past budget
  EXPECT_EQ(decide(start - 1, stored, due_of(start)).outcome, read_outcome::serve);               // before the start
}

TEST(ReadPolicy, StoredSegmentWinsOverAnUploadInFlightAndAnEarlier410) {
  EXPECT_EQ(decide(start + 5, object_facts{true, false, true}, due_of(start + 5)).outcome, read_outcome::serve);
  EXPECT_EQ(decide(start + 5, object_facts{true, true, false}, due_of(start + 5)).outcome, read_outcome::serve);
}

TEST(ReadPolicy, StoredInitSegmentIsServedWithTheLongSegmentLifetime) {
  auto decision = decide_read(init, line, policy, stored, due_of(start), false);
  EXPECT_EQ(decision.outcome, read_outcome::serve);
  auto headers = answer(decision, object_kind::init_segment);
  EXPECT_EQ(headers.status, 200);
  EXPECT_EQ(headers.cache_control, "public, max-age=3600");
}

TEST(ReadPolicy, StoredManifestIsServedWithTheShortManifestLifetime) {
  auto decision = decide_read(manifest, line, policy, stored, due_of(start), false);
  EXPECT_EQ(decision.outcome, read_outcome::serve);
  auto headers = answer(decision, object_kind::manifest);
  EXPECT_EQ(headers.status, 200);
  EXPECT_EQ(headers.cache_control, "public, max-age=1");
  EXPECT_EQ(headers.ttl_ms, -1);
}

TEST(ReadPolicy, StoredPlainObjectIsServedWithTheShortManifestLifetime) {
  auto decision = decide_read(plain, line, policy, stored, due_of(start), false);
  EXPECT_EQ(decision.outcome, read_outcome::serve);
  EXPECT_EQ(answer(decision, object_kind::plain).cache_control, "public, max-age=1");
}

TEST(ReadPolicy, CacheLifetimesComeFromTheCachePolicy) {
  cache_policy custom{86400, 2, 600, 3, 7};
  read_decision serve{read_outcome::serve};
  EXPECT_EQ(answer_for(serve, object_kind::media_segment, custom).cache_control, "public, max-age=86400");
  EXPECT_EQ(answer_for(serve, object_kind::init_segment, custom).cache_control, "public, max-age=86400");
  EXPECT_EQ(answer_for(serve, object_kind::manifest, custom).cache_control, "public, max-age=2");
  EXPECT_EQ(answer_for(serve, object_kind::plain, custom).cache_control, "public, max-age=2");
  EXPECT_EQ(answer_for({read_outcome::gone}, object_kind::media_segment, custom).cache_control, "public, max-age=600");
  EXPECT_EQ(answer_for({read_outcome::not_found}, object_kind::media_segment, custom).cache_control,
            "public, max-age=3");
  EXPECT_EQ(answer_for({read_outcome::shed}, object_kind::media_segment, custom).cache_control, "public, max-age=7");
}

// --- awaited: hold -----------------------------------------------------------------------------------

TEST(ReadPolicy, SegmentExactlyAtDueIsHeldUntilItsRetryBudgetEnds) {
  auto due = due_of(start + 5);
  expect_hold(decide(start + 5, missing, due), due + policy.retry_budget_ms);
}

TEST(ReadPolicy, SegmentOneMsBeforeItsRetryBudgetEndsIsHeldForOneMs) {
  auto due = due_of(start + 5);
  expect_hold(decide(start + 5, missing, due + policy.retry_budget_ms - 1), due + policy.retry_budget_ms);
}

TEST(ReadPolicy, NextSegmentAfterTheLiveEdgeIsHeldUntilItsDeadline) {
  auto due = due_of(start + 5);
  expect_hold(decide(start + 5, missing, due - 1), due + policy.retry_budget_ms);
  expect_hold(decide(start + 5, missing, due - duration), due + policy.retry_budget_ms);  // 4 s < max hold
}

TEST(ReadPolicy, HoldNeverOutlastsMaxHold) {
  live_policy short_hold = policy;
  short_hold.max_hold_ms = 1500;
  auto due = due_of(start + 5);
  expect_hold(decide(start + 5, missing, due - 1, false, short_hold), due - 1 + 1500);
  expect_hold(decide(start + 5, missing, due, false, short_hold), due + 1500);
  expect_hold(decide(start + 5, missing, due + 500, false, short_hold), due + policy.retry_budget_ms);  // equal
  expect_hold(decide(start + 5, missing, due + 501, false, short_hold), due + policy.retry_budget_ms);
}

TEST(ReadPolicy, FirstSegmentLongBeforeItIsDueIsHeldForMaxHold) {
  auto now = avail - 1'000'000;
  expect_hold(decide(start, missing, now), now + policy.max_hold_ms);
}

TEST(ReadPolicy, HeldRequestsAreNeverShed) {
  auto due = due_of(start + 5);
  expect_hold(decide(start + 5, missing, due, true), due + policy.retry_budget_ms);
  expect_hold(decide(start + 6, missing, due, true), due_of(start + 6) + policy.retry_budget_ms);
}

// --- ahead: 404 cacheable until just before due ------------------------------------------------------

TEST(ReadPolicy, SegmentFurtherAheadIsNotYetWithMillisecondsUntilDue) {
  auto now = due_of(start + 5);
  auto decision = decide(start + 7, missing, now);
  EXPECT_EQ(decision.outcome, read_outcome::not_yet);
  EXPECT_EQ(decision.ttl_ms, 2 * duration);
  auto headers = answer(decision);
  EXPECT_EQ(headers.status, 404);
  EXPECT_EQ(headers.cache_control, "public, max-age=3");
  EXPECT_EQ(headers.ttl_ms, 4000);
}

TEST(ReadPolicy, SegmentTwoAfterTheEdgeOneMsBeforeTheEdgeMovesIsNotYet) {
  auto now = due_of(start + 6) - 1;  // edge start + 5, next start + 6
  auto decision = decide(start + 7, missing, now);
  EXPECT_EQ(decision.outcome, read_outcome::not_yet);
  EXPECT_EQ(decision.ttl_ms, duration + 1);
  EXPECT_EQ(answer(decision).cache_control, "public, max-age=2");
  EXPECT_EQ(decide(start + 7, missing, now + 1).outcome, read_outcome::hold);
}

TEST(ReadPolicy, NotYetMaxAgeIsWholeSecondsUntilJustBeforeDue) {
  EXPECT_EQ(answer(not_yet(999)).cache_control, "public, max-age=0");
  EXPECT_EQ(answer(not_yet(1000)).cache_control, "public, max-age=0");
  EXPECT_EQ(answer(not_yet(1001)).cache_control, "public, max-age=1");
  EXPECT_EQ(answer(not_yet(2000)).cache_control, "public, max-age=1");
  EXPECT_EQ(answer(not_yet(2001)).cache_control, "public, max-age=2");
  EXPECT_EQ(answer(not_yet(1)).cache_control, "public, max-age=0");
  EXPECT_EQ(answer(not_yet(3'600'000)).cache_control, "public, max-age=3599");
}

TEST(ReadPolicy, NotYetCarriesTheExactMillisecondsInTheTtlHeader) {
  for (std::int64_t ttl : {1, 999, 1000, 1001, 2000, 123'456}) {
    auto headers = answer(not_yet(ttl));
    EXPECT_EQ(headers.status, 404);
    EXPECT_EQ(headers.ttl_ms, ttl);
  }
}

TEST(ReadPolicy, NotYetMaxAgeIsNeverNegative) {
  EXPECT_EQ(answer(not_yet(0)).cache_control, "public, max-age=0");
  EXPECT_EQ(answer(not_yet(-5000)).cache_control, "public, max-age=0");
}

TEST(ReadPolicy, ShortSegmentsGiveSubSecondNotYetLifetimes) {
  std::optional<timeline> fast = timeline{500, 0, 0};  // n due at (n + 1) * 500
  auto decision = decide(2, missing, 1000 - 1, false, policy, fast);
  EXPECT_EQ(decision.outcome, read_outcome::not_yet);
  EXPECT_EQ(decision.ttl_ms, 501);
  EXPECT_EQ(answer(decision).cache_control, "public, max-age=0");
}

TEST(ReadPolicy, AheadSegmentsAreNeverShed) {
  EXPECT_EQ(decide(start + 7, missing, due_of(start + 5), true).outcome, read_outcome::not_yet);
}

TEST(ReadPolicy, HugeSegmentNumberIsNotYetWithASaturatedTtl) {
  std::optional<timeline> from_zero = timeline{2000, 0, 0};
  auto decision = decide(u64_max, missing, 10'000, false, policy, from_zero);
  EXPECT_EQ(decision.outcome, read_outcome::not_yet);
  EXPECT_EQ(decision.ttl_ms, i64_max - 10'000);
  // A negative clock must not wrap the ttl around into the past.
  decision = decide(u64_max, missing, -10'000, false, policy, from_zero);
  EXPECT_EQ(decision.outcome, read_outcome::not_yet);
  EXPECT_EQ(decision.ttl_ms, i64_max);
  EXPECT_GT(answer(decision).ttl_ms, 0);
}

// --- gone: 410 ---------------------------------------------------------------------------------------

TEST(ReadPolicy, SegmentMissingAtDuePlusRetryBudgetIsGone) {
  auto due = due_of(start + 5);
  expect_gone(decide(start + 5, missing, due + policy.retry_budget_ms));
  expect_gone(decide(start + 5, missing, due + 60'000));
}

TEST(ReadPolicy, NumbersBeforeTheStartAreGone) {
  expect_gone(decide(start - 1, missing, due_of(start)));
  expect_gone(decide(0, missing, avail - 1'000'000));  // even before anything is due
}

TEST(ReadPolicy, SegmentAlreadyDeclaredGoneStaysGone) {
  auto due = due_of(start + 5);
  expect_gone(decide(start + 5, said_gone, due));      // would otherwise be held
  expect_gone(decide(start + 5, said_gone, due - 1));  // next after the edge
  expect_gone(decide(start + 7, said_gone, due));      // ahead
}

TEST(ReadPolicy, SegmentDeclaredGoneStaysGoneWhileAnUploadIsInFlight) {
  // The upload will be refused (write_policy: refused_gone); holding for it would only delay the 410.
  auto due = due_of(start + 5);
  expect_gone(decide(start + 5, object_facts{false, true, true}, due));
}

TEST(ReadPolicy, SegmentOlderThanTheDvrWindowIsGoneEvenWhenStored) {
  auto due = due_of(start + 5);
  auto now = due + policy.dvr_window_ms;
  expect_gone(decide(start + 5, stored, now));
  expect_gone(decide(start + 5, stored, now, true));
  expect_gone(decide(start + 5, missing, now));
  expect_gone(decide(start + 5, uploading, now));
  EXPECT_EQ(decide(start + 5, stored, now - 1).outcome, read_outcome::serve);
}

TEST(ReadPolicy, MissingDvrSegmentsAreGoneNotShed) { expect_gone(decide(start, missing, due_of(start + 100), true)); }

// --- shed: 503 for DVR reads while overloaded --------------------------------------------------------

TEST(ReadPolicy, StoredSegmentMoreThanTheLiveWindowBehindIsShedWhileOverloaded) {
  auto now = due_of(start + 10);  // live edge start + 10, live window 3
  auto decision = decide(start + 6, stored, now, true);
  EXPECT_EQ(decision.outcome, read_outcome::shed);
  auto headers = answer(decision);
  EXPECT_EQ(headers.status, 503);
  EXPECT_EQ(headers.cache_control, "public, max-age=5");
  EXPECT_EQ(headers.ttl_ms, -1);
  EXPECT_EQ(decide(start, stored, now, true).outcome, read_outcome::shed);
}

TEST(ReadPolicy, StoredSegmentInsideTheLiveWindowIsNeverShed) {
  auto now = due_of(start + 10);
  EXPECT_EQ(decide(start + 7, stored, now, true).outcome, read_outcome::serve);   // exactly 3 behind
  EXPECT_EQ(decide(start + 10, stored, now, true).outcome, read_outcome::serve);  // the live edge
  EXPECT_EQ(decide(start + 11, stored, now, true).outcome, read_outcome::serve);  // early
}

TEST(ReadPolicy, DvrSegmentsAreServedWhenNotOverloaded) {
  EXPECT_EQ(decide(start, stored, due_of(start + 10), false).outcome, read_outcome::serve);
}

TEST(ReadPolicy, NothingIsShedBeforeTheFirstSegmentIsDue) {
  EXPECT_EQ(decide(start, stored, avail, true).outcome, read_outcome::serve);
}

TEST(ReadPolicy, ZeroLiveWindowShedsEverythingBehindTheEdge) {
  live_policy no_window = policy;
  no_window.live_window_segments = 0;
  auto now = due_of(start + 10);
  EXPECT_EQ(decide(start + 9, stored, now, true, no_window).outcome, read_outcome::shed);
  EXPECT_EQ(decide(start + 10, stored, now, true, no_window).outcome, read_outcome::serve);
}

TEST(ReadPolicy, LiveWindowLargerThanTheStreamNeverSheds) {
  live_policy everything_live = policy;
  everything_live.live_window_segments = u64_max;
  auto now = due_of(start + 10);
  for (std::uint64_t n : {start, start + 9, start + 10, start + 11})
    EXPECT_EQ(decide(n, stored, now, true, everything_live).outcome, read_outcome::serve) << n;
}

TEST(ReadPolicy, StoredSegmentWithAHugeNumberIsNeverShed) {
  auto now = due_of(start + 10);
  EXPECT_EQ(decide(u64_max, stored, now, true).outcome, read_outcome::serve);
  EXPECT_EQ(decide(u64_max - 2, stored, now, true).outcome, read_outcome::serve);
}

TEST(ReadPolicy, InitSegmentsAndManifestsAreNeverShed) {
  auto now = due_of(start + 1000);
  EXPECT_EQ(decide_read(init, line, policy, stored, now, true).outcome, read_outcome::serve);
  EXPECT_EQ(decide_read(manifest, line, policy, stored, now, true).outcome, read_outcome::serve);
}

// --- uploads in flight -------------------------------------------------------------------------------

TEST(ReadPolicy, UploadInFlightNeverStretchesASegmentsDeadline) {
  auto due = due_of(start + 5);
  // Awaited: held, still ending at due + retry budget.
  expect_hold(decide(start + 5, uploading, due), due + policy.retry_budget_ms);
  // Missed while its upload trickles in: 410 at the deadline, as the table says.
  expect_gone(decide(start + 5, uploading, due + policy.retry_budget_ms));
  // Ahead of the timeline with bytes arriving: held for max_hold instead of a cached 404.
  expect_hold(decide(start + 9, uploading, due), due + policy.max_hold_ms);
}

TEST(ReadPolicy, SegmentOfATrackNobodyPublishesIsNeitherHeldNorGone) {
  object_facts unknown_track{false, false, false, false};
  auto due = due_of(start + 5);
  EXPECT_EQ(decide(start + 5, unknown_track, due).outcome, read_outcome::not_found);         // would be held
  EXPECT_EQ(decide(start + 5, unknown_track, due + 3000).outcome, read_outcome::not_found);  // would be gone
  EXPECT_EQ(decide(start + 5, unknown_track, due + 3'700'000).outcome, read_outcome::gone);  // expired anyway
  object_facts stored_unknown{true, false, false, false};
  EXPECT_EQ(decide(start + 5, stored_unknown, due).outcome, read_outcome::serve);
}

TEST(ReadPolicy, ManifestWithAnUploadInFlightIsHeldForMaxHold) {
  auto now = due_of(start + 5);
  expect_hold(decide_read(manifest, line, policy, uploading, now, false), now + policy.max_hold_ms);
  expect_hold(decide_read(manifest, std::nullopt, policy, uploading, now, false), now + policy.max_hold_ms);
  expect_hold(decide_read(init, line, policy, uploading, now, false), now + policy.max_hold_ms);
}

TEST(ReadPolicy, HoldEndsAtTheEndOfTheClock) {
  expect_hold(decide_read(manifest, line, policy, uploading, i64_max - 10, false), i64_max);
  std::optional<timeline> late = timeline{2000, 0, i64_max - 3000};  // 1 would be due after the clock's end
  expect_hold(decide(1, missing, i64_max - 1000, false, policy, late), i64_max);
}

// --- no timeline, manifests and plain objects --------------------------------------------------------

TEST(ReadPolicy, SegmentOfAStreamWithoutATimelineIsServedWhenStored) {
  EXPECT_EQ(decide(42, stored, 0, true, policy, std::nullopt).outcome, read_outcome::serve);
}

TEST(ReadPolicy, MissingSegmentOfAStreamWithoutATimelineIsAShortLived404) {
  auto decision = decide(42, missing, 1'000'000, false, policy, std::nullopt);
  EXPECT_EQ(decision.outcome, read_outcome::not_found);
  auto headers = answer(decision);
  EXPECT_EQ(headers.status, 404);
  EXPECT_EQ(headers.cache_control, "public, max-age=1");
  EXPECT_EQ(headers.ttl_ms, -1);
  EXPECT_EQ(decide(42, said_gone, 1'000'000, false, policy, std::nullopt).outcome, read_outcome::not_found);
}

TEST(ReadPolicy, SegmentWithAnUploadInFlightAndNoTimelineIsHeld) {
  expect_hold(decide(42, uploading, 1'000'000, false, policy, std::nullopt), 1'000'000 + policy.max_hold_ms);
}

TEST(ReadPolicy, MissingManifestInitOrPlainObjectIsAShortLived404) {
  for (const auto& object : {manifest, init, plain}) {
    auto decision = decide_read(object, line, policy, missing, due_of(start + 5), false);
    EXPECT_EQ(decision.outcome, read_outcome::not_found) << to_string(object.kind);
    auto headers = answer_for(decision, object.kind, cache);
    EXPECT_EQ(headers.status, 404);
    EXPECT_EQ(headers.cache_control, "public, max-age=1");
  }
}

// --- holds that end without the object ---------------------------------------------------------------

TEST(ReadPolicy, HoldStillAwaitedAtItsEndIsAnUncacheable404) {
  auto now = avail - 1'000'000;  // nothing is due: max hold ends first
  auto held = decide(start, missing, now);
  expect_hold(held, now + policy.max_hold_ms);
  auto redecided = decide(start, missing, held.hold_until_ms);
  EXPECT_EQ(redecided.outcome, read_outcome::hold);
  auto headers = answer_for_expired_hold(redecided, object_kind::media_segment, cache);
  EXPECT_EQ(headers.status, 404);
  EXPECT_EQ(headers.cache_control, "no-store");
  EXPECT_EQ(headers.ttl_ms, -1);
}

TEST(ReadPolicy, HoldEndingAtTheRetryDeadlineIsGone) {
  auto due = due_of(start + 5);
  auto held = decide(start + 5, missing, due);
  expect_hold(held, due + policy.retry_budget_ms);
  auto redecided = decide(start + 5, missing, held.hold_until_ms);
  auto headers = answer_for_expired_hold(redecided, object_kind::media_segment, cache);
  EXPECT_EQ(headers.status, 410);
  EXPECT_EQ(headers.cache_control, "public, max-age=3600");
}

TEST(ReadPolicy, ManifestUploadStillInFlightAtTheEndOfAHoldIsAnUncacheable404) {
  auto headers = answer_for_expired_hold(decide_read(manifest, line, policy, uploading, 5000, false),
                                         object_kind::manifest, cache);
  EXPECT_EQ(headers.status, 404);
  EXPECT_EQ(headers.cache_control, "no-store");
}

TEST(ReadPolicy, ExpiredHoldReDecidedOtherwiseAnswersAsUsual) {
  EXPECT_EQ(answer_for_expired_hold({read_outcome::serve}, object_kind::media_segment, cache).status, 200);
  auto not_found = answer_for_expired_hold({read_outcome::not_found}, object_kind::manifest, cache);
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(not_found.cache_control, "public, max-age=1");
  auto later = answer_for_expired_hold(not_yet(1500), object_kind::media_segment, cache);
  EXPECT_EQ(later.status, 404);
  EXPECT_EQ(later.cache_control, "public, max-age=1");
  EXPECT_EQ(later.ttl_ms, 1500);
}

TEST(ReadPolicy, OutcomesHaveStableNames) {
  EXPECT_EQ(to_string(read_outcome::serve), "serve");
  EXPECT_EQ(to_string(read_outcome::hold), "hold");
  EXPECT_EQ(to_string(read_outcome::not_yet), "not_yet");
  EXPECT_EQ(to_string(read_outcome::gone), "gone");
  EXPECT_EQ(to_string(read_outcome::shed), "shed");
  EXPECT_EQ(to_string(read_outcome::not_found), "not_found");
}

// --- manifests: fresh until the next segment is due ----------------------------------------------------

object_facts manifest_listing(std::int64_t listed) {
  object_facts facts = stored;
  facts.listed_segment = listed;
  return facts;
}

TEST(ReadPolicy, AManifestListingTheLiveEdgeIsFreshUntilTheNextSegmentIsDue) {
  auto now = due_of(start + 5) + 500;  // the edge is start + 5; start + 6 is due in 1500 ms
  EXPECT_EQ(manifest_fresh_for_ms(*line, start + 5, now), 1500);
  EXPECT_EQ(manifest_fresh_for_ms(*line, start + 6, now), 1500) << "a packager slightly ahead of the timeline";
  EXPECT_EQ(manifest_fresh_for_ms(*line, start + 5, due_of(start + 5)), duration) << "at most one segment";
  EXPECT_EQ(manifest_fresh_for_ms(*line, start + 4, now), -1) << "behind the edge: its successor is overdue";
  EXPECT_EQ(manifest_fresh_for_ms(*line, -1, now), -1) << "lists no segment";
  EXPECT_EQ(manifest_fresh_for_ms(*line, start, due_of(start) - 1), -1) << "nothing due yet";
  EXPECT_EQ(manifest_fresh_for_ms(*line, i64_max, now), 1500);
}

TEST(ReadPolicy, AManifestIsCacheableUntilJustBeforeTheNextSegmentIsDueButAtLeastTheFloor) {
  auto now = due_of(start + 5) + 1200;
  auto decision = decide_read(manifest, line, policy, manifest_listing(start + 5), now, false);
  EXPECT_EQ(decision.outcome, read_outcome::serve);
  EXPECT_EQ(decision.fresh_for_ms, 800);
  auto headers = answer_for(decision, object_kind::manifest, cache);
  EXPECT_EQ(headers.status, 200);
  EXPECT_EQ(headers.cache_control, "public, max-age=1") << "under a second: the 1 s floor";
  EXPECT_EQ(headers.ttl_ms, 800);
  // Longer segments: whole seconds strictly before the next one is due.
  const timeline six_seconds{6000, start, avail};
  auto at = due_ms(six_seconds, start + 5) + 500;
  auto longer = decide_read(manifest, six_seconds, policy, manifest_listing(start + 5), at, false);
  EXPECT_EQ(longer.fresh_for_ms, 5500);
  EXPECT_EQ(answer_for(longer, object_kind::manifest, cache).cache_control, "public, max-age=5");
  longer.fresh_for_ms = 5000;
  EXPECT_EQ(answer_for(longer, object_kind::manifest, cache).cache_control, "public, max-age=4");
  // With no floor, the lifetime ends strictly before the next segment is due.
  cache_policy exact = cache;
  exact.manifest_min_max_age_s = 0;
  EXPECT_EQ(answer_for(decision, object_kind::manifest, exact).cache_control, "public, max-age=0");
  decision.fresh_for_ms = 1001;
  EXPECT_EQ(answer_for(decision, object_kind::manifest, exact).cache_control, "public, max-age=1");
}

TEST(ReadPolicy, AManifestTheTimelineCannotDateKeepsTheConfiguredLifetime) {
  cache_policy custom = cache;
  custom.manifest_max_age_s = 2;
  auto now = due_of(start + 5) + 500;
  for (auto decision : {decide_read(manifest, line, policy, manifest_listing(start + 4), now, false),
                        decide_read(manifest, line, policy, manifest_listing(-1), now, false),
                        decide_read(manifest, std::nullopt, policy, manifest_listing(start + 5), now, false)}) {
    EXPECT_EQ(decision.fresh_for_ms, -1);
    auto headers = answer_for(decision, object_kind::manifest, custom);
    EXPECT_EQ(headers.cache_control, "public, max-age=2");
    EXPECT_EQ(headers.ttl_ms, -1);
  }
  auto plain_object = decide_read(plain, line, policy, manifest_listing(start + 5), now, false);
  EXPECT_EQ(plain_object.fresh_for_ms, -1) << "only manifests are dated";
}

}  // namespace
}  // namespace live_origin::model
