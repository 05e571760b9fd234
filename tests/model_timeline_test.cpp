#include <gtest/gtest.h>

#include <limits>

#include "model/timeline.hpp"

namespace live_origin::model {
namespace {

constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

// Segments 100, 101, ... of 2 s each; segment 100 is due at 1'002'000 ms, 101 at 1'004'000 ms, ...
constexpr std::int64_t avail = 1'000'000;
constexpr std::int64_t duration = 2000;
constexpr std::uint64_t start = 100;
const timeline line{duration, start, avail};
const live_policy policy{};  // retry budget 2 s, DVR window 1 h, max hold 6 s, live window 3

constexpr std::int64_t due_of(std::uint64_t n) { return avail + static_cast<std::int64_t>(n - start + 1) * duration; }

segment_position at(std::uint64_t n, std::int64_t now_ms, const timeline& tl = line, const live_policy& lp = policy) {
  return position_of(tl, lp, n, now_ms);
}

// --- due_ms ------------------------------------------------------------------------------------------

TEST(Timeline, StartNumberIsDueOneDurationAfterAvailabilityStart) {
  EXPECT_EQ(due_ms(line, start), avail + duration);
  EXPECT_EQ(due_ms(timeline{}, 0), 2000);  // defaults: 2 s segments from 0 at time 0
}

TEST(Timeline, EachSegmentIsDueOneDurationAfterThePrevious) {
  for (std::uint64_t n = start; n < start + 50; ++n) EXPECT_EQ(due_ms(line, n + 1) - due_ms(line, n), duration) << n;
  EXPECT_EQ(due_ms(line, start + 9), avail + 10 * duration);
}

TEST(Timeline, NumbersBeforeTheStartAreDueAtOrBeforeAvailabilityStart) {
  EXPECT_EQ(due_ms(line, start - 1), avail);
  EXPECT_EQ(due_ms(line, start - 2), avail - duration);
  EXPECT_EQ(due_ms(line, 0), avail - 99 * duration);
}

TEST(Timeline, DueWorksWithNegativeAndZeroClocks) {
  timeline before_epoch{1000, 0, -5000};
  EXPECT_EQ(due_ms(before_epoch, 0), -4000);
  EXPECT_EQ(due_ms(before_epoch, 4), 0);
  EXPECT_EQ(due_ms(before_epoch, 5), 1000);
}

TEST(Timeline, DueOfHugeSegmentNumbersSaturatesInsteadOfWrapping) {
  EXPECT_EQ(due_ms(timeline{2000, 0, 0}, u64_max), i64_max);
  EXPECT_EQ(due_ms(timeline{2000, 0, 1'700'000'000'000}, u64_max / 2), i64_max);
  EXPECT_EQ(due_ms(timeline{1, 0, i64_max - 1}, 0), i64_max);
  EXPECT_EQ(due_ms(timeline{1, 0, i64_max}, 5), i64_max);
}

TEST(Timeline, DueFarBeforeAHugeStartNumberSaturatesToTheDistantPast) {
  EXPECT_EQ(due_ms(timeline{2000, u64_max, 0}, 0), i64_min);
  EXPECT_EQ(due_ms(timeline{1, 0, i64_min}, 0), i64_min + 1);
}

TEST(Timeline, HugeStartNumberIsDueLikeAnyOther) {
  timeline huge{2000, u64_max, 1'000'000};
  EXPECT_EQ(due_ms(huge, u64_max), 1'002'000);
  EXPECT_EQ(due_ms(huge, u64_max - 1), 1'000'000);
  timeline near_top{2000, u64_max - 10, 0};
  EXPECT_EQ(due_ms(near_top, u64_max), 11 * 2000);
}

// --- live_edge ---------------------------------------------------------------------------------------

TEST(Timeline, NoLiveEdgeBeforeTheFirstSegmentIsDue) {
  EXPECT_EQ(live_edge(line, due_of(start) - 1), std::nullopt);
  EXPECT_EQ(live_edge(line, avail), std::nullopt);
  EXPECT_EQ(live_edge(line, avail - 1), std::nullopt);
  EXPECT_EQ(live_edge(line, 0), std::nullopt);
  EXPECT_EQ(live_edge(line, -1), std::nullopt);
  EXPECT_EQ(live_edge(line, i64_min), std::nullopt);
}

TEST(Timeline, LiveEdgeIsTheStartNumberExactlyAtItsDue) { EXPECT_EQ(live_edge(line, due_of(start)), start); }

TEST(Timeline, LiveEdgeMovesExactlyWhenTheNextSegmentIsDue) {
  EXPECT_EQ(live_edge(line, due_of(start + 1) - 1), start);
  EXPECT_EQ(live_edge(line, due_of(start + 1)), start + 1);
  EXPECT_EQ(live_edge(line, due_of(start + 1) + duration - 1), start + 1);
  EXPECT_EQ(live_edge(line, due_of(start + 1000)), start + 1000);
}

TEST(Timeline, LiveEdgeIsTheHighestDueSegmentAtEveryMillisecond) {
  for (std::int64_t now = avail - 3; now < avail + 5 * duration + 3; ++now) {
    auto edge = live_edge(line, now);
    if (!edge) {
      EXPECT_GT(due_ms(line, start), now) << now;
      continue;
    }
    EXPECT_LE(due_ms(line, *edge), now) << now;
    EXPECT_GT(due_ms(line, *edge + 1), now) << now;
  }
}

TEST(Timeline, LiveEdgeWorksWithNegativeAndZeroClocks) {
  timeline before_epoch{1000, 0, -5000};
  EXPECT_EQ(live_edge(before_epoch, -4001), std::nullopt);
  EXPECT_EQ(live_edge(before_epoch, -4000), 0u);
  EXPECT_EQ(live_edge(before_epoch, -1), 3u);
  EXPECT_EQ(live_edge(before_epoch, 0), 4u);
  EXPECT_EQ(live_edge(timeline{1000, 0, 0}, 0), std::nullopt);
}

TEST(Timeline, NoLiveEdgeWithoutAPositiveDuration) {
  EXPECT_EQ(live_edge(timeline{0, 0, 0}, 1'000'000), std::nullopt);
  EXPECT_EQ(live_edge(timeline{-2000, 0, 0}, 1'000'000), std::nullopt);
}

TEST(Timeline, LiveEdgeNearTheLargestNumberSaturates) {
  timeline near_top{2000, u64_max - 1, 0};
  EXPECT_EQ(live_edge(near_top, 2000), u64_max - 1);
  EXPECT_EQ(live_edge(near_top, 4000), u64_max);
  EXPECT_EQ(live_edge(near_top, 1'000'000'000), u64_max);
  EXPECT_EQ(live_edge(timeline{1, u64_max, i64_min}, i64_max), u64_max);
}

TEST(Timeline, LiveEdgeAcrossTheWholeClockRangeDoesNotOverflow) {
  // Elapsed time is 2^64 - 1 ms: more than an int64 holds.
  EXPECT_EQ(live_edge(timeline{1, 0, i64_min}, i64_max), u64_max - 1);
  EXPECT_EQ(live_edge(timeline{2, 0, i64_min}, i64_max), u64_max / 2 - 1);
}

// --- anchored_timeline -------------------------------------------------------------------------------

TEST(Timeline, AnchoredTimelineMakesTheFirstSegmentDueWhenItArrives) {
  auto learned = anchored_timeline(42, 1'700'000'000'000, 2000);
  EXPECT_EQ(learned.start_number, 42u);
  EXPECT_EQ(learned.segment_duration_ms, 2000);
  EXPECT_EQ(due_ms(learned, 42), 1'700'000'000'000);
  EXPECT_EQ(due_ms(learned, 43), 1'700'000'002'000);
  EXPECT_EQ(live_edge(learned, 1'700'000'000'000), 42u);
  EXPECT_EQ(live_edge(learned, 1'700'000'000'000 - 1), std::nullopt);
}

TEST(Timeline, AnchoredTimelineWorksAtClockZeroAndForHugeNumbers) {
  auto at_zero = anchored_timeline(0, 0, 2000);
  EXPECT_EQ(at_zero, (timeline{2000, 0, -2000}));
  EXPECT_EQ(due_ms(at_zero, 0), 0);
  auto huge = anchored_timeline(u64_max, 5000, 1000);
  EXPECT_EQ(due_ms(huge, u64_max), 5000);
  EXPECT_EQ(live_edge(huge, 5000), u64_max);
}

TEST(Timeline, AnchoredTimelineAtTheStartOfTheClockSaturates) {
  auto learned = anchored_timeline(7, i64_min + 10, 2000);
  EXPECT_EQ(learned.availability_start_ms, i64_min);
  EXPECT_EQ(due_ms(learned, 7), i64_min + 2000);
}

// --- position_of -------------------------------------------------------------------------------------

TEST(Timeline, NumbersBeforeTheStartAreBeforeStartAtAnyTime) {
  for (std::int64_t now :
       {i64_min, std::int64_t{0}, avail, due_of(start), due_of(start) + std::int64_t{10} * 3'600'000, i64_max}) {
    EXPECT_EQ(at(start - 1, now), segment_position::before_start) << now;
    EXPECT_EQ(at(0, now), segment_position::before_start) << now;
  }
  EXPECT_EQ(at(u64_max - 1, 0, timeline{2000, u64_max, 0}), segment_position::before_start);
}

TEST(Timeline, StartNumberIsAwaitedBeforeAnythingIsDue) {
  EXPECT_EQ(at(start, due_of(start) - 1), segment_position::awaited);
  EXPECT_EQ(at(start, avail), segment_position::awaited);
  EXPECT_EQ(at(start, avail - 1'000'000'000), segment_position::awaited);
  EXPECT_EQ(at(start, i64_min), segment_position::awaited);
}

TEST(Timeline, SegmentAfterTheStartIsAheadBeforeAnythingIsDue) {
  EXPECT_EQ(at(start + 1, due_of(start) - 1), segment_position::ahead);
  EXPECT_EQ(at(start + 1, i64_min), segment_position::ahead);
  EXPECT_EQ(at(start + 2, due_of(start) - 1), segment_position::ahead);
}

TEST(Timeline, SegmentExactlyAtDueIsAwaited) {
  EXPECT_EQ(at(start, due_of(start)), segment_position::awaited);
  EXPECT_EQ(at(start + 5, due_of(start + 5)), segment_position::awaited);
}

TEST(Timeline, NextSegmentAfterTheLiveEdgeIsAwaitedOneMsBeforeDue) {
  // At due(n) - 1 the live edge is n - 1, so n is the next one.
  EXPECT_EQ(live_edge(line, due_of(start + 5) - 1), start + 4);
  EXPECT_EQ(at(start + 5, due_of(start + 5) - 1), segment_position::awaited);
  EXPECT_EQ(at(start + 5, due_of(start + 4)), segment_position::awaited);
}

TEST(Timeline, SegmentTwoAfterTheLiveEdgeIsAhead) {
  EXPECT_EQ(at(start + 6, due_of(start + 5) - 1), segment_position::ahead);
  EXPECT_EQ(at(start + 6, due_of(start + 4)), segment_position::ahead);
  EXPECT_EQ(at(start + 6, due_of(start + 5)), segment_position::awaited);  // now it is the next one
  EXPECT_EQ(at(start + 1000, due_of(start)), segment_position::ahead);
}

TEST(Timeline, SegmentIsAwaitedUntilOneMsBeforeItsRetryBudgetEnds) {
  auto due = due_of(start + 5);
  EXPECT_EQ(at(start + 5, due + policy.retry_budget_ms - 1), segment_position::awaited);
}

TEST(Timeline, SegmentStillMissingAtDuePlusRetryBudgetIsMissed) {
  auto due = due_of(start + 5);
  EXPECT_EQ(at(start + 5, due + policy.retry_budget_ms), segment_position::missed);
  EXPECT_EQ(at(start + 5, due + policy.retry_budget_ms + 1), segment_position::missed);
}

TEST(Timeline, SegmentIsMissedUntilOneMsBeforeTheDvrWindowEnds) {
  auto due = due_of(start + 5);
  EXPECT_EQ(at(start + 5, due + policy.dvr_window_ms - 1), segment_position::missed);
}

TEST(Timeline, SegmentDueAtNowMinusTheDvrWindowIsExpired) {
  auto due = due_of(start + 5);
  EXPECT_EQ(at(start + 5, due + policy.dvr_window_ms), segment_position::expired);
  EXPECT_EQ(at(start + 5, due + 10 * policy.dvr_window_ms), segment_position::expired);
  EXPECT_EQ(at(start + 5, i64_max), segment_position::expired);
}

TEST(Timeline, DueSegmentAndTheNextOneAreBothAwaitedInsideTheRetryBudget) {
  auto now = due_of(start + 1) + 500;
  EXPECT_EQ(at(start, now), segment_position::missed);       // due 2.5 s ago, budget 2 s
  EXPECT_EQ(at(start + 1, now), segment_position::awaited);  // due 0.5 s ago: the live edge
  EXPECT_EQ(at(start + 2, now), segment_position::awaited);  // the next one after the edge
  EXPECT_EQ(at(start + 3, now), segment_position::ahead);
}

TEST(Timeline, LongRetryBudgetKeepsSeveralDueSegmentsAwaited) {
  live_policy patient = policy;
  patient.retry_budget_ms = 5000;
  auto now = due_of(start + 5);
  EXPECT_EQ(at(start + 2, now, line, patient), segment_position::missed);   // due 6 s ago
  EXPECT_EQ(at(start + 3, now, line, patient), segment_position::awaited);  // due 4 s ago
  EXPECT_EQ(at(start + 4, now, line, patient), segment_position::awaited);
  EXPECT_EQ(at(start + 5, now, line, patient), segment_position::awaited);
  EXPECT_EQ(at(start + 6, now, line, patient), segment_position::awaited);
  EXPECT_EQ(at(start + 7, now, line, patient), segment_position::ahead);
}

TEST(Timeline, ZeroRetryBudgetMakesASegmentMissedAtItsDue) {
  live_policy impatient = policy;
  impatient.retry_budget_ms = 0;
  EXPECT_EQ(at(start + 5, due_of(start + 5) - 1, line, impatient), segment_position::awaited);
  EXPECT_EQ(at(start + 5, due_of(start + 5), line, impatient), segment_position::missed);
  EXPECT_EQ(at(start + 6, due_of(start + 5), line, impatient), segment_position::awaited);
}

TEST(Timeline, DvrWindowShorterThanRetryBudgetExpiresFirst) {
  live_policy short_dvr = policy;
  short_dvr.dvr_window_ms = 1000;
  auto due = due_of(start + 5);
  EXPECT_EQ(at(start + 5, due + 999, line, short_dvr), segment_position::awaited);
  EXPECT_EQ(at(start + 5, due + 1000, line, short_dvr), segment_position::expired);
}

TEST(Timeline, PositionsWorkWithStartNumberZero) {
  timeline from_zero{2000, 0, 0};
  EXPECT_EQ(at(0, 0, from_zero), segment_position::awaited);
  EXPECT_EQ(at(1, 0, from_zero), segment_position::ahead);
  EXPECT_EQ(at(0, 2000, from_zero), segment_position::awaited);
  EXPECT_EQ(at(1, 2000, from_zero), segment_position::awaited);
  EXPECT_EQ(at(0, 4000, from_zero), segment_position::missed);
}

TEST(Timeline, PositionsWorkWithNegativeClocks) {
  timeline before_epoch{1000, 0, -10'000};  // segment 0 due at -9000, segment 9 at 0
  EXPECT_EQ(at(0, -9001, before_epoch), segment_position::awaited);
  EXPECT_EQ(at(1, -9001, before_epoch), segment_position::ahead);
  EXPECT_EQ(at(0, -9000, before_epoch), segment_position::awaited);
  EXPECT_EQ(at(0, -7000, before_epoch), segment_position::missed);
  EXPECT_EQ(at(9, -1, before_epoch), segment_position::awaited);
  EXPECT_EQ(at(9, 0, before_epoch), segment_position::awaited);
  EXPECT_EQ(at(10, -1, before_epoch), segment_position::ahead);
}

TEST(Timeline, HugeSegmentNumberIsAheadNotWrappedIntoThePast) {
  EXPECT_EQ(at(u64_max, due_of(start + 5)), segment_position::ahead);
  EXPECT_EQ(at(u64_max, 0, timeline{2000, 0, 0}), segment_position::ahead);
  EXPECT_EQ(at(u64_max - 1, 1'700'000'000'000, timeline{2000, 0, 0}), segment_position::ahead);
}

TEST(Timeline, HugeStartNumberHasPositionsLikeAnyOther) {
  timeline huge{2000, u64_max - 1, 0};  // u64_max - 1 due at 2000, u64_max at 4000
  EXPECT_EQ(at(u64_max - 1, 0, huge), segment_position::awaited);
  EXPECT_EQ(at(u64_max, 0, huge), segment_position::ahead);
  EXPECT_EQ(at(u64_max, 2000, huge), segment_position::awaited);
  EXPECT_EQ(at(u64_max - 1, 4000, huge), segment_position::missed);
  EXPECT_EQ(at(u64_max, 6000, huge), segment_position::missed);
  EXPECT_EQ(at(u64_max, 4000 + policy.dvr_window_ms, huge), segment_position::expired);
  EXPECT_EQ(at(u64_max - 2, 4000, huge), segment_position::before_start);
}

TEST(Timeline, DueTimesNearTheEndOfTheClockSaturateWithoutOverflow) {
  timeline late{2000, 0, i64_max - 3000};  // 0 due at max - 1000; 1 would be due at max + 1000
  EXPECT_EQ(due_ms(late, 1), i64_max);
  EXPECT_EQ(at(0, i64_max - 1000, late), segment_position::awaited);
  EXPECT_EQ(at(1, i64_max - 1000, late), segment_position::awaited);  // next after the edge
  EXPECT_EQ(at(2, i64_max - 1000, late), segment_position::ahead);
  EXPECT_EQ(at(0, i64_max, late), segment_position::awaited);  // due + budget is past the clock's end
}

TEST(Timeline, PositionsAgreeWithTheLiveEdgeAtEveryMillisecond) {
  for (std::int64_t now = avail - 2; now < avail + 6 * duration + 2; now += 1) {
    auto edge = live_edge(line, now);
    std::uint64_t next = edge ? *edge + 1 : start;
    EXPECT_EQ(at(next, now), segment_position::awaited) << now;
    EXPECT_EQ(at(next + 1, now), segment_position::ahead) << now;
    if (edge) {
      EXPECT_NE(at(*edge, now), segment_position::ahead) << now;
    }
  }
}

TEST(Timeline, PositionsHaveStableNames) {
  EXPECT_EQ(to_string(segment_position::before_start), "before_start");
  EXPECT_EQ(to_string(segment_position::expired), "expired");
  EXPECT_EQ(to_string(segment_position::missed), "missed");
  EXPECT_EQ(to_string(segment_position::awaited), "awaited");
  EXPECT_EQ(to_string(segment_position::ahead), "ahead");
}

TEST(Timeline, RetimingALearnedTimelineKeepsTheLiveEdgeWhereItIs) {
  timeline learned{2000, 100, 1'000'000};            // segment 100 due at 1'002'000
  const std::int64_t now = 1'000'000 + 3600 * 1000;  // an hour in: edge 1899
  auto edge = live_edge(learned, now);
  ASSERT_TRUE(edge);
  auto faster = retimed(learned, 1999, 100, now);
  EXPECT_EQ(due_ms(faster, *edge), due_ms(learned, *edge));
  EXPECT_EQ(live_edge(faster, now), edge);
  EXPECT_EQ(faster.segment_duration_ms, 1999);
  auto renumbered = retimed(learned, 2000, 0, now);
  EXPECT_EQ(due_ms(renumbered, *edge), due_ms(learned, *edge));
  // Before anything is due, the start segment keeps its due time.
  auto early = retimed(learned, 4000, 100, 0);
  EXPECT_EQ(due_ms(early, 100), due_ms(learned, 100));
}

}  // namespace
}  // namespace live_origin::model
