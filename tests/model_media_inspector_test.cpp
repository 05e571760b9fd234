#include <gtest/gtest.h>

#include "model/media_inspector.hpp"
#include "support/media_builders.hpp"

namespace live_origin::model {
namespace {

using test::bytes;
using test::cat;
using test::fragment;
using test::repeat;

const naming_rules ffmpeg_names;
const inspection_settings all_checks;

bytes av_init_bytes() {
  return test::init_segment_bytes(
      {{.track_id = 1, .timescale = 12800, .handler = "vide"}, {.track_id = 2, .timescale = 48000, .handler = "soun"}});
}

// Segment n of a clean 25 fps video + 48 kHz audio representation, starting at `offset` ticks of video.
bytes segment(std::uint64_t n, std::uint64_t video_offset = 0) {
  return cat({test::styp_box({"msdh", "msix"}),
              fragment(static_cast<std::uint32_t>(n + 1),
                       {{.track_id = 1, .decode_time = n * 25600 + video_offset, .durations = repeat(50, 512)},
                        {.track_id = 2, .decode_time = n * 96256, .durations = repeat(94, 1024)}})});
}

inspection store_segment(media_inspector& inspector, std::size_t pipeline, std::uint64_t n, const bytes& body) {
  auto name = "chunk-stream0-" + std::to_string(n) + ".m4s";
  return inspector.segment_stored(pipeline, name, classify_object(name, ffmpeg_names), body, 2000, all_checks);
}

TEST(MediaInspector, JudgesSegmentsAgainstTheirPipelinesInitSegment) {
  media_inspector inspector(2);
  EXPECT_EQ(inspector.init_stored(0, "init-stream0.m4s", av_init_bytes(), all_checks).defects, defects::none);
  EXPECT_EQ(inspector.inits_kept(), 1u);
  // An audio track the init declares, absent from pipeline a's segment: short. Pipeline b has no init
  // yet, so it cannot know the track is missing.
  auto video_only =
      cat({test::styp_box({"msdh"}), fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(50, 512)}})});
  EXPECT_EQ(store_segment(inspector, 0, 0, video_only).defects, defects::short_segment);
  EXPECT_EQ(store_segment(inspector, 1, 0, video_only).defects, defects::none);
}

TEST(MediaInspector, ATimestampJumpIsADiscontinuityOnlyWhereItHappens) {
  media_inspector inspector(1);
  inspector.init_stored(0, "init-stream0.m4s", av_init_bytes(), all_checks);
  EXPECT_EQ(store_segment(inspector, 0, 5, segment(5)).defects, defects::none);
  EXPECT_EQ(store_segment(inspector, 0, 6, segment(6, 12800)).defects, defects::discontinuity);
  // Segment 7 continues from where the jumped 6 ended: clean again.
  EXPECT_EQ(store_segment(inspector, 0, 7, segment(7, 12800)).defects, defects::none);
  // After a missing segment (8), 9 is not compared with 7's end.
  EXPECT_EQ(store_segment(inspector, 0, 9, segment(9)).defects, defects::none);
  EXPECT_EQ(inspector.positions_kept(), 1u);
}

TEST(MediaInspector, AnOlderSegmentUploadedAgainDoesNotMoveTheRepresentationBack) {
  media_inspector inspector(1);
  inspector.init_stored(0, "init-stream0.m4s", av_init_bytes(), all_checks);
  store_segment(inspector, 0, 5, segment(5));
  store_segment(inspector, 0, 6, segment(6));
  store_segment(inspector, 0, 5, segment(5));
  EXPECT_EQ(store_segment(inspector, 0, 7, segment(7)).defects, defects::none);
}

TEST(MediaInspector, ACorruptInitIsReportedAndNotUsed) {
  media_inspector inspector(1);
  auto init = av_init_bytes();
  init.resize(init.size() - 30);  // moov overruns the bytes
  auto verdict = inspector.init_stored(0, "init-stream0.m4s", init, all_checks);
  EXPECT_EQ(verdict.defects, defects::corrupt);
  ASSERT_EQ(verdict.findings.size(), 1u);
  EXPECT_NE(verdict.findings[0].description.find("init segment"), std::string::npos);
  EXPECT_EQ(inspector.inits_kept(), 0u);
  auto off = all_checks;
  off.checks.corruption = false;
  EXPECT_EQ(inspector.init_stored(0, "init-stream0.m4s", init, off).defects, defects::none);
}

TEST(MediaInspector, BytesItDoesNotRecogniseAreNeitherJudgedNorRemembered) {
  media_inspector inspector(1);
  bytes random{'n', 'o', 't', ' ', 'm', 'e', 'd', 'i', 'a', 0, 1, 2, 3};
  EXPECT_EQ(inspector.init_stored(0, "init-stream0.m4s", random, all_checks).format, media_format::unknown);
  auto verdict = store_segment(inspector, 0, 1, random);
  EXPECT_EQ(verdict.format, media_format::unknown);
  EXPECT_EQ(verdict.defects, defects::none);
  EXPECT_EQ(inspector.inits_kept() + inspector.positions_kept(), 0u);
}

TEST(MediaInspector, AnInitSegmentOfAnotherNameIsUsedWhenItIsTheOnlyOneInTheFolder) {
  media_inspector inspector(1);
  inspector.init_stored(0, "video/init_0.mp4", av_init_bytes(), all_checks);
  auto video_only =
      cat({test::styp_box({"msdh"}), fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(50, 512)}})});
  auto name = std::string("video/part_1.m4s");
  EXPECT_EQ(
      inspector.segment_stored(0, name, classify_object(name, ffmpeg_names), video_only, 2000, all_checks).defects,
      defects::short_segment);
  inspector.init_stored(0, "video/init_1.mp4", av_init_bytes(), all_checks);  // two: which one is unknown
  EXPECT_EQ(
      inspector.segment_stored(0, name, classify_object(name, ffmpeg_names), video_only, 2000, all_checks).defects,
      defects::none);
}

TEST(MediaInspector, ChecksAreNamedInConfigAsInTheDefectHeader) {
  auto checks = parse_inspection_checks({"short", "slate"});
  ASSERT_TRUE(checks);
  EXPECT_TRUE(checks->short_samples);
  EXPECT_FALSE(checks->discontinuity);
  EXPECT_FALSE(checks->corruption);
  EXPECT_TRUE(checks->slate);
  EXPECT_EQ(inspection_check_names(*checks), (std::vector<std::string>{"short", "slate"}));
  EXPECT_FALSE(parse_inspection_checks({"short", "frozen"}));
  EXPECT_EQ(inspection_check_names(*parse_inspection_checks({})), std::vector<std::string>{});
}

}  // namespace
}  // namespace live_origin::model
