#include <gtest/gtest.h>

#include <map>

#include "model/hot_window.hpp"

namespace live_origin::model {
namespace {

// A stream's media segments in memory, as the stream actor would hold them.
struct segments {
  std::map<hot_window::candidate, std::uint64_t> in_memory;
  std::function<std::uint64_t(const hot_window::candidate&)> sizes() {
    return [this](const hot_window::candidate& c) {
      auto it = in_memory.find(c);
      return it == in_memory.end() ? 0 : it->second;
    };
  }
};

hot_window::candidate segment(std::uint64_t number, std::size_t pipeline = 0) {
  return {number, "seg-" + std::to_string(number) + ".m4s", pipeline};
}

TEST(HotWindow, WithinItsBoundNothingLeaves) {
  hot_window window(1000);
  segments held;
  for (std::uint64_t n = 1; n <= 3; ++n) {
    window.add(300);
    held.in_memory[segment(n)] = 300;
    window.may_leave(segment(n));
  }
  EXPECT_EQ(window.bytes(), 900u);
  EXPECT_TRUE(window.take_to_cool(0, held.sizes()).empty());
  EXPECT_EQ(window.coolable_count(), 3u);
}

TEST(HotWindow, OverItsBoundTheOldestSegmentsLeaveFirstUntilItFits) {
  hot_window window(1000);
  segments held;
  for (std::uint64_t n : {5, 3, 4, 1, 2}) {  // arrival order does not matter, segment order does
    window.add(300);
    held.in_memory[segment(n)] = 300;
    window.may_leave(segment(n));
  }
  auto cooled = window.take_to_cool(0, held.sizes());
  ASSERT_EQ(cooled.size(), 2u);  // 1500 -> 900
  EXPECT_EQ(cooled[0], segment(1));
  EXPECT_EQ(cooled[1], segment(2));
  EXPECT_EQ(window.coolable_count(), 3u);
  EXPECT_EQ(window.bytes(), 1500u) << "the caller removes the bytes it moves out";
}

TEST(HotWindow, ManifestsAndUnstoredBytesCountButNeverLeave) {
  hot_window window(100);
  window.add(500);  // a manifest, an init segment, a segment not yet durable: never marked may_leave
  segments held;
  EXPECT_TRUE(window.take_to_cool(0, held.sizes()).empty());
  EXPECT_EQ(window.bytes(), 500u);
}

TEST(HotWindow, StaleEntriesAreSkippedAndDropped) {
  hot_window window(100);
  segments held;
  for (std::uint64_t n = 1; n <= 3; ++n) {
    window.add(100);
    window.may_leave(segment(n));
  }
  held.in_memory[segment(3)] = 100;  // 1 was replaced, 2 already read back and cooled again
  auto cooled = window.take_to_cool(0, held.sizes());
  ASSERT_EQ(cooled.size(), 1u);
  EXPECT_EQ(cooled[0], segment(3));
  EXPECT_EQ(window.coolable_count(), 0u);
}

TEST(HotWindow, OverTheProcessBoundAStreamGivesBackWhatTheProcessIsOver) {
  hot_window window(10'000);  // this stream is well within its own bound
  segments held;
  for (std::uint64_t n = 1; n <= 5; ++n) {
    window.add(100);
    held.in_memory[segment(n)] = 100;
    window.may_leave(segment(n));
  }
  auto cooled = window.take_to_cool(250, held.sizes());
  ASSERT_EQ(cooled.size(), 3u) << "at least 250 bytes, whole segments, oldest first";
  EXPECT_EQ(cooled[2], segment(3));
}

TEST(HotWindow, ForgottenCandidatesNeverLeaveAgain) {
  hot_window window(0);
  segments held;
  window.add(100);
  held.in_memory[segment(7, 1)] = 100;
  window.may_leave(segment(7, 1));
  window.forget(segment(7, 1));  // expired with the DVR window
  EXPECT_TRUE(window.take_to_cool(0, held.sizes()).empty());
  window.remove(100);
  EXPECT_EQ(window.bytes(), 0u);
}

}  // namespace
}  // namespace live_origin::model
