// A node with [cluster] etcd accepts writes only while its etcd lease surely lives: the origin in-process,
// a real etcd beside it, both on loopback. etcd stopped (SIGSTOP: it neither answers nor expires
// anything) stands for an owner cut off from etcd.

#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include "support/etcd_server.hpp"
#include "support/prometheus.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

constexpr auto lease_ttl = 2s;

class LeasedNode : public ::testing::Test {
 protected:
  void start(const std::string& etcd_url) {
    origin_ = std::make_unique<running_origin>([&](config::origin_config& c) {
      c.cluster.node_id = "node-1";
      c.cluster.join_timeout = 0ms;
      c.cluster.etcd = {etcd_url};
      c.cluster.lease_ttl = lease_ttl;
      c.cluster.lease_margin = 500ms;
      c.cluster.etcd_timeout = 300ms;
    });
    // A starting node owns nothing until it is active (a 503 of another kind before that).
    auto deadline = clock_type::now() + 10s;
    while (!active() && clock_type::now() < deadline) std::this_thread::sleep_for(10ms);
    ASSERT_TRUE(active()) << fetch(origin_->admin(), bhttp::verb::get, "/cluster").body;
  }

  bool active() {
    auto cluster = nlohmann::json::parse(fetch(origin_->admin(), bhttp::verb::get, "/cluster").body);
    for (const auto& node : cluster["nodes"])
      if (node["self"].get<bool>()) return node["state"] == "active";
    return false;
  }

  http_reply put(const std::string& object, const std::string& body) {
    return fetch(origin_->ingest(), bhttp::verb::put, "/demo/live/" + object, body);
  }
  http_reply get(const std::string& object) {
    return fetch(origin_->delivery(), bhttp::verb::get, "/demo/live/" + object);
  }
  nlohmann::json lease() {
    auto reply = fetch(origin_->admin(), bhttp::verb::get, "/cluster");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return nlohmann::json::parse(reply.body).value("lease", nlohmann::json());
  }
  // The refusals counted so far, once at least one is (the count follows the answer's last byte).
  double refused_for_no_lease() {
    auto count = [](const prometheus_text& m) {
      return m.value_or("live_origin_http_rejections_total", {{"listener", "ingest"}, {"reason", "no_lease"}}, 0);
    };
    return count(scrape_metrics_until(origin_->admin(), [&](const prometheus_text& m) { return count(m) >= 1; }));
  }

  // PUTs a new segment every 20 ms until the answer has `status` or `deadline` passes; the last answer and
  // the segment it was for.
  std::pair<http_reply, std::string> put_until(unsigned status, clock_type::time_point deadline) {
    for (;;) {
      auto object = std::to_string(++segment_) + ".m4s";
      auto reply = put(object, "segment " + object);
      if (reply.status == status || clock_type::now() >= deadline) return {reply, object};
      std::this_thread::sleep_for(20ms);
    }
  }

  int segment_ = 0;

  etcd_server etcd_;
  std::unique_ptr<running_origin> origin_;
};

TEST_F(LeasedNode, StopsAcceptingWritesBeforeItsLeaseCanExpireAndResumesWithANewOne) {
  start(etcd_.url());
  auto [accepted, first] = put_until(201, clock_type::now() + 10s);
  ASSERT_EQ(accepted.status, 201);
  auto held = lease();
  EXPECT_TRUE(held["valid"].get<bool>()) << held;
  EXPECT_NE(held["id"].get<std::int64_t>(), 0);
  EXPECT_EQ(held["ttl_s"], 2);

  // Cut off from etcd: the lease can no longer be renewed, and etcd may expire it TTL after the last
  // keep-alive it received, which was before now. Writes must stop by then.
  etcd_.signal(SIGSTOP);
  auto [refused, refused_object] = put_until(503, clock_type::now() + lease_ttl);
  etcd_.signal(SIGCONT);  // (before any assertion can end the test with etcd stopped)
  ASSERT_EQ(refused.status, 503) << "a write was still accepted a whole TTL after etcd went silent";
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(refused.body, "refused: no_lease\n");
  EXPECT_GE(refused_for_no_lease(), 1);
  auto read = get(first);  // reads go on
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.body, "segment " + first);
  EXPECT_EQ(get(refused_object).status, 404) << "the refused write left something behind";

  // etcd back: the lease is renewed (or, expired meanwhile, a new one granted) and writes resume.
  EXPECT_EQ(put_until(201, clock_type::now() + 15s).first.status, 201);
  EXPECT_TRUE(lease()["valid"].get<bool>());
}

TEST_F(LeasedNode, WithEtcdUnreachableAtStartItServesReadsAndRefusesWrites) {
  auto dead = "127.0.0.1:" + std::to_string(free_port());
  start("http://" + dead);
  auto refused = put("1.m4s", "one");
  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(refused.header("retry-after"), "1");
  EXPECT_EQ(get("1.m4s").status, 404);
  // /cluster says why, naming the member it tried (after the first attempt's timeout).
  auto deadline = clock_type::now() + 5s;
  auto status = lease();
  while (status["last_error"].get<std::string>().empty() && clock_type::now() < deadline) {
    std::this_thread::sleep_for(20ms);
    status = lease();
  }
  EXPECT_FALSE(status["valid"].get<bool>());
  EXPECT_EQ(status["id"], 0);
  EXPECT_NE(status["last_error"].get<std::string>().find(dead), std::string::npos) << status;
}

}  // namespace
}  // namespace live_origin::test
