#include <gtest/gtest.h>

#include "model/content_digest.hpp"
#include "model/write_policy.hpp"

namespace live_origin::model {
namespace {

TEST(WritePolicy, FirstWriteCreates) {
  EXPECT_EQ(classify_write(nullptr, 0, "abc", content_digest("abc")), write_outcome::created);
  EXPECT_EQ(status_for(write_outcome::created), 201);
}

TEST(WritePolicy, SameBytesAgainChangeNothing) {
  std::string_view stored = "abc";
  EXPECT_EQ(classify_write(&stored, content_digest(stored), "abc", content_digest("abc")), write_outcome::unchanged);
  EXPECT_EQ(status_for(write_outcome::unchanged), 204);
}

TEST(WritePolicy, DifferentBytesReplace) {
  std::string_view stored = "abc";
  EXPECT_EQ(classify_write(&stored, content_digest(stored), "abd", content_digest("abd")), write_outcome::replaced);
  EXPECT_EQ(status_for(write_outcome::replaced), 204);
}

TEST(WritePolicy, EqualDigestsAreConfirmedByteForByte) {
  std::string_view stored = "abc";
  // A forged collision: same digest, different bytes. The update must not be dropped.
  EXPECT_EQ(classify_write(&stored, 7, "xyz", 7), write_outcome::replaced);
}

TEST(WritePolicy, EmptyBodiesAreObjectsToo) {
  std::string_view stored = "";
  EXPECT_EQ(classify_write(nullptr, 0, "", content_digest("")), write_outcome::created);
  EXPECT_EQ(classify_write(&stored, content_digest(""), "", content_digest("")), write_outcome::unchanged);
}

}  // namespace
}  // namespace live_origin::model
