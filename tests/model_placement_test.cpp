#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "model/placement.hpp"

namespace live_origin::model {
namespace {

std::vector<std::string> streams(int count) {
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) names.push_back("stream-" + std::to_string(i));
  return names;
}

TEST(Placement, EveryNodeComputesTheSameAnswerWhateverTheOrderOfTheLiveSet) {
  std::vector<std::string> a{"node-1", "node-2", "node-3"}, b{"node-3", "node-1", "node-2", "node-1"};
  for (const auto& stream : streams(200)) {
    auto placed = place_stream(a, "demo", stream, 2);
    EXPECT_EQ(placed, place_stream(b, "demo", stream, 2)) << stream;
    EXPECT_NE(placed.owner, placed.replica) << stream;
    EXPECT_FALSE(placed.replica.empty()) << stream;
  }
}

TEST(Placement, StreamsSpreadOverTheNodes) {
  std::map<std::string, int> owned;
  for (const auto& stream : streams(3000))
    ++owned[place_stream({"node-1", "node-2", "node-3"}, "demo", stream, 2).owner];
  ASSERT_EQ(owned.size(), 3u);
  for (const auto& [node, count] : owned) EXPECT_NEAR(count, 1000, 150) << node;
}

TEST(Placement, LosingANodeMovesOnlyItsStreamsAndItsReplicaTakesOver) {
  std::vector<std::string> all{"node-1", "node-2", "node-3", "node-4"}, without{"node-1", "node-3", "node-4"};
  int moved = 0;
  for (const auto& stream : streams(1000)) {
    auto before = place_stream(all, "demo", stream, 2);
    auto after = place_stream(without, "demo", stream, 2);
    if (before.owner == "node-2") {
      EXPECT_EQ(after.owner, before.replica) << stream;  // the replica has every acknowledged segment
      ++moved;
    } else {
      EXPECT_EQ(after.owner, before.owner) << stream;
      if (before.replica != "node-2") {
        EXPECT_EQ(after.replica, before.replica) << stream;
      }
    }
  }
  EXPECT_GT(moved, 150);
}

TEST(Placement, ANewNodeTakesOnlyTheStreamsItScoresFirstFor) {
  std::vector<std::string> three{"node-1", "node-2", "node-3"}, four{"node-1", "node-2", "node-3", "node-4"};
  int taken = 0;
  for (const auto& stream : streams(1000)) {
    auto before = place_stream(three, "demo", stream, 2);
    auto after = place_stream(four, "demo", stream, 2);
    if (after.owner == "node-4") {
      EXPECT_EQ(after.replica, before.owner) << stream;  // the old owner keeps a copy
      ++taken;
    } else {
      EXPECT_EQ(after.owner, before.owner) << stream;
    }
  }
  EXPECT_NEAR(taken, 250, 60);
}

TEST(Placement, OneCopyOrOneNodeHasNoReplica) {
  EXPECT_EQ(place_stream({"node-1", "node-2"}, "demo", "live", 1).replica, "");
  auto alone = place_stream({"node-1"}, "demo", "live", 2);
  EXPECT_EQ(alone.owner, "node-1");
  EXPECT_EQ(alone.replica, "");
  EXPECT_EQ(place_stream({}, "demo", "live", 2), placement{});
}

TEST(Placement, TheScoreDependsOnTenantStreamAndNode) {
  EXPECT_NE(placement_score("node-1", "demo", "live"), placement_score("node-2", "demo", "live"));
  EXPECT_NE(placement_score("node-1", "demo", "live"), placement_score("node-1", "other", "live"));
  EXPECT_NE(placement_score("node-1", "de", "molive"), placement_score("node-1", "demo", "live"));
  EXPECT_EQ(placement_score("node-1", "demo", "live"), placement_score("node-1", "demo", "live"));
}

TEST(Placement, AJoiningNodeOwnsNothingYetButReceivesCopiesOfWhatItWillOwn) {
  std::vector<member> members{{"node-1", true}, {"node-2", true}, {"node-3", false}};
  int checked = 0;
  for (const auto& stream : streams(300)) {
    auto now = place_among(members, "demo", stream, 2);
    EXPECT_NE(now.owner, "node-3") << stream;
    EXPECT_NE(now.replica, "node-3") << stream;
    auto once_active = place_stream({"node-1", "node-2", "node-3"}, "demo", stream, 2);
    if (once_active.owner != "node-3" && once_active.replica != "node-3") continue;
    ++checked;
    // The owner now sends its writes to the stream's replica and to the joining node.
    auto targets = copy_targets(members, now.owner, "demo", stream, 2);
    EXPECT_NE(std::find(targets.begin(), targets.end(), "node-3"), targets.end()) << stream;
    EXPECT_EQ(std::find(targets.begin(), targets.end(), now.owner), targets.end()) << stream;
    EXPECT_NE(std::find(targets.begin(), targets.end(), now.replica), targets.end()) << stream;
  }
  EXPECT_GT(checked, 100);
}

TEST(Placement, CopyTargetsNameEachOtherNodeOnce) {
  std::vector<member> members{{"node-1", true}, {"node-2", true}};
  for (const auto& stream : streams(50)) {
    auto placed = place_among(members, "demo", stream, 2);
    EXPECT_EQ(copy_targets(members, placed.owner, "demo", stream, 2), std::vector<std::string>{placed.replica});
    EXPECT_EQ(copy_targets(members, placed.replica, "demo", stream, 2), std::vector<std::string>{placed.owner});
    EXPECT_EQ(copy_targets(members, "node-9", "demo", stream, 1), std::vector<std::string>{placed.owner});
  }
}

}  // namespace
}  // namespace live_origin::model
