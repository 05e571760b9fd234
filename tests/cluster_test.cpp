// Three live-origin processes on loopback forming one cluster, started as a user would start them.

#include <gtest/gtest.h>
#include <signal.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <regex>
#include <thread>

#include "model/placement.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;

constexpr std::int64_t segment_ms = 200;

// One node: its own data directory and configuration; bodies cross nodes in 64 KiB pieces so that every
// segment (150 kB) takes the chunked paths (forwarded PUT, replication, GET fetch). A node keeps at most
// two of them for streams it does not own, and drops them a second after the stream's last request there.
class node {
 public:
  explicit node(std::string id) : id_(std::move(id)) {}

  void start(const std::vector<std::uint16_t>& seeds) {
    std::string seed_list;
    for (auto port : seeds)
      seed_list += (seed_list.empty() ? "" : ", ") + ("\"127.0.0.1:" + std::to_string(port) + "\"");
    auto config = dir_.path() / "origin.toml";
    std::ofstream(config) << "[tenants.demo]\nsegment_duration_ms = " << segment_ms << "\n\n[cluster]\nnode_id = \""
                          << id_ << "\"\nlisten = \"127.0.0.1:0\"\nseeds = [" << seed_list
                          << "]\nchunk_bytes = 65536\ncache_bytes_total = 400000\nproxy_idle_ms = 1000\nheartbeat_ms = "
                             "200\nconnection_timeout_ms = 1000\n"
                             "request_timeout_ms = 3000\njoin_timeout_ms = 10000\n";
    process_ = std::make_unique<child_process>(
        LIVE_ORIGIN_BINARY,
        std::vector<std::string>{"--config", config.string(), "--delivery", "127.0.0.1:0", "--ingest", "127.0.0.1:0",
                                 "--admin", "127.0.0.1:0", "--data-dir", (dir_.path() / "data").string()},
        dir_);
    auto endpoints = process_->wait_ready();
    ASSERT_TRUE(endpoints) << id_ << ": " << process_->stderr_text();
    std::tie(delivery, ingest, admin) = std::tuple{(*endpoints)[0], (*endpoints)[1], (*endpoints)[2]};
    static const std::regex listening(R"(cluster node \S+ on 127\.0\.0\.1:(\d+))");
    auto until = std::chrono::steady_clock::now() + 10s;
    std::smatch match;
    while (std::chrono::steady_clock::now() < until) {
      auto text = process_->stderr_text();
      if (std::regex_search(text, match, listening)) {
        cluster_port = static_cast<std::uint16_t>(std::stoi(match[1]));
        return;
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << id_ << " never said where it listens for peers:\n" << process_->stderr_text();
  }

  void signal(int number) { process_->signal(number); }

  void kill_nine() {
    process_->signal(SIGKILL);
    process_->wait_exit();
  }

  nlohmann::json cluster() const {
    auto reply = fetch(admin, bhttp::verb::get, "/cluster");
    return reply.status == 200 ? nlohmann::json::parse(reply.body) : nlohmann::json();
  }

  std::string log() const { return process_->stderr_text(); }

  // GETs held by this node's stream actors now (live_origin_held_requests).
  int held_requests() const {
    static const std::regex gauge(R"((?:^|\n)live_origin_held_requests (\d+))");
    auto text = fetch(admin, bhttp::verb::get, "/metrics").body;
    std::smatch match;
    return std::regex_search(text, match, gauge) ? std::stoi(match[1]) : -1;
  }

  const std::string& id() const { return id_; }
  tcp::endpoint delivery, ingest, admin;
  std::uint16_t cluster_port = 0;

 private:
  std::string id_;
  temp_dir dir_;
  std::unique_ptr<child_process> process_;
};

// True once `at` sees exactly `ids`, all active.
bool sees(const node& at, std::set<std::string> ids) {
  auto state = at.cluster();
  if (!state.contains("nodes")) return false;
  std::set<std::string> active;
  for (const auto& n : state["nodes"])
    if (n["state"] == "active") active.insert(n["id"].get<std::string>());
  return active == ids && state["nodes"].size() == ids.size();
}

template <class Check>
bool eventually(Check check, std::chrono::milliseconds deadline = 20s) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (check()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return check();
}

std::string segment_bytes(std::int64_t n) {
  std::string bytes(150'000, static_cast<char>('a' + n % 26));
  bytes.replace(0, std::to_string(n).size(), std::to_string(n));
  return bytes;
}

class ClusterTest : public ::testing::Test {
 protected:
  // The stream this test publishes: one that node-2 owns and node-3 keeps a copy of while all three are up.
  static std::string pick_stream() {
    for (int i = 0;; ++i) {
      auto name = "live" + std::to_string(i);
      auto placed = model::place_stream({"node-1", "node-2", "node-3"}, "demo", name, 2);
      if (placed.owner == "node-2" && placed.replica == "node-3") return name;
    }
  }

  std::string path(std::int64_t n) const { return "/demo/" + stream_ + "/seg-" + std::to_string(n) + ".m4s"; }

  // Publishes segment `n` through node-1 at its due time (the stream's clock: one every segment_ms).
  void publish(std::int64_t n) {
    auto due = start_ + std::chrono::milliseconds((n - 1) * segment_ms);
    std::this_thread::sleep_until(due);
    auto bytes = segment_bytes(n);
    auto reply = fetch(nodes_[0]->ingest, bhttp::verb::put, path(n), bytes, {{"X-Origin-Pipeline", "a"}});
    if (reply.status == 201 || reply.status == 204) acknowledged_[n] = bytes;
    last_ = n;
  }

  // Every acknowledged segment, through `at`: 200 with the published bytes.
  void expect_all_served(const node& at) {
    for (const auto& [n, bytes] : acknowledged_) {
      auto reply = fetch(at.delivery, bhttp::verb::get, path(n));
      ASSERT_EQ(reply.status, 200) << path(n) << " via " << at.id() << "\n" << at.log().substr(0, 4000);
      ASSERT_EQ(reply.body, bytes) << path(n) << " via " << at.id();
    }
  }

  std::string stream_ = pick_stream();
  std::vector<std::unique_ptr<node>> nodes_;
  std::map<std::int64_t, std::string> acknowledged_;
  std::int64_t last_ = 0;
  std::chrono::steady_clock::time_point start_;
};

TEST_F(ClusterTest, AnyNodeAnswersAndTheOwnersLossLosesNoAcknowledgedSegment) {
  for (auto id : {"node-1", "node-2", "node-3"}) nodes_.push_back(std::make_unique<node>(id));
  nodes_[0]->start({});
  nodes_[1]->start({nodes_[0]->cluster_port});
  nodes_[2]->start({nodes_[0]->cluster_port});
  std::set<std::string> all{"node-1", "node-2", "node-3"};
  for (const auto& n : nodes_)
    ASSERT_TRUE(eventually([&] { return sees(*n, all); })) << n->id() << ": " << n->cluster();

  // Publish through node-1 (which owns nothing of this stream); read through node-2 (the owner) and node-3.
  start_ = std::chrono::steady_clock::now();
  for (std::int64_t n = 1; n <= 6; ++n) publish(n);
  ASSERT_EQ(acknowledged_.size(), 6u);
  for (std::int64_t n = 1; n <= 6; ++n) {
    auto owner = fetch(nodes_[1]->delivery, bhttp::verb::get, path(n));
    auto other = fetch(nodes_[2]->delivery, bhttp::verb::get, path(n));
    EXPECT_EQ(owner.status, 200);
    EXPECT_EQ(other.status, owner.status);
    EXPECT_EQ(other.body, acknowledged_[n]);
    EXPECT_EQ(other.header("etag"), owner.header("etag"));
    EXPECT_EQ(other.header("x-origin-pipeline"), "a");
    EXPECT_EQ(other.header("cache-control"), owner.header("cache-control"));
  }
  // node-3 kept the newest bodies it fetched, within its bound: the owner sends no bytes for those.
  auto cache_metrics = [&] { return prometheus_text(fetch(nodes_[2]->admin, bhttp::verb::get, "/metrics").body); };
  auto cached = cache_metrics().value("live_origin_cluster_cache_bytes");
  EXPECT_GE(cached, 150'000);
  EXPECT_LE(cached, 400'000);
  EXPECT_EQ(cache_metrics().value("live_origin_cluster_cache_hits_total"), 0);
  EXPECT_EQ(fetch(nodes_[2]->delivery, bhttp::verb::get, path(6)).body, acknowledged_[6]);
  EXPECT_EQ(cache_metrics().value("live_origin_cluster_cache_hits_total"), 1) << "segment 6 came from the cache";
  EXPECT_EQ(fetch(nodes_[2]->delivery, bhttp::verb::get, path(1)).body, acknowledged_[1]) << "evicted: fetched again";
  EXPECT_EQ(cache_metrics().value("live_origin_cluster_cache_hits_total"), 1);
  EXPECT_LE(cache_metrics().value("live_origin_cluster_cache_bytes"), 400'000);
  // A segment not due yet: the same 404 and lifetime from every node (the owner decides).
  auto early_owner = fetch(nodes_[1]->delivery, bhttp::verb::get, path(last_ + 20));
  auto early_other = fetch(nodes_[2]->delivery, bhttp::verb::get, path(last_ + 20));
  EXPECT_EQ(early_owner.status, 404);
  EXPECT_EQ(early_other.status, 404);
  EXPECT_EQ(early_other.header("x-origin-segment"), early_owner.header("x-origin-segment"));
  EXPECT_FALSE(early_other.header("x-origin-ttl-ms").empty());

  // Operators see the cluster from any node: every member, where the stream lives, and the remote actors.
  auto seen = nodes_[2]->cluster();
  EXPECT_EQ(seen["self"], "node-3");
  ASSERT_EQ(seen["nodes"].size(), 3u);
  for (const auto& n : seen["nodes"]) EXPECT_FALSE(n["delivery"].get<std::string>().empty()) << n;
  bool listed = false;
  for (const auto& s : seen["streams"])
    if (s["stream"] == stream_) listed = s["owner"] == "node-2" && s["replica"] == "node-3";
  EXPECT_TRUE(listed) << seen;
  auto tree = nlohmann::json::parse(fetch(nodes_[2]->admin, bhttp::verb::get, "/actors").body);
  std::set<std::string> remote_clusters;
  for (const auto& child : tree["cluster"]["children"]) remote_clusters.insert(child["node"].get<std::string>());
  EXPECT_EQ(remote_clusters, (std::set<std::string>{"node-1", "node-2"})) << tree;
  bool remote_stream = false;
  for (const auto& tenant : tree["children"])
    for (const auto& s : tenant["children"])
      if (s["name"] == stream_) remote_stream = s["kind"] == "remote_stream" && s["node"] == "node-2";
  EXPECT_TRUE(remote_stream) << tree;

  // A stream no node has: the same 404 from a node that must ask the owner as from the owner itself.
  std::set<std::string> unknown_answers;
  for (const auto& n : nodes_) {  // one of them owns the name
    auto unknown = fetch(n->delivery, bhttp::verb::get, "/demo/nosuchstream/seg-1.m4s");
    unknown_answers.insert(std::to_string(unknown.status) + " " + unknown.header("cache-control"));
    EXPECT_EQ(fetch(n->ingest, bhttp::verb::delete_, "/demo/nosuchstream/seg-1.m4s").status, 204) << n->id();
  }
  EXPECT_EQ(unknown_answers, (std::set<std::string>{"404 public, max-age=1"}));
  for (const auto& n : nodes_) {  // and it created no stream anywhere
    auto known = n->cluster();
    for (const auto& s : known["streams"]) EXPECT_NE(s["stream"], "nosuchstream") << n->id();
  }

  // A GET for the next segment on a node that does not own the stream is held and released when the
  // segment lands at the owner.
  auto held = std::async(std::launch::async,
                         [&, next = last_ + 1] { return fetch(nodes_[2]->delivery, bhttp::verb::get, path(next)); });
  ASSERT_TRUE(eventually([&] { return nodes_[1]->held_requests() == 1; })) << "not held at the owner";
  ASSERT_EQ(held.wait_for(0s), std::future_status::timeout) << "answered before the segment was published";
  publish(last_ + 1);
  auto released = held.get();
  EXPECT_EQ(released.status, 200);
  EXPECT_EQ(released.body, acknowledged_[last_]);

  // A GET held for node-2 (the owner) when it is killed: a 503 with a short lifetime, not a hang.
  auto orphan = std::async(std::launch::async,
                           [&, next = last_ + 1] { return fetch(nodes_[2]->delivery, bhttp::verb::get, path(next)); });
  ASSERT_TRUE(eventually([&] { return nodes_[1]->held_requests() == 1; })) << "not held at the owner";
  nodes_[1]->kill_nine();
  auto orphaned = orphan.get();
  EXPECT_EQ(orphaned.status, 503);
  EXPECT_EQ(orphaned.header("cache-control"), "public, max-age=1");

  // Publishing goes on through node-1; its replica (node-3) now owns the stream with every segment.
  std::size_t before_kill = acknowledged_.size();
  for (auto end = last_ + 10; last_ < end;) publish(last_ + 1);
  ASSERT_TRUE(eventually([&] { return sees(*nodes_[0], {"node-1", "node-3"}); })) << nodes_[0]->cluster();
  for (int extra = 0; extra < 5; ++extra) publish(last_ + 1);
  EXPECT_GE(acknowledged_.size(), before_kill + 5) << "publishing did not go on after the owner was killed";
  expect_all_served(*nodes_[0]);
  expect_all_served(*nodes_[2]);

  // node-2 comes back: it catches up from the others, then owns the stream again and serves it all.
  nodes_[1]->start({nodes_[0]->cluster_port, nodes_[2]->cluster_port});
  for (const auto& n : nodes_)
    ASSERT_TRUE(eventually([&] { return sees(*n, all); })) << n->id() << ": " << n->cluster();
  auto placed = [&](const node& at) {
    auto state = at.cluster();
    for (const auto& s : state["streams"])
      if (s["stream"] == stream_) return s["owner"].get<std::string>() + "/" + s["replica"].get<std::string>();
    return std::string();
  };
  EXPECT_TRUE(eventually([&] { return placed(*nodes_[1]) == "node-2/node-3"; })) << nodes_[1]->cluster();
  for (int extra = 0; extra < 3; ++extra) publish(last_ + 1);
  expect_all_served(*nodes_[1]);
  expect_all_served(*nodes_[0]);
  auto cached_at_node_1 = [&] {
    return prometheus_text(fetch(nodes_[0]->admin, bhttp::verb::get, "/metrics").body)
        .value("live_origin_cluster_cache_bytes");
  };
  EXPECT_GT(cached_at_node_1(), 0);
  EXPECT_TRUE(eventually([&] { return cached_at_node_1() == 0; })) << "a stream nobody asks node-1 for keeps no cache";
  std::cout << "cluster drill: " << acknowledged_.size()
            << " acknowledged segments of 150 kB, all served by every node "
            << "after the owner's kill -9 and its return\n";
}

// A peer that stops answering without closing its connections (SIGSTOP: a hung process, or a silent network)
// is noticed by CAF's heartbeats and connection timeout; the other node takes its stream over. When it
// answers again it rejoins, catches up on what was acknowledged meanwhile, and owns the stream again.
TEST_F(ClusterTest, ASilentPeerIsDroppedAfterTheConnectionTimeoutAndRejoinsCaughtUp) {
  for (int i = 0;; ++i) {  // a stream node-2 owns while both are up
    stream_ = "silent" + std::to_string(i);
    if (model::place_stream({"node-1", "node-2"}, "demo", stream_, 2).owner == "node-2") break;
  }
  for (auto id : {"node-1", "node-2"}) nodes_.push_back(std::make_unique<node>(id));
  nodes_[0]->start({});
  nodes_[1]->start({nodes_[0]->cluster_port});
  for (const auto& n : nodes_)
    ASSERT_TRUE(eventually([&] { return sees(*n, {"node-1", "node-2"}); })) << n->id() << ": " << n->cluster();
  start_ = std::chrono::steady_clock::now();
  for (int n = 0; n < 3; ++n) publish(last_ + 1);
  nodes_[1]->signal(SIGSTOP);
  auto stopped = std::chrono::steady_clock::now();
  ASSERT_TRUE(eventually([&] { return sees(*nodes_[0], {"node-1"}); })) << nodes_[0]->cluster();
  auto detected = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - stopped);
  for (int n = 0; n < 5; ++n) publish(last_ + 1);  // node-1 owns it now
  std::this_thread::sleep_until(stopped + 2s);     // hung for twice as long as its peers wait
  nodes_[1]->signal(SIGCONT);
  for (const auto& n : nodes_)
    ASSERT_TRUE(eventually([&] { return sees(*n, {"node-1", "node-2"}); })) << n->id() << ": " << n->cluster();
  EXPECT_GE(acknowledged_.size(), 6u);
  // Until node-2 notices it was stalled (its first moments after SIGCONT) it still answers from its old view.
  ASSERT_TRUE(eventually([&] { return nodes_[1]->log().find("was stalled; it joins again") != std::string::npos; }))
      << nodes_[1]->log();
  for (const auto& n : nodes_)
    ASSERT_TRUE(eventually([&] { return sees(*n, {"node-1", "node-2"}); })) << n->id() << ": " << n->cluster();
  expect_all_served(*nodes_[1]);  // what node-1 acknowledged while node-2 hung included
  expect_all_served(*nodes_[0]);
  std::cout << "silent peer dropped after " << detected.count()
            << " ms (heartbeat 200 ms, connection timeout 1000 ms)\n";
}

}  // namespace
}  // namespace live_origin::test
