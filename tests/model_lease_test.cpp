#include <gtest/gtest.h>

#include "model/lease.hpp"

namespace live_origin::model {
namespace {

TEST(LeaseValidity, EndsAMarginBeforeTheTtlCountedFromTheSend) {
  lease_validity lease(500);
  EXPECT_FALSE(lease.valid(0));
  lease.renewed(1000, 3);  // sent at 1 s; etcd restarted the TTL when it received it, later
  EXPECT_TRUE(lease.valid(1000));
  EXPECT_TRUE(lease.valid(3499));
  EXPECT_FALSE(lease.valid(3500));
  EXPECT_EQ(lease.valid_until_ms(), 3500);
}

TEST(LeaseValidity, ARenewalExtendsItAndALostLeaseEndsItAtOnce) {
  lease_validity lease(500);
  lease.renewed(0, 3);
  lease.renewed(1000, 3);
  EXPECT_TRUE(lease.valid(3000));
  EXPECT_FALSE(lease.valid(3500));
  lease.renewed(2000, 0);  // etcd: the lease no longer exists
  EXPECT_FALSE(lease.valid(2001));
  lease.renewed(2500, 3);
  lease.lost();
  EXPECT_FALSE(lease.valid(2600));
}

TEST(LeaseValidity, ALateAnswerToAnOlderKeepAliveMovesNothing) {
  lease_validity lease(500);
  lease.renewed(2000, 3);
  lease.renewed(1000, 3);
  EXPECT_EQ(lease.valid_until_ms(), 4500);
}

TEST(LeaseValidity, AProcessThatWakesAfterItsLeaseRanOutIsNotValid) {
  lease_validity lease(500);
  lease.renewed(0, 3);
  // Stopped at 1 s, woken at 10 s: the monotonic clock counted the pause.
  EXPECT_FALSE(lease.valid(10'000));
}

TEST(LeaseValidity, AMarginAsLongAsTheTtlLeavesNoValidity) {
  lease_validity lease(3000);
  lease.renewed(0, 3);
  EXPECT_FALSE(lease.valid(0));
}

TEST(LeaseValidity, RenewsAThirdOfTheTtlAfterTheLastSend) {
  lease_validity lease(500);
  EXPECT_EQ(lease.next_renewal_ms(7), 7);  // none yet: at once
  lease.renewed(1000, 3);
  EXPECT_EQ(lease.next_renewal_ms(1200), 2000);
  EXPECT_EQ(lease.next_renewal_ms(2500), 2500);  // overdue: at once
}

}  // namespace
}  // namespace live_origin::model
