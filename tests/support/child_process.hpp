#pragma once

// A program started as a child process for a test, its stdout and stderr captured in files.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/http_client.hpp"
#include "support/running_origin.hpp"

extern char** environ;

namespace live_origin::test {

// A program's path as the shell would find it on PATH.
inline std::optional<std::string> find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path ? path : "/usr/bin:/bin");
  for (std::string folder; std::getline(folders, folder, ':');) {
    auto candidate = std::filesystem::path(folder) / name;
    if (!folder.empty() && access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The binary as a child process, its stdout and stderr captured in files.
class child_process {
 public:
  child_process(const std::string& program, std::vector<std::string> args, const temp_dir& dir)
      : out_(dir.path() / (std::filesystem::path(program).filename().string() + ".stdout")),
        err_(dir.path() / (std::filesystem::path(program).filename().string() + ".stderr")) {
    args.insert(args.begin(), program);
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + program);
  }

  ~child_process() {
    if (pid_ > 0 && !exit_code_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // Waits for the exit with a deadline; nullopt if it is still running.
  std::optional<int> wait_exit(std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    auto until = std::chrono::steady_clock::now() + deadline;
    while (!exit_code_ && std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return exit_code_;
  }

  // Polls stderr for the start-up line and returns the three endpoints it names.
  std::optional<std::array<tcp::endpoint, 3>> wait_ready(
      std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    static const std::regex ready(R"(ready: delivery=([0-9.]+):(\d+) ingest=([0-9.]+):(\d+) admin=([0-9.]+):(\d+))");
    auto until = std::chrono::steady_clock::now() + deadline;
    while (std::chrono::steady_clock::now() < until) {
      std::smatch match;
      auto text = stderr_text();
      if (std::regex_search(text, match, ready)) {
        auto at = [&](int i) {
          return tcp::endpoint(net::ip::make_address(match[i].str()),
                               static_cast<unsigned short>(std::stoi(match[i + 1])));
        };
        return std::array<tcp::endpoint, 3>{at(1), at(3), at(5)};
      }
      if (wait_exit(std::chrono::milliseconds(0))) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
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

}  // namespace live_origin::test
