#pragma once

// Real media for tests, encoded by ffmpeg at test time: a test picture (25 fps, a keyframe every 2 s) and
// a 440 Hz tone (48 kHz AAC), packaged as HLS with fMP4 or TS segments of 2 s. ffmpeg must be installed
// (scripts/test installs it): without it the tests using this fail, they do not skip.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/child_process.hpp"

namespace live_origin::test {

struct segment_file {
  std::filesystem::path path;
  std::optional<std::int64_t> duration_ms;  // from the playlist, when it says
};

class ffmpeg_media {
 public:
  // Encodes into folders under `dir`.
  explicit ffmpeg_media(const temp_dir& dir) : dir_(dir) {
    auto found = find_program("ffmpeg");
    EXPECT_TRUE(found) << "ffmpeg is not installed (scripts/test installs it; apt-get install ffmpeg)";
    ffmpeg_ = found.value_or("ffmpeg");
  }

  // Encodes `seconds` into folder `name`, with `options` between the inputs and the encoders (filters)
  // and `muxer` after them; the folder.
  std::filesystem::path encode(const std::string& name, const std::vector<std::string>& options,
                               const std::vector<std::string>& muxer, const std::string& output, int seconds = 6) {
    auto folder = dir_.path() / name;
    std::filesystem::create_directories(folder);
    std::vector<std::string> args{"-nostdin",
                                  "-loglevel",
                                  "error",
                                  "-t",
                                  std::to_string(seconds),
                                  "-f",
                                  "lavfi",
                                  "-i",
                                  "testsrc=size=160x90:rate=25",
                                  "-t",
                                  std::to_string(seconds),
                                  "-f",
                                  "lavfi",
                                  "-i",
                                  "sine=frequency=440:sample_rate=48000"};
    args.insert(args.end(), options.begin(), options.end());
    for (const auto& arg : video_encoder()) args.push_back(arg);
    for (const auto& arg : {"-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-force_key_frames",
                            "expr:gte(t,n_forced*2)", "-c:a", "aac", "-b:a", "64k", "-threads", "1"})
      args.emplace_back(arg);
    args.insert(args.end(), muxer.begin(), muxer.end());
    args.push_back((folder / output).string());
    child_process run(ffmpeg_, args, dir_);
    auto exit_code = run.wait_exit(std::chrono::seconds(60));
    EXPECT_EQ(exit_code, 0) << run.stderr_text();
    return folder;
  }

  std::filesystem::path hls_fmp4(const std::string& name, const std::vector<std::string>& options = {},
                                 const std::vector<std::string>& extra_muxer = {}, int seconds = 6) {
    std::vector<std::string> muxer{"-f", "hls", "-hls_time", "2", "-hls_list_size", "0", "-hls_segment_type", "fmp4"};
    muxer.insert(muxer.end(), extra_muxer.begin(), extra_muxer.end());
    return encode(name, options, muxer, "index.m3u8", seconds);
  }

  std::filesystem::path hls_ts(const std::string& name, const std::vector<std::string>& options = {},
                               const std::vector<std::string>& extra_muxer = {}, int seconds = 6) {
    std::vector<std::string> muxer{"-f", "hls", "-hls_time", "2", "-hls_list_size", "0"};
    muxer.insert(muxer.end(), extra_muxer.begin(), extra_muxer.end());
    return encode(name, options, muxer, "index.m3u8", seconds);
  }

  // The playlist's segments in order, with their EXTINF durations.
  static std::vector<segment_file> playlist(const std::filesystem::path& folder) {
    std::vector<segment_file> segments;
    std::ifstream in(folder / "index.m3u8");
    std::optional<std::int64_t> duration_ms;
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("#EXTINF:", 0) == 0) duration_ms = std::llround(std::stod(line.substr(8)) * 1000);
      if (!line.empty() && line[0] != '#') segments.push_back({folder / line, std::exchange(duration_ms, {})});
    }
    return segments;
  }

 private:
  std::vector<std::string> video_encoder() {
    if (!x264_) {
      child_process probe(ffmpeg_, {"-hide_banner", "-encoders"}, dir_);
      probe.wait_exit();
      x264_ = probe.stdout_text().find(" libx264 ") != std::string::npos;
    }
    if (*x264_) return {"-c:v", "libx264", "-preset", "ultrafast"};
    return {"-c:v", "mpeg4", "-q:v", "5"};
  }

  const temp_dir& dir_;
  std::string ffmpeg_;
  std::optional<bool> x264_;
};

}  // namespace live_origin::test
