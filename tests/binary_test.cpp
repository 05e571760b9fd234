// The live-origin binary started as a user would start it.

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;

const std::string shipped_config = LIVE_ORIGIN_SOURCE_DIR "/config/origin.toml";

std::vector<std::string> free_port_args(const temp_dir& dir) {
  return {"--config",    shipped_config, "--delivery",  "127.0.0.1:0", "--ingest",
          "127.0.0.1:0", "--admin",      "127.0.0.1:0", "--data-dir",  (dir.path() / "data").string()};
}

TEST(Binary, HelpListsTheFlags) {
  temp_dir dir;
  child_process help(LIVE_ORIGIN_BINARY, {"--help"}, dir);
  EXPECT_EQ(help.wait_exit(), 0);
  EXPECT_NE(help.stdout_text().find("--check-config"), std::string::npos);
  child_process version(LIVE_ORIGIN_BINARY, {"--version"}, dir);
  EXPECT_EQ(version.wait_exit(), 0);
}

TEST(Binary, CheckConfigAcceptsTheShippedConfig) {
  temp_dir dir;
  child_process check(LIVE_ORIGIN_BINARY, {"--config", shipped_config, "--check-config"}, dir);
  EXPECT_EQ(check.wait_exit(), 0);
  EXPECT_NE(check.stdout_text().find("valid"), std::string::npos);
}

TEST(Binary, CheckConfigNamesTheBadKey) {
  temp_dir dir;
  auto path = dir.path() / "bad.toml";
  std::ofstream(path) << "[delivery]\nthreads = 0\n";
  child_process check(LIVE_ORIGIN_BINARY, {"--config", path.string(), "--check-config"}, dir);
  EXPECT_NE(check.wait_exit(), 0);
  EXPECT_NE(check.stderr_text().find("delivery.threads"), std::string::npos) << check.stderr_text();
}

TEST(Binary, BadFlagExitsNonZeroNamingIt) {
  temp_dir dir;
  child_process bad(LIVE_ORIGIN_BINARY, {"--frobnicate"}, dir);
  EXPECT_NE(bad.wait_exit(), 0);
  EXPECT_NE(bad.stderr_text().find("--frobnicate"), std::string::npos);
  child_process bad_address(LIVE_ORIGIN_BINARY, {"--config", shipped_config, "--ingest", "nowhere", "--check-config"},
                            dir);
  EXPECT_NE(bad_address.wait_exit(), 0);
  EXPECT_NE(bad_address.stderr_text().find("--ingest"), std::string::npos);
}

TEST(Binary, AddressInUseFailsStartWithAMessage) {
  temp_dir dir;
  net::io_context io;
  tcp::acceptor taken(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  auto args = free_port_args(dir);
  args[5] = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());  // --ingest
  child_process origin(LIVE_ORIGIN_BINARY, args, dir);
  EXPECT_EQ(origin.wait_exit(), 1);
  EXPECT_NE(origin.stderr_text().find("ingest listener"), std::string::npos) << origin.stderr_text();
}

TEST(Binary, ServesAndStopsCleanlyOnSigterm) {
  temp_dir dir;
  child_process origin(LIVE_ORIGIN_BINARY, free_port_args(dir), dir);
  auto endpoints = origin.wait_ready();
  ASSERT_TRUE(endpoints) << origin.stderr_text();
  auto [delivery, ingest, admin] = *endpoints;
  EXPECT_EQ(fetch(admin, bhttp::verb::get, "/readyz").status, 200);
  EXPECT_EQ(fetch(ingest, bhttp::verb::put, "/demo/live1/seg-1.m4s", "segment").status, 201);
  EXPECT_EQ(fetch(delivery, bhttp::verb::get, "/demo/live1/seg-1.m4s").body, "segment");
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "data"));
  origin.signal(SIGTERM);
  EXPECT_EQ(origin.wait_exit(), 0);
  // One access-log line per request: listener, method, path, status, bytes, microseconds.
  EXPECT_TRUE(std::regex_search(origin.stdout_text(), std::regex(R"(ingest PUT /demo/live1/seg-1\.m4s 201 0 \d+)")))
      << origin.stdout_text();
  EXPECT_TRUE(std::regex_search(origin.stdout_text(), std::regex(R"(delivery GET /demo/live1/seg-1\.m4s 200 7 \d+)")));
}

TEST(Binary, SigintFinishesTheInFlightUploadThenExitsZero) {
  temp_dir dir;
  child_process origin(LIVE_ORIGIN_BINARY, free_port_args(dir), dir);
  auto endpoints = origin.wait_ready();
  ASSERT_TRUE(endpoints) << origin.stderr_text();
  auto [delivery, ingest, admin] = *endpoints;
  http_connection upload(ingest);
  upload.write_raw("POST /demo/live1/open.m4s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nopen\r\n");
  std::this_thread::sleep_for(100ms);  // let the request reach the body phase (not a readiness wait)
  origin.signal(SIGINT);
  std::this_thread::sleep_for(100ms);  // the signal is being handled while the upload is still open
  upload.write_raw("0\r\n\r\n");
  EXPECT_EQ(upload.receive().status, 201);
  EXPECT_EQ(origin.wait_exit(), 0);
  EXPECT_NE(origin.stderr_text().find("received SIGINT"), std::string::npos);
}

TEST(Binary, SighupReloadsTenantsAndABadFileChangesNothing) {
  temp_dir dir;
  auto config = dir.path() / "origin.toml";
  std::ofstream(config) << "[tenants.demo]\n";
  auto args = free_port_args(dir);
  args[1] = config.string();
  child_process origin(LIVE_ORIGIN_BINARY, args, dir);
  auto endpoints = origin.wait_ready();
  ASSERT_TRUE(endpoints) << origin.stderr_text();
  auto [delivery, ingest, admin] = *endpoints;
  ASSERT_EQ(fetch(ingest, bhttp::verb::put, "/late/live1/stream.m3u8", "#EXTM3U\n").status, 404);
  ASSERT_EQ(fetch(ingest, bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n").status, 201);

  std::ofstream(config) << "[tenants.demo]\n[tenants.late]\n";
  origin.signal(SIGHUP);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  unsigned status = 0;
  while (status != 201 && std::chrono::steady_clock::now() < deadline) {
    status = fetch(ingest, bhttp::verb::put, "/late/live1/stream.m3u8", "#EXTM3U\n").status;
    if (status != 201) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(status, 201u) << origin.stderr_text();
  EXPECT_EQ(fetch(delivery, bhttp::verb::get, "/demo/live1/stream.m3u8").status, 200) << "streams stay";

  std::ofstream(config) << "[tenants.demo]\nmax_streams = -1\n";  // broken: the running config stays
  origin.signal(SIGHUP);
  deadline = std::chrono::steady_clock::now() + 5s;
  while (origin.stderr_text().find("reload refused") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(10ms);
  EXPECT_NE(origin.stderr_text().find("tenants.demo.max_streams"), std::string::npos) << origin.stderr_text();
  EXPECT_EQ(fetch(ingest, bhttp::verb::put, "/late/live1/other.m3u8", "#EXTM3U\n").status, 201);
  origin.signal(SIGTERM);
  EXPECT_EQ(origin.wait_exit(), 0);
}

// Durability: a writer publishes continuously; the process is killed with SIGKILL at random moments and
// restarted on the same data directory. Every segment that got a 2xx is served afterwards with identical
// bytes; nothing that got an error (or no answer) is served as if complete.
// Two pipelines: b's bytes land first and a reader is served them, then a's (which selection would prefer)
// arrive. Whenever the process is killed, every acknowledged segment is served afterwards, and every segment
// a reader got is served with exactly those bytes (b's), never a's.
TEST(Binary, KillNineLosesNoAcknowledgedSegment) {
  temp_dir dir;
  std::mt19937 random(20261126);
  std::map<std::string, std::set<std::string>> acknowledged;  // path -> the bytes each pipeline got a 2xx for
  std::map<std::string, std::set<std::string>> sent;          // path -> every body sent for it
  std::map<std::string, std::string> served;                  // path -> what a reader got
  int next = 0;
  for (int round = 0; round < 3; ++round) {
    child_process origin(LIVE_ORIGIN_BINARY, free_port_args(dir), dir);
    auto endpoints = origin.wait_ready();
    ASSERT_TRUE(endpoints) << origin.stderr_text();
    auto [delivery, ingest, admin] = *endpoints;
    // Everything acknowledged before this start is still there, and what readers got is what they get again.
    for (const auto& [path, bodies] : acknowledged) {
      auto reply = fetch(delivery, bhttp::verb::get, path);
      // On failure the restarted origin's log (recovery lines first) says what it found in the store.
      ASSERT_EQ(reply.status, 200) << path << " (round " << round << ")\n" << origin.stderr_text().substr(0, 6000);
      if (served.count(path)) {
        ASSERT_EQ(reply.body, served[path]) << path << ": not the bytes a reader got";
      } else {
        ASSERT_TRUE(bodies.count(reply.body)) << path << ": not an acknowledged body";
      }
    }
    for (const auto& [path, bodies] : sent) {  // stored whole before the kill, or not at all
      auto reply = fetch(delivery, bhttp::verb::get, path);
      if (reply.status != 200) continue;
      EXPECT_TRUE(bodies.count(reply.body)) << path << ": a write served partly";
    }
    std::atomic<bool> stop{false};
    std::thread writer([&, ingest = ingest, delivery = delivery] {
      while (!stop) {
        auto path = "/demo/live1/seg-" + std::to_string(next++) + ".m4s";
        auto b = std::string(300'000, static_cast<char>('a' + next % 26));
        auto a = "A" + b.substr(1);
        try {
          sent[path].insert(b);
          if (fetch(ingest, bhttp::verb::put, path, b, {{"X-Origin-Pipeline", "b"}}).status != 201) continue;
          acknowledged[path].insert(b);
          auto reply = fetch(delivery, bhttp::verb::get, path);
          if (reply.status == 200) served[path] = reply.body;
          sent[path].insert(a);
          if (fetch(ingest, bhttp::verb::put, path, a, {{"X-Origin-Pipeline", "a"}}).status == 201)
            acknowledged[path].insert(a);
        } catch (const std::exception&) {
          return;  // killed mid-request
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + random() % 400));  // a random moment
    origin.signal(SIGKILL);
    stop = true;
    writer.join();
    origin.wait_exit();
  }
  EXPECT_GT(served.size(), 10u) << "the writer got little done: the drill proves little";
  std::cout << "kill -9 drill: " << acknowledged.size() << " segments of 300 kB acknowledged, " << served.size()
            << " of them served before a kill, all served the same after 3 kills\n";
}

}  // namespace
}  // namespace live_origin::test
