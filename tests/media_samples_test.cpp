// Real segments from ffmpeg, generated at test time, through the media inspection: clean ones get no
// defects, and inputs that fail the way real ones do (frames dropped, a restarted timeline, a truncated
// upload, lost TS packets, a slate) get the defect they deserve. ffmpeg must be installed (scripts/test
// installs it): without it these tests fail, they do not skip.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "model/media_inspection.hpp"
#include "support/ffmpeg_media.hpp"
#include "support/media_builders.hpp"

namespace live_origin::model {
namespace {

namespace fs = std::filesystem;
using test::bytes;

bytes read_bytes(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return bytes(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const fs::path& file, const bytes& content) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
}

using test::segment_file;

class MediaSamples : public ::testing::Test {
 protected:
  fs::path hls_fmp4(const std::string& name, const std::vector<std::string>& options = {},
                    const std::vector<std::string>& extra_muxer = {}, int seconds = 6) {
    return media_.hls_fmp4(name, options, extra_muxer, seconds);
  }
  fs::path hls_ts(const std::string& name, const std::vector<std::string>& options = {},
                  const std::vector<std::string>& extra_muxer = {}, int seconds = 6) {
    return media_.hls_ts(name, options, extra_muxer, seconds);
  }
  static std::vector<segment_file> playlist(const fs::path& folder) { return test::ffmpeg_media::playlist(folder); }

  // A DASH representation's segments in order; the last one may be short, so it has no expected duration.
  static std::vector<segment_file> representation(const fs::path& folder, int id) {
    std::vector<segment_file> segments;
    for (const auto& entry : fs::directory_iterator(folder)) {
      auto name = entry.path().filename().string();
      if (name.rfind("chunk-stream" + std::to_string(id) + "-", 0) == 0) segments.push_back({entry.path(), 2000});
    }
    std::sort(segments.begin(), segments.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
    if (!segments.empty()) segments.back().duration_ms.reset();
    return segments;
  }

  // The init segment init_object_for names, parsed; none for TS.
  static std::optional<init_segment> init_for(const fs::path& segment) {
    auto init_name = init_object_for(segment.string());
    if (!init_name) return std::nullopt;
    auto parsed = parse_init_segment(read_bytes(*init_name));
    EXPECT_EQ(parsed.status, parse_status::ok) << *init_name << ": " << parsed.problem;
    return parsed.init;
  }

  // Every segment in order, each expected to start where the one before ended.
  static std::vector<inspection> inspect_in_order(const std::vector<segment_file>& segments) {
    std::vector<inspection> verdicts;
    std::vector<track_end> previous;
    for (const auto& segment : segments) {
      auto init = init_for(segment.path);
      verdicts.push_back(inspect_media(read_bytes(segment.path), init ? &*init : nullptr,
                                       {.duration_ms = segment.duration_ms, .previous_ends = previous}));
      previous = verdicts.back().track_ends;
    }
    return verdicts;
  }

  static std::string findings(const inspection& verdict) {
    std::string text;
    for (const auto& found : verdict.findings) text += found.description + "; ";
    return text;
  }

  static void expect_clean(const std::vector<segment_file>& segments, media_format format) {
    ASSERT_GE(segments.size(), 3u);
    auto verdicts = inspect_in_order(segments);
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
      EXPECT_EQ(verdicts[i].format, format) << segments[i].path;
      EXPECT_EQ(verdicts[i].defects, defects::none) << segments[i].path << ": " << findings(verdicts[i]);
      EXPECT_FALSE(verdicts[i].track_ends.empty()) << segments[i].path;
    }
  }

  test::temp_dir dir_;
  test::ffmpeg_media media_{dir_};
};

TEST_F(MediaSamples, CleanHlsFmp4SegmentsHaveNoDefects) {
  auto folder = hls_fmp4("clean");
  auto segments = playlist(folder);
  expect_clean(segments, media_format::isobmff);
  EXPECT_EQ(init_object_for(segments.at(0).path.string()), (folder / "init.mp4").string());
  auto init = init_for(segments.at(0).path);
  ASSERT_TRUE(init);
  ASSERT_EQ(init->tracks.size(), 2u);
  EXPECT_EQ(init->tracks[0].handler, make_fourcc("vide"));
  EXPECT_EQ(init->tracks[1].timescale, 48000u);
}

TEST_F(MediaSamples, CleanLowLatencyDashSegmentsHaveNoDefects) {
  auto folder =
      media_.encode("dash", {},
                    {"-f", "dash", "-seg_duration", "2", "-frag_type", "duration", "-frag_duration", "0.5",
                     "-streaming", "1", "-ldash", "1", "-write_prft", "0", "-use_template", "1", "-use_timeline", "0"},
                    "manifest.mpd");
  for (int id : {0, 1}) {
    auto segments = representation(folder, id);
    expect_clean(segments, media_format::isobmff);
    auto init = init_for(segments.at(0).path);
    ASSERT_TRUE(init);
    auto summary = inspect_segment(read_bytes(segments.at(0).path), &*init);
    EXPECT_EQ(summary.fragments, 4u) << "four CMAF chunks of 0.5 s";
  }
}

TEST_F(MediaSamples, CleanHlsTsSegmentsHaveNoDefects) {
  expect_clean(playlist(hls_ts("clean")), media_format::mpeg_ts);
}

TEST_F(MediaSamples, SampleCountsAgreeWithFfprobe) {
  auto ffprobe = test::find_program("ffprobe");
  ASSERT_TRUE(ffprobe) << "ffprobe comes with ffmpeg";
  auto count_packets = [&](const fs::path& file) {
    test::child_process probe(*ffprobe,
                              {"-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                               "stream=nb_read_packets", "-of", "csv=p=0", file.string()},
                              dir_);
    EXPECT_EQ(probe.wait_exit(), 0) << probe.stderr_text();
    return std::stoull(probe.stdout_text());
  };
  auto fmp4 = playlist(hls_fmp4("probe_fmp4")).at(1).path;
  auto init_bytes = read_bytes(fmp4.parent_path() / "init.mp4");
  auto media = read_bytes(fmp4);
  auto joined = dir_.path() / "joined.mp4";
  write_bytes(joined, test::cat({init_bytes, media}));
  auto init = parse_init_segment(init_bytes).init;
  EXPECT_EQ(inspect_segment(media, &init).find(1)->sample_count, count_packets(joined));

  auto ts = playlist(hls_ts("probe_ts")).at(1).path;
  EXPECT_EQ(inspect_ts_segment(read_bytes(ts)).streams.at(0).pes_count, count_packets(ts));
}

TEST_F(MediaSamples, FramesDroppedInsideASegmentAreShort) {
  // ffmpeg drops 0.64 s of frames and keeps the timestamps: one sample (one PTS step) lasts 17 frames.
  std::vector<std::string> drop{"-vf", "select='not(between(t,2.6,3.2))'", "-fps_mode", "passthrough"};
  for (const auto& folder : {hls_fmp4("drop_fmp4", drop), hls_ts("drop_ts", drop)}) {
    auto segments = playlist(folder);
    auto verdicts = inspect_in_order(segments);
    ASSERT_GE(verdicts.size(), 3u);
    EXPECT_EQ(verdicts[0].defects, defects::none) << findings(verdicts[0]);
    EXPECT_EQ(verdicts[1].defects, defects::short_segment) << findings(verdicts[1]);
    EXPECT_EQ(verdicts[1].findings.at(0).description.rfind("video: 34 of 50 ", 0), 0u) << findings(verdicts[1]);
    EXPECT_EQ(verdicts[2].defects, defects::none) << findings(verdicts[2]);
  }
}

TEST_F(MediaSamples, ARestartedTimelineIsADiscontinuity) {
  // A pipeline restarts and its timestamps jump 10 s ahead of where its previous segment ended.
  auto check = [&](const fs::path& before, const fs::path& after) {
    auto last_before = playlist(before).back();
    auto first_after = playlist(after).front();
    auto init = init_for(first_after.path);
    auto ended = inspect_media(read_bytes(last_before.path), init ? &*init : nullptr, {}).track_ends;
    ASSERT_FALSE(ended.empty());
    auto verdict = inspect_media(read_bytes(first_after.path), init ? &*init : nullptr,
                                 {.duration_ms = 2000, .previous_ends = ended});
    EXPECT_EQ(verdict.defects, defects::discontinuity) << findings(verdict);
    auto on_timeline =
        inspect_media(read_bytes(first_after.path), init ? &*init : nullptr, {.duration_ms = 2000, .start_ms = 4000});
    EXPECT_EQ(on_timeline.defects, defects::discontinuity) << findings(on_timeline);
  };
  std::vector<std::string> later{"-output_ts_offset", "10"};
  std::vector<std::string> second_half{"-start_number", "2"};
  check(hls_fmp4("before_fmp4", {}, {}, 4), hls_fmp4("after_fmp4", later, second_half, 4));
  check(hls_ts("before_ts", {}, {}, 4), hls_ts("after_ts", later, second_half, 4));
}

TEST_F(MediaSamples, ATimestampJumpInsideTheStreamIsFound) {
  // The input's timestamps jump 10 s at t = 3: ffmpeg's mp4 muxer gives the last frame before the jump
  // the whole gap as its duration, its TS muxer shows a PTS step.
  std::vector<std::string> jump{"-vf",       "setpts='PTS+if(gte(T,3),10/TB,0)'",
                                "-af",       "asetpts='PTS+if(gte(T,3),10/TB,0)'",
                                "-fps_mode", "passthrough"};
  for (const auto& folder : {hls_fmp4("jump_fmp4", jump), hls_ts("jump_ts", jump)}) {
    auto verdicts = inspect_in_order(playlist(folder));
    auto flagged = std::count_if(verdicts.begin(), verdicts.end(), [](const auto& v) { return v.defects != 0; });
    EXPECT_GE(flagged, 1) << folder;
    EXPECT_EQ(verdicts.at(0).defects, defects::none) << findings(verdicts.at(0));
  }
}

TEST_F(MediaSamples, TruncatedUploadsAreCorrupt) {
  for (const auto& folder : {hls_fmp4("cut_fmp4"), hls_ts("cut_ts")}) {
    auto segment = playlist(folder).at(1);
    auto init = init_for(segment.path);
    auto body = read_bytes(segment.path);
    body.resize(body.size() - 1000);
    auto verdict = inspect_media(body, init ? &*init : nullptr, {.duration_ms = segment.duration_ms});
    EXPECT_TRUE(verdict.defects & defects::corrupt) << findings(verdict);
    EXPECT_TRUE(verdict.findings.at(0).description.find("truncated") != std::string::npos) << findings(verdict);
  }
}

TEST_F(MediaSamples, LostTsPacketsAreCorrupt) {
  auto segment = playlist(hls_ts("lost")).at(1);
  auto body = read_bytes(segment.path);
  body.erase(body.begin() + 188 * 100, body.begin() + 188 * 107);
  auto verdict = inspect_media(body, nullptr, {.duration_ms = segment.duration_ms});
  EXPECT_TRUE(verdict.defects & defects::corrupt) << findings(verdict);
  EXPECT_EQ(verdict.findings.at(0).description.rfind("TS: continuity error on PID ", 0), 0u) << findings(verdict);
}

TEST_F(MediaSamples, ASegmentBrandedSlatIsASlate) {
  auto segment = playlist(hls_fmp4("slate")).at(1);
  auto init = init_for(segment.path);
  auto body = read_bytes(segment.path);
  auto styp = box_walker(body).next();
  ASSERT_TRUE(styp && styp->type == make_fourcc("styp"));
  auto slate = test::cat({test::styp_box({"msdh", "msdh", "msix", "slat"}),
                          bytes(body.begin() + static_cast<std::ptrdiff_t>(styp->payload.size() + 8), body.end())});
  auto verdict = inspect_media(slate, &*init, {.duration_ms = segment.duration_ms});
  EXPECT_EQ(verdict.defects, defects::slate) << findings(verdict);
}

TEST_F(MediaSamples, AnUploadInspectedChunkByChunkGetsTheOneShotVerdict) {
  for (const auto& folder : {hls_fmp4("chunks_fmp4"), hls_ts("chunks_ts")}) {
    auto segment = playlist(folder).at(1);
    auto init = init_for(segment.path);
    auto body = read_bytes(segment.path);
    body.resize(body.size() - 3000);  // broken, so the verdict has something to agree on
    auto whole = inspect_media(body, init ? &*init : nullptr, {.duration_ms = segment.duration_ms});
    segment_inspector inspector(init ? &*init : nullptr);
    for (std::size_t at = 0; at < body.size(); at += 1460)
      inspector.feed(std::span(body).subspan(at, std::min<std::size_t>(1460, body.size() - at)));
    auto chunked = inspector.finish({.duration_ms = segment.duration_ms});
    EXPECT_EQ(chunked.defects, whole.defects);
    EXPECT_EQ(findings(chunked), findings(whole));
    EXPECT_EQ(chunked.track_ends, whole.track_ends);
  }
}

}  // namespace
}  // namespace live_origin::model
