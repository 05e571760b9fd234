// How long the origin's media inspection takes per segment: the segment is inspected at once
// (inspect_media) and fed in 16 KiB pieces as an upload arrives (segment_inspector), RUNS times each,
// after checking that its verdict is clean. Run through bench/inspect, which encodes the segments.
//
// Usage: inspect_bench RUNS SEGMENT [INIT_SEGMENT]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/media_inspection.hpp"

namespace {

using namespace live_origin;
using clock_type = std::chrono::steady_clock;

std::vector<std::uint8_t> read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
  return values[std::min(index, values.size() - 1)];
}

// RUNS timings of `inspect` in microseconds; `sink` keeps the work from being optimised away.
template <typename Inspect>
std::vector<double> time_runs(int runs, std::size_t& sink, Inspect inspect) {
  std::vector<double> micros;
  for (int run = 0; run < runs; ++run) {
    auto start = clock_type::now();
    sink += inspect().track_ends.size();
    micros.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - start).count());
  }
  return micros;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: inspect_bench RUNS SEGMENT [INIT_SEGMENT]\n";
    return 2;
  }
  int runs = std::stoi(argv[1]);
  auto segment = read_file(argv[2]);
  std::optional<model::init_segment> init;
  if (argc == 4) {
    auto parsed = model::parse_init_segment(read_file(argv[3]));
    if (parsed.status != model::parse_status::ok) {
      std::cerr << argv[3] << ": not a usable init segment: " << parsed.problem << "\n";
      return 1;
    }
    init = parsed.init;
  }
  const model::init_segment* with = init ? &*init : nullptr;
  const model::segment_expectations expected{.duration_ms = 2000};

  auto verdict = model::inspect_media(segment, with, expected);
  if (verdict.format == model::media_format::unknown || verdict.defects != model::defects::none ||
      verdict.track_ends.empty()) {
    std::cerr << argv[2] << ": expected a clean segment, got defects '" << model::format_defects(verdict.defects)
              << "'";
    for (const auto& found : verdict.findings) std::cerr << "; " << found.description;
    std::cerr << "\n";
    return 1;
  }

  std::size_t sink = 0;
  auto at_once = time_runs(runs, sink, [&] { return model::inspect_media(segment, with, expected); });
  constexpr std::size_t piece = 16 << 10;
  auto in_pieces = time_runs(runs, sink, [&] {
    model::segment_inspector inspector(with);
    for (std::size_t at = 0; at < segment.size(); at += piece)
      inspector.feed(std::span(segment).subspan(at, std::min(piece, segment.size() - at)));
    return inspector.finish(expected);
  });
  std::printf(
      "%s %.2f MiB, %zu tracks, %d runs: at once p50 %.1f us p99 %.1f us; in 16 KiB pieces p50 %.1f us p99 %.1f us%s\n",
      verdict.format == model::media_format::isobmff ? "fMP4" : "TS", static_cast<double>(segment.size()) / (1 << 20),
      verdict.track_ends.size(), runs, percentile(at_once, 0.5), percentile(at_once, 0.99), percentile(in_pieces, 0.5),
      percentile(in_pieces, 0.99), sink == 0 ? " (nothing inspected)" : "");
  return 0;
}
