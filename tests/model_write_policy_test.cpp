#include <gtest/gtest.h>

#include "model/content_digest.hpp"
#include "model/write_policy.hpp"

namespace live_origin::model {
namespace {

write_outcome write(const std::string_view* stored, std::string_view incoming, bool immutable = false,
                    bool declared_gone = false) {
  write_facts facts{stored, stored ? content_digest(*stored) : 0, immutable, declared_gone};
  return classify_write(facts, incoming, content_digest(incoming));
}

TEST(WritePolicy, FirstWriteCreates) {
  EXPECT_EQ(write(nullptr, "abc"), write_outcome::created);
  EXPECT_EQ(status_for(write_outcome::created), 201);
}

TEST(WritePolicy, SameBytesAgainChangeNothing) {
  std::string_view stored = "abc";
  EXPECT_EQ(write(&stored, "abc"), write_outcome::unchanged);
  EXPECT_EQ(write(&stored, "abc", true), write_outcome::unchanged) << "a retry of a served segment is fine";
  EXPECT_EQ(status_for(write_outcome::unchanged), 204);
}

TEST(WritePolicy, DifferentBytesReplaceAMutableObject) {
  std::string_view stored = "abc";
  EXPECT_EQ(write(&stored, "abd"), write_outcome::replaced);
  EXPECT_EQ(status_for(write_outcome::replaced), 204);
}

TEST(WritePolicy, DifferentBytesForAServedSegmentAre409) {
  std::string_view stored = "abc";
  EXPECT_EQ(write(&stored, "abd", true), write_outcome::refused_served);
  EXPECT_EQ(status_for(write_outcome::refused_served), 409);
}

TEST(WritePolicy, SegmentDeclaredGoneIs409EvenWithNewBytes) {
  EXPECT_EQ(write(nullptr, "late", false, true), write_outcome::refused_gone);
  EXPECT_EQ(status_for(write_outcome::refused_gone), 409);
}

TEST(WritePolicy, EqualDigestsAreConfirmedByteForByte) {
  std::string_view stored = "abc";
  // A forged collision: same digest, different bytes. The update must not be dropped.
  EXPECT_EQ(classify_write({&stored, 7, false, false}, "xyz", 7), write_outcome::replaced);
}

TEST(WritePolicy, EmptyBodiesAreObjectsToo) {
  std::string_view stored = "";
  EXPECT_EQ(write(nullptr, ""), write_outcome::created);
  EXPECT_EQ(write(&stored, ""), write_outcome::unchanged);
}

TEST(WritePolicy, RefusalsHaveCounterNames) {
  EXPECT_EQ(to_string(write_outcome::refused_gone), "segment_gone");
  EXPECT_EQ(to_string(write_outcome::refused_served), "segment_already_served");
}

}  // namespace
}  // namespace live_origin::model
