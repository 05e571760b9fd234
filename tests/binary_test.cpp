// The live-origin binary started as a user would start it.

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "support/http_client.hpp"
#include "support/running_origin.hpp"

extern char** environ;

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The binary as a child process, its stdout and stderr captured in files.
class child_process {
 public:
  child_process(std::vector<std::string> args, const temp_dir& dir) : out_(dir.path() / "stdout"), err_(dir.path() / "stderr") {
    args.insert(args.begin(), LIVE_ORIGIN_BINARY);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = posix_spawn(&pid_, LIVE_ORIGIN_BINARY, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " LIVE_ORIGIN_BINARY);
  }

  ~child_process() {
    if (pid_ > 0 && !exit_code_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Waits for the exit with a deadline; nullopt if it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline = 20s) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!exit_code_ && std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    return exit_code_;
  }

  // Polls stderr for the start-up line and returns the three endpoints it names.
  std::optional<std::array<tcp::endpoint, 3>> wait_ready(std::chrono::milliseconds deadline = 20s) {
    static const std::regex ready(R"(ready: delivery=([0-9.]+):(\d+) ingest=([0-9.]+):(\d+) admin=([0-9.]+):(\d+))");
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      std::smatch match;
      auto text = stderr_text();
      if (std::regex_search(text, match, ready)) {
        auto at = [&](int i) {
          return tcp::endpoint(net::ip::make_address(match[i].str()), static_cast<unsigned short>(std::stoi(match[i + 1])));
        };
        return std::array<tcp::endpoint, 3>{at(1), at(3), at(5)};
      }
      if (wait_exit(0ms)) return std::nullopt;
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  void signal(int number) { kill(pid_, number); }
  std::string stdout_text() const { return read_file(out_); }
  std::string stderr_text() const { return read_file(err_); }

 private:
  std::filesystem::path out_;
  std::filesystem::path err_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

const std::string shipped_config = LIVE_ORIGIN_SOURCE_DIR "/config/origin.toml";

std::vector<std::string> free_port_args(const temp_dir& dir) {
  return {"--config", shipped_config, "--delivery", "127.0.0.1:0", "--ingest", "127.0.0.1:0", "--admin", "127.0.0.1:0",
          "--data-dir", (dir.path() / "data").string()};
}

TEST(Binary, HelpListsTheFlags) {
  temp_dir dir;
  child_process help({"--help"}, dir);
  EXPECT_EQ(help.wait_exit(), 0);
  EXPECT_NE(help.stdout_text().find("--check-config"), std::string::npos);
  child_process version({"--version"}, dir);
  EXPECT_EQ(version.wait_exit(), 0);
}

TEST(Binary, CheckConfigAcceptsTheShippedConfig) {
  temp_dir dir;
  child_process check({"--config", shipped_config, "--check-config"}, dir);
  EXPECT_EQ(check.wait_exit(), 0);
  EXPECT_NE(check.stdout_text().find("valid"), std::string::npos);
}

TEST(Binary, CheckConfigNamesTheBadKey) {
  temp_dir dir;
  auto path = dir.path() / "bad.toml";
  std::ofstream(path) << "[delivery]\nthreads = 0\n";
  child_process check({"--config", path.string(), "--check-config"}, dir);
  EXPECT_NE(check.wait_exit(), 0);
  EXPECT_NE(check.stderr_text().find("delivery.threads"), std::string::npos) << check.stderr_text();
}

TEST(Binary, BadFlagExitsNonZeroNamingIt) {
  temp_dir dir;
  child_process bad({"--frobnicate"}, dir);
  EXPECT_NE(bad.wait_exit(), 0);
  EXPECT_NE(bad.stderr_text().find("--frobnicate"), std::string::npos);
  child_process bad_address({"--config", shipped_config, "--ingest", "nowhere", "--check-config"}, dir);
  EXPECT_NE(bad_address.wait_exit(), 0);
  EXPECT_NE(bad_address.stderr_text().find("--ingest"), std::string::npos);
}

TEST(Binary, AddressInUseFailsStartWithAMessage) {
  temp_dir dir;
  net::io_context io;
  tcp::acceptor taken(io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  auto args = free_port_args(dir);
  args[5] = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());  // --ingest
  child_process origin(args, dir);
  EXPECT_EQ(origin.wait_exit(), 1);
  EXPECT_NE(origin.stderr_text().find("ingest listener"), std::string::npos) << origin.stderr_text();
}

TEST(Binary, ServesAndStopsCleanlyOnSigterm) {
  temp_dir dir;
  child_process origin(free_port_args(dir), dir);
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
  child_process origin(free_port_args(dir), dir);
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

}  // namespace
}  // namespace live_origin::test
