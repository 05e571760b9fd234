#include <gtest/gtest.h>

#include <random>

#include "model/media_inspection.hpp"
#include "support/media_builders.hpp"

namespace live_origin::model {
namespace {

using test::bytes;
using test::cat;
using test::fragment;
using test::repeat;
using test::ts_writer;

const init_segment av_init{{{1, 12800, make_fourcc("vide"), 0, 0}, {2, 48000, make_fourcc("soun"), 0, 0}}};

segment_expectations two_seconds() { return {.duration_ms = 2000}; }

// Segment n (from 0) of a clean 25 fps video + 48 kHz AAC stream: 50 frames of 512, 94 frames of 1024.
bytes clean_fmp4(std::uint64_t n = 0, std::initializer_list<std::string_view> brands = {"msdh", "msdh", "msix"}) {
  return cat(
      {test::styp_box(brands), fragment(static_cast<std::uint32_t>(n + 1),
                                        {{.track_id = 1, .decode_time = n * 25600, .durations = repeat(50, 512)},
                                         {.track_id = 2, .decode_time = n * 96256, .durations = repeat(94, 1024)}})});
}

std::vector<std::string> descriptions(const inspection& verdict) {
  std::vector<std::string> texts;
  for (const auto& found : verdict.findings) texts.push_back(found.description);
  return texts;
}

// Two seconds of TS from `start` (90 kHz): 50 video frames, 6 audio PES of 16 AAC frames.
bytes clean_ts(std::uint64_t start = 126000, std::uint64_t skip_from = 50, std::uint64_t skip_to = 50) {
  ts_writer ts;
  ts.tables();
  for (std::uint64_t frame = 0; frame < 50; ++frame) {
    if (frame < skip_from || frame >= skip_to) ts.pes(test::video_pid, (start + frame * 3600) % ts_time_modulus);
    if (frame % 9 == 0) ts.pes(test::audio_pid, (start + frame / 9 * 30720) % ts_time_modulus, {}, 1);
  }
  return ts.out;
}

TEST(MediaInspection, ACleanSegmentHasNoDefectsAndSaysWhereEachTrackEnded) {
  auto verdict = inspect_media(clean_fmp4(1), &av_init, two_seconds());
  EXPECT_EQ(verdict.format, media_format::isobmff);
  EXPECT_EQ(verdict.defects, defects::none) << ::testing::PrintToString(descriptions(verdict));
  EXPECT_EQ(verdict.track_ends, (std::vector<track_end>{{1, 12800, 51200}, {2, 48000, 192512}}));
}

TEST(MediaInspection, DroppedFramesHideInOneLongSample) {
  auto durations = repeat(34, 512);
  durations.insert(durations.begin() + 20, 16 * 512);
  auto segment = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = durations},
                              {.track_id = 2, .decode_time = 0, .durations = repeat(94, 1024)}});
  auto verdict = inspect_media(segment, &av_init, two_seconds());
  EXPECT_EQ(verdict.defects, defects::short_segment);
  EXPECT_EQ(descriptions(verdict), std::vector<std::string>{"video: 35 of 50 samples, one lasting 0.64 s"});
  auto unexpected = inspect_media(segment, &av_init, {});
  EXPECT_EQ(unexpected.defects, defects::short_segment) << "no expected duration needed: the median tells";
}

TEST(MediaInspection, OneSampleLongerThanTheSegmentIsAGapEvenAlone) {
  // ffmpeg's mp4 muxer gives the last frame before a timestamp jump the whole jump as its duration.
  auto segment = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = {128512}},
                              {.track_id = 2, .decode_time = 0, .durations = {1024, 481024}}});
  auto verdict = inspect_media(segment, &av_init, two_seconds());
  EXPECT_EQ(descriptions(verdict), (std::vector<std::string>{"video: 1 samples, one lasting 10.04 s",
                                                             "audio: 2 of 471 samples, one lasting 10.02 s"}));
}

TEST(MediaInspection, ATrackShortOfTheExpectedDurationIsShort) {
  auto segment = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(35, 512)},
                              {.track_id = 2, .decode_time = 0, .durations = repeat(93, 1024)}});
  auto verdict = inspect_media(segment, &av_init, two_seconds());
  EXPECT_EQ(verdict.defects, defects::short_segment);
  EXPECT_EQ(descriptions(verdict), std::vector<std::string>{"video: 35 of 50 samples, 1.40 s of 2.00 s"})
      << "93 AAC frames (1.984 s) are within the tolerance";
  EXPECT_EQ(inspect_media(segment, &av_init, {.duration_ms = 2000, .tolerance_ms = 10}).findings.size(), 2u);
  auto last = inspect_media(cat({test::styp_box({"msdh", "lmsg"}), segment}), &av_init, two_seconds());
  EXPECT_EQ(last.defects, defects::none) << "the last segment of a stream may be short";
}

TEST(MediaInspection, ATrackOfTheInitSegmentMissingFromTheSegmentIsAbsent) {
  auto segment = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(50, 512)}});
  auto verdict = inspect_media(segment, &av_init, two_seconds());
  EXPECT_EQ(verdict.defects, defects::short_segment);
  EXPECT_EQ(descriptions(verdict), std::vector<std::string>{"audio: absent"});
  EXPECT_EQ(verdict.track_ends.size(), 1u);
}

TEST(MediaInspection, AGapBetweenChunksIsShort) {
  auto segment = cat({fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(25, 512)}}),
                      fragment(2, {{.track_id = 1, .decode_time = 12800 + 6400, .durations = repeat(25, 512)}})});
  const init_segment video_only{{av_init.tracks[0]}};
  auto verdict = inspect_media(segment, &video_only, {});
  EXPECT_EQ(descriptions(verdict), std::vector<std::string>{"video: a gap of 0.50 s between chunks"});
}

TEST(MediaInspection, AStartAwayFromThePreviousEndIsADiscontinuity) {
  auto expected = two_seconds();
  expected.previous_ends = {{1, 12800, 4 * 25600}, {2, 48000, 4 * 96256}};
  auto verdict = inspect_media(clean_fmp4(5), &av_init, expected);
  EXPECT_EQ(verdict.defects, defects::discontinuity);
  EXPECT_EQ(descriptions(verdict), (std::vector<std::string>{"video: starts at 10.000 s, previous ended at 8.000 s",
                                                             "audio: starts at 10.027 s, previous ended at 8.021 s"}));
  expected.previous_ends = {{1, 12800, 5 * 25600 - 512}, {2, 48000, 5 * 96256 + 1024}};
  EXPECT_EQ(inspect_media(clean_fmp4(5), &av_init, expected).defects, defects::none) << "a frame off: tolerated";
}

TEST(MediaInspection, AStartAwayFromTheTimelineIsADiscontinuity) {
  auto verdict = inspect_media(clean_fmp4(5), &av_init, {.duration_ms = 2000, .start_ms = 10000});
  EXPECT_EQ(verdict.defects, defects::none);
  verdict = inspect_media(clean_fmp4(5), &av_init, {.duration_ms = 2000, .start_ms = 14000});
  EXPECT_EQ(verdict.defects, defects::discontinuity);
  EXPECT_EQ(verdict.findings.at(0).description, "video: starts at 10.000 s, the timeline expects 14.000 s");
}

TEST(MediaInspection, SegmentsInARowChainTheirEnds) {
  segment_expectations expected = two_seconds();
  for (std::uint64_t n = 0; n < 5; ++n) {
    auto verdict = inspect_media(clean_fmp4(n), &av_init, expected);
    EXPECT_EQ(verdict.defects, defects::none) << n << ::testing::PrintToString(descriptions(verdict));
    expected.previous_ends = verdict.track_ends;
  }
}

TEST(MediaInspection, BrokenStructureIsCorruptAndSlateIsSlate) {
  auto short_mdat = fragment(1,
                             {{.track_id = 1, .decode_time = 0, .durations = repeat(50, 512)},
                              {.track_id = 2, .decode_time = 0, .durations = repeat(94, 1024)}},
                             1);
  auto corrupt = inspect_media(short_mdat, &av_init, two_seconds());
  EXPECT_TRUE(corrupt.defects & defects::corrupt);
  EXPECT_EQ(corrupt.findings.at(0).description, "mdat shorter than its samples: 1439 bytes, samples up to byte 1440");

  auto slate = inspect_media(clean_fmp4(0, {"cmfs", "cmfs", "slat"}), &av_init, two_seconds());
  EXPECT_EQ(slate.defects, defects::slate);
  EXPECT_EQ(slate.findings.at(0).description, "slate (styp brand slat)");
}

TEST(MediaInspection, EachCheckCanBeSwitchedOff) {
  auto durations = repeat(34, 512);
  durations.insert(durations.begin(), 16 * 512);
  auto segment = cat(
      {test::styp_box({"slat"}), fragment(1, {{.track_id = 1, .decode_time = 25600 * 9, .durations = durations}}, 1)});
  segment_expectations expected{.duration_ms = 2000, .previous_ends = {{1, 12800, 0}}};
  EXPECT_EQ(inspect_media(segment, &av_init, expected).defects,
            defects::corrupt | defects::slate | defects::short_segment | defects::discontinuity);
  expected.checks = {.short_samples = false, .discontinuity = true, .corruption = true, .slate = true};
  EXPECT_EQ(inspect_media(segment, &av_init, expected).defects,
            defects::corrupt | defects::slate | defects::discontinuity);
  expected.checks = {.short_samples = true, .discontinuity = false, .corruption = false, .slate = false};
  EXPECT_EQ(inspect_media(segment, &av_init, expected).defects, defects::short_segment);
  expected.checks = {false, false, false, false};
  EXPECT_EQ(inspect_media(segment, &av_init, expected).defects, defects::none);
}

TEST(MediaInspection, WithoutAnInitSegmentOnlyStructureAndBrandsAreJudged) {
  auto verdict = inspect_media(cat({test::styp_box({"slat"}), fragment(1, {{.track_id = 1, .durations = {512}}})}),
                               nullptr, two_seconds());
  EXPECT_EQ(verdict.format, media_format::isobmff);
  EXPECT_EQ(verdict.defects, defects::slate);
  EXPECT_TRUE(verdict.track_ends.empty());
}

TEST(MediaInspection, ExtremeTimesAreHeldNotWrapped) {
  const init_segment one_tick_a_second{{{1, 1, make_fourcc("vide"), 0, 0}}};
  auto far = fragment(1, {{.track_id = 1, .decode_time = ~std::uint64_t{0} - 10, .durations = {0xffffffff, 1}}});
  auto verdict =
      inspect_media(far, &one_tick_a_second, {.duration_ms = 2000, .start_ms = 1000, .previous_ends = {{1, 1, 0}}});
  EXPECT_EQ(verdict.defects, defects::short_segment | defects::discontinuity);
  EXPECT_EQ(verdict.track_ends, (std::vector<track_end>{{1, 1, ~std::uint64_t{0}}})) << "the end is held too";
}

TEST(MediaInspection, WhatIsNotMediaGetsNoVerdict) {
  for (const auto& text : {"#EXTM3U\n#EXT-X-TARGETDURATION:2\n", "<?xml version=\"1.0\"?><MPD/>", "", "G"}) {
    auto verdict = inspect_media(test::text(text), &av_init, two_seconds());
    EXPECT_EQ(verdict.format, media_format::unknown) << text;
    EXPECT_EQ(verdict.defects, defects::none) << text;
  }
  std::mt19937 random(1);
  for (int round = 0; round < 1000; ++round) {
    bytes noise(random() % 3000);
    for (auto& byte : noise) byte = static_cast<std::uint8_t>(random());
    if (!noise.empty()) noise[0] = static_cast<std::uint8_t>(noise[0] == 0x47 ? 0x46 : noise[0]);
    EXPECT_EQ(inspect_media(noise, &av_init, two_seconds()).defects, defects::none) << round;
  }
}

TEST(MediaInspection, ACleanTsSegmentHasNoDefects) {
  auto verdict = inspect_media(clean_ts(), nullptr, two_seconds());
  EXPECT_EQ(verdict.format, media_format::mpeg_ts);
  EXPECT_EQ(verdict.defects, defects::none) << ::testing::PrintToString(descriptions(verdict));
  EXPECT_EQ(verdict.track_ends,
            (std::vector<track_end>{{256, 90000, 126000 + 50 * 3600}, {257, 90000, 126000 + 6 * 30720}}));
  segment_expectations next = two_seconds();
  next.previous_ends = verdict.track_ends;
  EXPECT_EQ(inspect_media(clean_ts(126000 + 50 * 3600), nullptr, next).defects, defects::none);
}

TEST(MediaInspection, TsTracksMayEndUpToOneStepEarlierThanTheirLastPesSuggests) {
  // ffmpeg flushes a shorter audio PES where it cuts a segment: the next one starts before last + one step.
  segment_expectations next = two_seconds();
  next.previous_ends = {{256, 90000, 126000}, {257, 90000, 126000 + 30720 - 100}};
  EXPECT_EQ(inspect_media(clean_ts(126000), nullptr, next).defects, defects::none);
  next.previous_ends = {{256, 90000, 126000}, {257, 90000, 126000 + 30720 + 9100}};
  EXPECT_EQ(descriptions(inspect_media(clean_ts(126000), nullptr, next)),
            std::vector<std::string>{"audio: starts at 1.400 s, previous ended at 1.842 s"});
  next.previous_ends = {{256, 90000, 126000 + 13500}};
  EXPECT_EQ(inspect_media(clean_ts(126000), nullptr, next).defects, defects::discontinuity)
      << "a video PES is one frame: 150 ms early is more than the tolerance and one 40 ms step";
}

TEST(MediaInspection, TsLostPacketsAreCorrupt) {
  auto segment = clean_ts();
  auto lost =
      cat({bytes(segment.begin(), segment.begin() + 188 * 30), bytes(segment.begin() + 188 * 37, segment.end())});
  auto verdict = inspect_media(lost, nullptr, two_seconds());
  EXPECT_TRUE(verdict.defects & defects::corrupt);
  EXPECT_EQ(verdict.findings.at(0).description, "TS: continuity error on PID 256");
}

TEST(MediaInspection, TsGapsAndShortSpansAreShort) {
  auto gap = inspect_media(clean_ts(126000, 20, 35), nullptr, two_seconds());
  EXPECT_EQ(descriptions(gap), std::vector<std::string>{"video: 35 of 50 PES packets, one lasting 0.64 s"});
  auto cut = inspect_media(clean_ts(126000, 35, 50), nullptr, two_seconds());
  EXPECT_EQ(descriptions(cut), std::vector<std::string>{"video: 35 of 50 PES packets, 1.40 s of 2.00 s"});
}

TEST(MediaInspection, TsTimesAreComparedAcrossThe33BitWrap) {
  auto start = ts_time_modulus - 3600 * 60;  // the next segment wraps 10 frames in
  auto first = inspect_media(clean_ts(start), nullptr, two_seconds());
  EXPECT_EQ(first.defects, defects::none);
  segment_expectations next = two_seconds();
  next.previous_ends = first.track_ends;
  EXPECT_EQ(inspect_media(clean_ts((start + 50 * 3600) % ts_time_modulus), nullptr, next).defects, defects::none);
  auto jumped = inspect_media(clean_ts((start + 60 * 3600) % ts_time_modulus), nullptr, next);
  EXPECT_EQ(jumped.defects, defects::discontinuity);
  EXPECT_EQ(jumped.findings.at(0).description, "video: starts at 0.000 s, previous ended at 95443.318 s");
}

TEST(MediaInspection, FeedingAnUploadInPiecesGivesTheOneShotVerdict) {
  auto expected = two_seconds();
  for (const auto& segment : {clean_fmp4(), clean_ts(), clean_ts(0, 20, 30), test::text("#EXTM3U\n")}) {
    auto whole = inspect_media(segment, &av_init, expected);
    for (std::size_t piece : {1, 7, 188, 189, 1000}) {
      segment_inspector inspector(&av_init);
      for (std::size_t at = 0; at < segment.size(); at += piece)
        inspector.feed(std::span(segment).subspan(at, std::min(piece, segment.size() - at)));
      auto verdict = inspector.finish(expected);
      EXPECT_EQ(verdict.format, whole.format);
      EXPECT_EQ(verdict.defects, whole.defects);
      EXPECT_EQ(descriptions(verdict), descriptions(whole));
      EXPECT_EQ(verdict.track_ends, whole.track_ends);
    }
  }
}

TEST(InitObject, FollowsFfmpegsDashAndHlsNames) {
  EXPECT_EQ(init_object_for("chunk-stream0-00005.m4s"), "init-stream0.m4s");
  EXPECT_EQ(init_object_for("/demo/live/chunk-stream12-5.m4s"), "/demo/live/init-stream12.m4s");
  EXPECT_EQ(init_object_for("video/chunk-stream1-00042.webm"), "video/init-stream1.webm");
  EXPECT_EQ(init_object_for("index5.m4s"), "init.mp4");
  EXPECT_EQ(init_object_for("/demo/hls/seg_5.m4s"), "/demo/hls/init.mp4");
  EXPECT_EQ(init_object_for("stream17.mp4"), "init.mp4");
  EXPECT_EQ(init_object_for("index5.ts"), std::nullopt);
  EXPECT_EQ(init_object_for("chunk-stream0-.m4s"), std::nullopt);
  EXPECT_EQ(init_object_for("manifest.mpd"), std::nullopt);
  EXPECT_EQ(init_object_for("noextension5"), std::nullopt);
}

}  // namespace
}  // namespace live_origin::model
