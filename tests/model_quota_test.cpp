#include <gtest/gtest.h>

#include "model/quota.hpp"

namespace live_origin::model {
namespace {

TEST(Quota, UnlimitedByDefault) { EXPECT_FALSE(check_write({}, true, 1'000'000, 1ull << 40)); }

TEST(Quota, StreamsAreCountedOnlyWhenAWriteOpensOne) {
  tenant_quota quota{2, 0, 0};
  EXPECT_FALSE(check_write(quota, true, 1, 10));
  EXPECT_EQ(check_write(quota, true, 2, 10), quota_refusal::streams);
  EXPECT_FALSE(check_write(quota, false, 2, 10)) << "writes to existing streams go on";
}

TEST(Quota, ObjectSize) {
  tenant_quota quota{0, 100, 0};
  EXPECT_FALSE(check_write(quota, false, 0, 100));
  EXPECT_EQ(check_write(quota, false, 0, 101), quota_refusal::object_size);
  EXPECT_FALSE(check_write(quota, false, 0, std::nullopt)) << "chunked: checked when the body is complete";
}

TEST(Quota, TokenBucketAllowsTheRateWithABurstOfOneSecond) {
  token_bucket bucket(5);
  int taken = 0;
  for (int i = 0; i < 20; ++i) taken += bucket.try_take(1000) ? 1 : 0;
  EXPECT_EQ(taken, 5) << "a second's worth at once";
  EXPECT_FALSE(bucket.try_take(1100));
  EXPECT_TRUE(bucket.try_take(1200)) << "one token per 200 ms";
  EXPECT_FALSE(bucket.try_take(1200));
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(bucket.try_take(5000)) << "refilled to the burst, no more";
  EXPECT_FALSE(bucket.try_take(5000));
  EXPECT_FALSE(bucket.try_take(4000)) << "time going backwards adds nothing";
}

TEST(Quota, SlowRatesStillAllowOneRequest) {
  token_bucket bucket(0.5);
  EXPECT_TRUE(bucket.try_take(0));
  EXPECT_FALSE(bucket.try_take(1000));
  EXPECT_TRUE(bucket.try_take(2000));
}

TEST(FairShare, EachSharerGetsAnEqualPartUpToItsOwnLimit) {
  EXPECT_EQ(fair_share(256, 0, 7), 256u) << "no shared limit";
  EXPECT_EQ(fair_share(256, 1000, 1), 256u) << "alone: its own limit";
  EXPECT_EQ(fair_share(1000, 1000, 4), 250u);
  EXPECT_EQ(fair_share(1000, 1000, 0), 1000u) << "the first one to cache";
}

TEST(TenantUsage, GrowthIsReservedAgainstTheLimit) {
  tenant_usage usage;
  EXPECT_TRUE(usage.try_grow(1'000'000)) << "no limit";
  usage.shrink(1'000'000);
  usage.set_limit(100);
  EXPECT_TRUE(usage.try_grow(60));
  EXPECT_FALSE(usage.try_grow(41)) << "61 + 60 would pass 100";
  EXPECT_EQ(usage.bytes(), 60u) << "a refused growth reserves nothing";
  EXPECT_TRUE(usage.try_grow(40)) << "exactly the limit fits";
  usage.shrink(50);
  EXPECT_TRUE(usage.try_grow(50));
  usage.set_limit(10);  // a reload lowering the quota: what is stored stays, growth is refused
  EXPECT_FALSE(usage.try_grow(1));
  EXPECT_EQ(usage.bytes(), 100u);
}

}  // namespace
}  // namespace live_origin::model
