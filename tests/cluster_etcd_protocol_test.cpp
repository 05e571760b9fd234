// etcd's JSON gateway, as etcd 3.4 answers: the answers below are copied from a real etcd-server 3.4.23.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cluster/etcd_protocol.hpp"

namespace live_origin::cluster::etcd {
namespace {

template <typename Result>
Result value_of(const answer<Result>& parsed) {
  if (const auto* failed = std::get_if<failure>(&parsed)) ADD_FAILURE() << failed->what;
  return std::holds_alternative<Result>(parsed) ? std::get<Result>(parsed) : Result{};
}

template <typename Result>
std::string failure_of(const answer<Result>& parsed) {
  EXPECT_TRUE(std::holds_alternative<failure>(parsed));
  return std::holds_alternative<failure>(parsed) ? std::get<failure>(parsed).what : "";
}

TEST(EtcdBase64, RoundTripsEveryLengthAndByte) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("/o/demo/live"), "L28vZGVtby9saXZl");
  std::string all;
  for (int byte = 0; byte < 256; ++byte) all += static_cast<char>(byte);
  for (std::size_t length = 0; length <= all.size(); length += 37)
    EXPECT_EQ(base64_decode(base64_encode(all.substr(0, length))), all.substr(0, length));
}

TEST(EtcdBase64, RefusesWhatIsNotCanonical) {
  for (auto text : {"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zm9v=A==", "Z=9v", "Zm9v!A==", "Zm\n9v"})
    EXPECT_EQ(base64_decode(text), std::nullopt) << text;
}

TEST(EtcdRequests, ClaimCreatesOnlyIfAbsentAttachedToTheLease) {
  auto call = claim("/o/demo/live", "node-1", 7);
  EXPECT_EQ(call.path, "/v3/kv/txn");
  auto body = nlohmann::json::parse(call.body);
  EXPECT_EQ(body["compare"][0]["target"], "CREATE");
  EXPECT_EQ(body["compare"][0]["create_revision"], "0");
  EXPECT_EQ(body["compare"][0]["key"], "L28vZGVtby9saXZl");
  EXPECT_EQ(body["success"][0]["request_put"]["value"], base64_encode("node-1"));
  EXPECT_EQ(body["success"][0]["request_put"]["lease"], "7");
  EXPECT_EQ(body["failure"][0]["request_range"]["key"], "L28vZGVtby9saXZl");
}

TEST(EtcdRequests, ReleaseDeletesOnlyTheSameClaim) {
  auto body = nlohmann::json::parse(release("/o/demo/live", 42).body);
  EXPECT_EQ(body["compare"][0]["create_revision"], "42");
  EXPECT_EQ(body["success"][0]["request_delete_range"]["key"], "L28vZGVtby9saXZl");
  EXPECT_FALSE(body.contains("failure"));
}

TEST(EtcdRequests, APrefixRangeEndsAfterEveryKeyThatStartsWithIt) {
  auto body = nlohmann::json::parse(get_prefix("/o/").body);
  EXPECT_EQ(base64_decode(body["key"].get<std::string>()), "/o/");
  EXPECT_EQ(base64_decode(body["range_end"].get<std::string>()), "/o0");
  auto wrapped = nlohmann::json::parse(get_prefix(std::string("a\xff", 2)).body);
  EXPECT_EQ(base64_decode(wrapped["range_end"].get<std::string>()), "b");
}

constexpr auto header = R"("header":{"cluster_id":"324952591200643719","member_id":"3319814642761637952",)";

TEST(EtcdAnswers, ALeaseGrant) {
  auto grant = value_of(parse_lease_grant(std::string("{") + header +
                                          R"("revision":"1","raft_term":"2"},"ID":"2324035885074389254","TTL":"5"})"));
  EXPECT_EQ(grant.id, 2324035885074389254);
  EXPECT_EQ(grant.ttl_s, 5);
  EXPECT_NE(failure_of(parse_lease_grant(R"({"ID":"0","TTL":"5"})")), "");
}

TEST(EtcdAnswers, AKeepAliveRenewsOrSaysTheLeaseIsGone) {
  auto renewed = std::string(R"({"result":{)") + header + R"("revision":"1"},"ID":"23","TTL":"5"}})" + "\n";
  EXPECT_EQ(value_of(parse_keep_alive(renewed)).ttl_s, 5);
  auto gone = std::string(R"({"result":{)") + header + R"("revision":"1"},"ID":"12345"}})";
  EXPECT_EQ(value_of(parse_keep_alive(gone)).ttl_s, 0);
  EXPECT_NE(failure_of(parse_keep_alive(R"({"header":{}})")), "");
}

TEST(EtcdAnswers, AClaimWonOrHeldBySomeoneElse) {
  auto won = value_of(parse_claim(
      std::string("{") + header +
          R"("revision":"2","raft_term":"2"},"succeeded":true,"responses":[{"response_put":{"header":{"revision":"2"}}}]})",
      "/o/demo/live", "node-1", 23));
  EXPECT_TRUE(won.created);
  EXPECT_EQ(won.holder.create_revision, 2);
  EXPECT_EQ(won.holder.value, "node-1");
  EXPECT_EQ(won.holder.lease, 23);

  auto lost = value_of(parse_claim(
      std::string("{") + header +
          R"("revision":"2","raft_term":"2"},"responses":[{"response_range":{"header":{"revision":"2"},"kvs":[{"key":"L28vZGVtby9saXZl","create_revision":"2","mod_revision":"2","version":"1","value":"bm9kZS0x","lease":"2324035885074389256"}],"count":"1"}}]})",
      "/o/demo/live", "node-2", 99));
  EXPECT_FALSE(lost.created);
  EXPECT_EQ(lost.holder.key, "/o/demo/live");
  EXPECT_EQ(lost.holder.value, "node-1");
  EXPECT_EQ(lost.holder.create_revision, 2);
  EXPECT_EQ(lost.holder.lease, 2324035885074389256);
}

TEST(EtcdAnswers, ErrorsAndMalformedAnswersAreFailuresThatSayWhat) {
  auto not_found =
      R"({"error":"etcdserver: requested lease not found","message":"etcdserver: requested lease not found","code":5})";
  EXPECT_EQ(failure_of(parse_claim(not_found, "k", "v", 1)), "etcdserver: requested lease not found");
  EXPECT_EQ(value_of(parse_revoke(not_found)), false);
  EXPECT_EQ(value_of(parse_revoke(std::string("{") + header + R"("revision":"3"}})")), true);
  for (auto body : {"", "not json", "[]", R"({"header":{"revision":"x"},"kvs":[]})",
                    R"({"header":{"revision":"1"},"kvs":[{"key":"!!"}]})", R"({"header":{"revision":"1"},"kvs":{}})"})
    EXPECT_NE(failure_of(parse_range(body)), "") << body;
  // A lost claim must say who holds the key.
  EXPECT_NE(failure_of(parse_claim(std::string("{") + header + R"("revision":"2"},"responses":[]})", "k", "v", 1)), "");
}

TEST(EtcdAnswers, ARangeListsItsKeys) {
  auto read = value_of(parse_range(
      std::string("{") + header +
      R"("revision":"9"},"kvs":[{"key":"L28vZGVtby9saXZl","create_revision":"2","mod_revision":"5","version":"2","value":"bm9kZS0x"}],"count":"1"})"));
  EXPECT_EQ(read.revision, 9);
  ASSERT_EQ(read.kvs.size(), 1u);
  EXPECT_EQ(read.kvs[0].mod_revision, 5);
  EXPECT_EQ(read.kvs[0].lease, 0);
  EXPECT_TRUE(value_of(parse_range(std::string("{") + header + R"("revision":"9"}})")).kvs.empty());
}

TEST(EtcdAnswers, AReleaseThatFoundAnotherClaimDeletedNothing) {
  EXPECT_TRUE(value_of(parse_release(
      std::string("{") + header +
      R"("revision":"4"},"succeeded":true,"responses":[{"response_delete_range":{"header":{"revision":"4"},"deleted":"1"}}]})")));
  EXPECT_FALSE(value_of(parse_release(std::string("{") + header + R"("revision":"4"}})")));
}

}  // namespace
}  // namespace live_origin::cluster::etcd
