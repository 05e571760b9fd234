// The packager simulator against a real origin: two pipelines with independent defects, a viewer at the
// live edge. The defect pattern is seeded, so what the viewer must see is known exactly.

#include <gtest/gtest.h>

#include <regex>

#include "support/child_process.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

struct sim_result {
  int served = -1, served_with_defects = -1, both_bad = -1, server_errors = -1;
};

sim_result run_simulator(const running_origin& origin, std::vector<std::string> extra) {
  temp_dir dir;
  std::vector<std::string> args{"--ingest",        std::to_string(origin.ingest().port()),
                                "--delivery",      std::to_string(origin.delivery().port()),
                                "--admin",         std::to_string(origin.admin().port()),
                                "--segment-ms",    "100",
                                "--segments",      "40",
                                "--segment-bytes", "2000",
                                "--jitter-ms",     "10"};
  args.insert(args.end(), extra.begin(), extra.end());
  child_process sim(LIVE_ORIGIN_SIM, args, dir);
  auto code = sim.wait_exit(std::chrono::seconds(60));
  EXPECT_EQ(code, 0) << sim.stdout_text() << sim.stderr_text();
  std::smatch match;
  auto out = sim.stdout_text();
  static const std::regex summary(
      R"(served=(\d+) served_with_defects=(\d+) \([0-9.]+%, both pipelines defective or missing: (\d+)\).* 5xx=(\d+))");
  if (!std::regex_search(out, match, summary)) {
    ADD_FAILURE() << "no summary in: " << out;
    return {};
  }
  return {std::stoi(match[1]), std::stoi(match[2]), std::stoi(match[3]), std::stoi(match[4])};
}

running_origin sim_origin() {
  return running_origin([](config::origin_config& c) {
    for (auto& tenant : c.tenants) {
      tenant.profile.policy.retry_budget_ms = 1000;
      tenant.profile.policy.max_hold_ms = 3000;
    }
  });
}

TEST(Simulator, ViewersSeeADefectOnlyWhenBothPipelinesBrokeTheSameSegment) {
  auto origin = sim_origin();
  auto result = run_simulator(origin, {"--defect-rate", "0.3", "--seed", "7", "--stream", "independent"});
  EXPECT_EQ(result.served, 39);
  EXPECT_EQ(result.server_errors, 0);
  EXPECT_EQ(result.served_with_defects, result.both_bad);
  EXPECT_LT(result.both_bad, 12) << "about p^2 = 9% of 39, far below p = 30%";
}

TEST(Simulator, PipelineAStoppingMidRunIsCoveredByB) {
  auto origin = sim_origin();
  auto result = run_simulator(origin, {"--defect-rate", "0", "--stop-a-at", "10", "--restart-a-at", "25", "--seed", "3",
                                       "--stream", "failover"});
  EXPECT_EQ(result.served, 39);
  EXPECT_EQ(result.served_with_defects, 0);
  EXPECT_EQ(result.server_errors, 0);
}

}  // namespace
}  // namespace live_origin::test
