// The etcd client against a real etcd (Debian's etcd-server) on loopback: leases, claims that only one
// lease can win, epochs that grow with each new claim, and failing over between members.

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <optional>

#include "cluster/etcd_client.hpp"
#include "support/etcd_server.hpp"

namespace live_origin::test {
namespace {

namespace etcd = cluster::etcd;

class EtcdClient : public ::testing::Test {
 protected:
  etcd::client client_for(const std::vector<std::string>& urls,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::vector<etcd::endpoint> members;
    for (const auto& url : urls) members.push_back(model::parse_endpoint_url(url).value());
    return etcd::client(io_.get_executor(), members, timeout);
  }

  // Runs one call to its answer.
  template <typename Result, typename Start>
  etcd::answer<Result> run(Start start) {
    std::optional<etcd::answer<Result>> answer;
    start([&](etcd::answer<Result> result) { answer = std::move(result); });
    io_.restart();
    io_.run_for(std::chrono::seconds(30));
    EXPECT_TRUE(answer) << "no answer within 30 s";
    return answer.value_or(etcd::failure{"no answer"});
  }

  template <typename Result, typename Start>
  Result value(Start start) {
    auto answer = run<Result>(start);
    if (auto* failed = std::get_if<etcd::failure>(&answer)) ADD_FAILURE() << failed->what;
    return std::holds_alternative<Result>(answer) ? std::get<Result>(answer) : Result{};
  }

  std::int64_t lease(etcd::client& client, std::int64_t ttl_s = 10) {
    auto granted = value<etcd::lease_grant>([&](auto done) { client.grant_lease(ttl_s, done); });
    EXPECT_EQ(granted.ttl_s, ttl_s);
    return granted.id;
  }

  net::io_context io_;
  etcd_server etcd_;
};

TEST_F(EtcdClient, OneLeaseWinsAClaimAndANewClaimAfterItHasALaterRevision) {
  auto client = client_for({etcd_.url()});
  auto first = lease(client), second = lease(client);
  ASSERT_NE(first, second);

  auto won = value<etcd::claim_outcome>([&](auto done) { client.claim("/o/demo/live", "node-1", first, done); });
  EXPECT_TRUE(won.created);
  EXPECT_GT(won.holder.create_revision, 0);
  auto lost = value<etcd::claim_outcome>([&](auto done) { client.claim("/o/demo/live", "node-2", second, done); });
  EXPECT_FALSE(lost.created);
  EXPECT_EQ(lost.holder.value, "node-1");
  EXPECT_EQ(lost.holder.lease, first);
  EXPECT_EQ(lost.holder.create_revision, won.holder.create_revision);

  // The first lease ends: its key goes with it, and the next claim is a later epoch.
  EXPECT_TRUE(value<bool>([&](auto done) { client.revoke_lease(first, done); }));
  EXPECT_EQ(value<etcd::lease_renewal>([&](auto done) { client.keep_alive(first, done); }).ttl_s, 0);
  EXPECT_TRUE(value<etcd::range_result>([&](auto done) { client.get_prefix("/o/", done); }).kvs.empty());
  auto next = value<etcd::claim_outcome>([&](auto done) { client.claim("/o/demo/live", "node-2", second, done); });
  EXPECT_TRUE(next.created);
  EXPECT_GT(next.holder.create_revision, won.holder.create_revision);
  EXPECT_FALSE(value<bool>([&](auto done) { client.revoke_lease(first, done); }));
}

TEST_F(EtcdClient, AKeepAliveRestartsTheLease) {
  auto client = client_for({etcd_.url()});
  auto id = lease(client, 3);
  EXPECT_EQ(value<etcd::lease_renewal>([&](auto done) { client.keep_alive(id, done); }).ttl_s, 3);
}

TEST_F(EtcdClient, AReleaseDeletesOnlyTheClaimItNames) {
  auto client = client_for({etcd_.url()});
  auto id = lease(client);
  auto won = value<etcd::claim_outcome>([&](auto done) { client.claim("/o/demo/a", "node-1", id, done); });
  value<etcd::claim_outcome>([&](auto done) { client.claim("/o/demo/b", "node-1", id, done); });
  EXPECT_FALSE(value<bool>([&](auto done) { client.release("/o/demo/a", won.holder.create_revision + 1, done); }));
  EXPECT_TRUE(value<bool>([&](auto done) { client.release("/o/demo/a", won.holder.create_revision, done); }));
  auto left = value<etcd::range_result>([&](auto done) { client.get_prefix("/o/demo/", done); });
  ASSERT_EQ(left.kvs.size(), 1u);
  EXPECT_EQ(left.kvs[0].key, "/o/demo/b");
}

TEST_F(EtcdClient, AClaimForALeaseThatIsGoneFailsWithEtcdsReason) {
  auto client = client_for({etcd_.url()});
  auto answer = run<etcd::claim_outcome>([&](auto done) { client.claim("/o/demo/live", "node-1", 12345, done); });
  ASSERT_TRUE(std::holds_alternative<etcd::failure>(answer));
  EXPECT_NE(std::get<etcd::failure>(answer).what.find("lease not found"), std::string::npos);
}

TEST_F(EtcdClient, AMemberThatDoesNotAnswerIsSkipped) {
  auto dead = "http://127.0.0.1:" + std::to_string(free_port());
  auto client = client_for({dead, etcd_.url()});
  auto id = lease(client);
  EXPECT_GT(id, 0);
  // The member that answered is asked first from now on: this works even with the dead one's port reused.
  EXPECT_EQ(value<etcd::lease_renewal>([&](auto done) { client.keep_alive(id, done); }).ttl_s, 10);
}

TEST_F(EtcdClient, WithNoMemberReachableTheFailureNamesEachOne) {
  std::vector<std::string> dead{"http://127.0.0.1:" + std::to_string(free_port()),
                                "http://127.0.0.1:" + std::to_string(free_port())};
  auto client = client_for(dead, std::chrono::milliseconds(500));
  auto answer = run<etcd::lease_grant>([&](auto done) { client.grant_lease(5, done); });
  ASSERT_TRUE(std::holds_alternative<etcd::failure>(answer));
  auto what = std::get<etcd::failure>(answer).what;
  for (const auto& url : dead) EXPECT_NE(what.find(url.substr(7)), std::string::npos) << what;
}

TEST_F(EtcdClient, AStoppedMemberTimesOutWithinTheBound) {
  auto client = client_for({etcd_.url()}, std::chrono::milliseconds(300));
  etcd_.signal(SIGSTOP);
  auto started = std::chrono::steady_clock::now();
  auto answer = run<etcd::lease_grant>([&](auto done) { client.grant_lease(5, done); });
  auto waited = std::chrono::steady_clock::now() - started;
  etcd_.signal(SIGCONT);
  ASSERT_TRUE(std::holds_alternative<etcd::failure>(answer));
  EXPECT_LT(waited, std::chrono::seconds(5)) << "the 300 ms timeout did not bound the call";
}

}  // namespace
}  // namespace live_origin::test
