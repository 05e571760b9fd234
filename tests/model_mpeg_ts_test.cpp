#include <gtest/gtest.h>

#include <random>

#include "model/mpeg_ts.hpp"
#include "support/media_builders.hpp"

namespace live_origin::model {
namespace {

using test::bytes;
using test::cat;

using test::audio_pid;
using test::pmt_pid;
using test::ts_writer;
using test::video_pid;

// Two seconds as ffmpeg's HLS muxer writes them: 50 video frames (3600 ticks), 6 audio PES of 16 AAC
// frames (30720 ticks), starting at 1.4 s.
bytes two_seconds(std::uint64_t start = 126000) {
  ts_writer ts;
  ts.tables();
  for (int frame = 0; frame < 50; ++frame) {
    ts.pes(video_pid, start + frame * 3600);
    if (frame % 9 == 0) ts.pes(audio_pid, start + frame / 9 * 30720, {}, 1);
  }
  return ts.out;
}

ts_summary in_pieces(const bytes& segment, const std::vector<std::size_t>& cuts) {
  return test::feed_in_pieces(ts_parser(), segment, cuts);
}

TEST(MpegTs, SummarisesEachElementaryStreamFromThePmt) {
  auto segment = two_seconds();
  auto summary = inspect_ts_segment(segment);
  ASSERT_EQ(summary.status, parse_status::ok) << summary.problem;
  EXPECT_EQ(summary.packets, segment.size() / 188);
  EXPECT_TRUE(summary.has_pat);
  EXPECT_TRUE(summary.has_pmt);
  ASSERT_EQ(summary.streams.size(), 2u);
  const auto& video = summary.streams[0];
  EXPECT_EQ(video.pid, video_pid);
  EXPECT_EQ(video.stream_type, 0x1b);
  EXPECT_EQ(video.pes_count, 50u);
  EXPECT_EQ(video.first_pts, 126000u);
  EXPECT_EQ(video.last_pts, 126000u + 49 * 3600);
  EXPECT_EQ(video.decode_span, 49u * 3600);
  EXPECT_EQ(video.largest_step, 3600u);
  EXPECT_EQ(video.typical_step(), 3600u);
  EXPECT_EQ(video.largest_step_back, 0u);
  const auto& audio = *summary.find(audio_pid);
  EXPECT_EQ(audio.stream_type, 0x0f);
  EXPECT_EQ(audio.pes_count, 6u);
  EXPECT_EQ(audio.typical_step(), 30720u);
}

TEST(MpegTs, DecodeOrderFollowsDtsWhenPresent) {
  ts_writer ts;
  ts.tables();
  // I P B B: presentation order jumps around, decode order steps by one frame.
  const std::uint64_t pts[] = {7200, 21600, 10800, 14400};
  for (int frame = 0; frame < 4; ++frame) ts.pes(video_pid, pts[frame], 3600 + frame * 3600);
  auto video = inspect_ts_segment(ts.out).streams.at(0);
  EXPECT_EQ(video.largest_step_back, 0u);
  EXPECT_EQ(video.largest_step, 3600u);
  EXPECT_EQ(video.first_decode_time, 3600u);
  EXPECT_EQ(video.last_pts, 14400u);
}

TEST(MpegTs, A33BitWrapIsAStepForward) {
  auto segment = two_seconds(ts_time_modulus - 10 * 3600);
  auto video = inspect_ts_segment(segment).streams.at(0);
  EXPECT_EQ(video.largest_step, 3600u);
  EXPECT_EQ(video.largest_step_back, 0u);
  EXPECT_EQ(video.decode_span, 49u * 3600);
  EXPECT_EQ(video.last_pts, 39u * 3600);
}

TEST(MpegTs, GapsAndStepsBackAreMeasured) {
  ts_writer ts;
  ts.tables();
  for (std::uint64_t frame : {0, 1, 2, 3, 20, 21, 22, 5, 6}) ts.pes(video_pid, 126000 + frame * 3600);
  auto video = inspect_ts_segment(ts.out).streams.at(0);
  EXPECT_EQ(video.largest_step, 17u * 3600);
  EXPECT_EQ(video.typical_step(), 3600u);
  EXPECT_EQ(video.largest_step_back, 17u * 3600);
}

TEST(MpegTs, ALengthNotAMultipleOf188IsATruncation) {
  auto segment = two_seconds();
  segment.erase(segment.end() - 100, segment.end());  // (resize: GCC under ASan fears a wrap-around)
  auto summary = inspect_ts_segment(segment);
  EXPECT_EQ(summary.status, parse_status::corrupt);
  EXPECT_EQ(summary.problem, "TS: truncated: 88 bytes after the last whole packet");
  for (std::size_t length = 1; length < 188 * 4; length += 7) {
    auto cut = inspect_ts_segment(std::span(segment).first(length));
    auto expected = length < 188 ? parse_status::unknown_format : parse_status::corrupt;
    if (length % 188 != 0) {
      EXPECT_EQ(cut.status, expected) << length;
    }
  }
}

TEST(MpegTs, LostPacketsAreContinuityErrors) {
  auto segment = two_seconds();
  auto lost =
      cat({bytes(segment.begin(), segment.begin() + 188 * 10), bytes(segment.begin() + 188 * 13, segment.end())});
  auto summary = inspect_ts_segment(lost);
  EXPECT_EQ(summary.status, parse_status::corrupt);
  EXPECT_EQ(summary.problem, "TS: continuity error on PID 256");
}

TEST(MpegTs, ADuplicatePacketIsAllowedOnceAndReadOnce) {
  auto segment = two_seconds();
  auto packet = bytes(segment.begin() + 188 * 2, segment.begin() + 188 * 3);  // the first video PES start
  auto once =
      cat({bytes(segment.begin(), segment.begin() + 188 * 3), packet, bytes(segment.begin() + 188 * 3, segment.end())});
  auto summary = inspect_ts_segment(once);
  ASSERT_EQ(summary.status, parse_status::ok) << summary.problem;
  EXPECT_EQ(summary.streams.at(0).pes_count, 50u) << "the duplicate is not a second PES";
  auto twice = cat({bytes(segment.begin(), segment.begin() + 188 * 3), packet, packet,
                    bytes(segment.begin() + 188 * 3, segment.end())});
  EXPECT_EQ(inspect_ts_segment(twice).problem, "TS: continuity error on PID 256");
}

TEST(MpegTs, TheDiscontinuityIndicatorResetsTheCounter) {
  ts_writer ts;
  ts.tables();
  ts.pes(video_pid, 0);
  ts.counters[video_pid] = 9;
  ts.packet(video_pid, true, test::pes_start(0xe0, 3600), true);
  EXPECT_EQ(inspect_ts_segment(ts.out).status, parse_status::ok);
  ts.counters[video_pid] = 3;
  ts.packet(video_pid, true, test::pes_start(0xe0, 7200));
  EXPECT_EQ(inspect_ts_segment(ts.out).status, parse_status::corrupt);
}

TEST(MpegTs, PacketsWithoutPayloadAndNullPacketsDoNotCount) {
  ts_writer ts;
  ts.tables();
  ts.pes(video_pid, 0);
  ts.out = cat({ts.out, test::ts_packet({.pid = video_pid, .continuity = 7, .has_payload = false})});
  ts.out = cat({ts.out, test::ts_packet({.pid = 0x1fff, .continuity = 3, .payload = bytes(184, 0xff)})});
  ts.pes(video_pid, 3600);
  EXPECT_EQ(inspect_ts_segment(ts.out).status, parse_status::ok) << inspect_ts_segment(ts.out).problem;
}

TEST(MpegTs, LostSyncIsCorruptButNoSyncAtTheStartIsNotTs) {
  auto segment = two_seconds();
  auto broken = segment;
  broken[188 * 5] = 0x00;
  EXPECT_EQ(inspect_ts_segment(broken).problem, "TS: lost sync at byte 940");
  auto shifted = cat({bytes(1, 0x00), segment});
  EXPECT_EQ(inspect_ts_segment(shifted).status, parse_status::unknown_format);
  auto second_off = segment;
  second_off[188] = 0x48;
  EXPECT_EQ(inspect_ts_segment(second_off).status, parse_status::unknown_format);
  EXPECT_TRUE(inspect_ts_segment(second_off).streams.empty());
}

TEST(MpegTs, BrokenPesHeadersAreCorrupt) {
  ts_writer ts;
  ts.tables();
  auto header = test::pes_start(0xe0, 0, {}, 0);
  header[8] = 200;  // header data length beyond the packet
  ts.packet(video_pid, true, header);
  EXPECT_EQ(inspect_ts_segment(ts.out).problem, "TS: incomplete PES header on PID 256");

  ts_writer no_start;
  no_start.tables();
  no_start.packet(video_pid, true, bytes(50, 0x00));
  EXPECT_EQ(inspect_ts_segment(no_start.out).problem, "TS: PES without a start code on PID 256");

  ts_writer short_pts;
  short_pts.tables();
  auto cut = test::pes_start(0xe0, 0, {}, 0);
  cut[8] = 3;  // PTS flagged, 3 bytes of header data
  short_pts.packet(video_pid, true, cut);
  EXPECT_EQ(inspect_ts_segment(short_pts.out).problem, "TS: incomplete PES header on PID 256");
}

TEST(MpegTs, PatAndPmtMustBePresent) {
  ts_writer no_pat;  // begins with a table (ffmpeg's SDT comes first), but never the PAT
  no_pat.packet(0x11, true, bytes(20, 0xff));
  no_pat.pes(video_pid, 0);
  EXPECT_EQ(inspect_ts_segment(no_pat.out).problem, "TS: no PAT");
  ts_writer media_first;  // not how a TS segment begins: not judged at all
  media_first.pes(video_pid, 0);
  EXPECT_EQ(inspect_ts_segment(media_first.out).status, parse_status::unknown_format);
  ts_writer no_pmt;
  no_pmt.packet(0, true, test::pat_section(pmt_pid));
  no_pmt.pes(video_pid, 0);
  EXPECT_EQ(inspect_ts_segment(no_pmt.out).problem, "TS: no PMT");
}

TEST(MpegTs, APmtSectionSpanningPacketsIsGathered) {
  ts_writer ts;
  ts.packet(0, true, test::pat_section(pmt_pid));
  bytes body;
  test::put(body, 0xe000 | video_pid, 2);
  test::put(body, 0xf000, 2);
  body.push_back(0x1b);
  test::put(body, 0xe000 | video_pid, 2);
  test::put(body, 0xf000 | 300, 2);  // 300 bytes of stream descriptors
  body.insert(body.end(), 300, 0x05);
  body.push_back(0x0f);
  test::put(body, 0xe000 | audio_pid, 2);
  test::put(body, 0xf000, 2);
  auto section = test::psi_section(0x02, 1, body);
  ts.packet(pmt_pid, true, bytes(section.begin(), section.begin() + 184));
  ts.packet(pmt_pid, false, bytes(section.begin() + 184, section.end()));
  ts.pes(audio_pid, 0);
  auto summary = inspect_ts_segment(ts.out);
  ASSERT_EQ(summary.status, parse_status::ok) << summary.problem;
  ASSERT_EQ(summary.streams.size(), 2u);
  EXPECT_EQ(summary.streams[1].pes_count, 1u);
}

TEST(MpegTs, TransportErrorsAreCorrupt) {
  auto segment = two_seconds();
  segment[188 * 4 + 1] |= 0x80;
  EXPECT_EQ(inspect_ts_segment(segment).status, parse_status::corrupt);
}

TEST(MpegTs, RandomBytesAreNotTs) {
  std::mt19937 random(3);
  for (int round = 0; round < 2000; ++round) {
    bytes noise(1 + random() % 2000);
    for (auto& byte : noise) byte = static_cast<std::uint8_t>(random());
    if (noise[0] == 0x47 && noise.size() >= 188 && (noise.size() == 188 || noise[188] == 0x47)) continue;
    EXPECT_EQ(inspect_ts_segment(noise).status, parse_status::unknown_format) << round;
  }
}

TEST(MpegTs, BytesThatOnlyRepeatTheSyncByteAreNotTs) {
  // A test body of 'G's (0x47) has a sync byte every 188 bytes but no PAT: not a TS segment.
  EXPECT_EQ(inspect_ts_segment(bytes(50'000, 'G')).status, parse_status::unknown_format);
  auto segment = two_seconds();
  segment[2] = 0x44;  // the first packet carries no table
  EXPECT_EQ(inspect_ts_segment(segment).status, parse_status::unknown_format);
}

TEST(MpegTs, FeedingInAnyPiecesGivesTheOneShotResult) {
  auto segment = two_seconds();
  const auto whole = inspect_ts_segment(segment);
  for (std::size_t cut = 0; cut <= segment.size(); cut += 5) EXPECT_EQ(in_pieces(segment, {cut}), whole) << cut;
  std::mt19937 random(5);
  for (int round = 0; round < 100; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = random() % 300; at < segment.size(); at += 1 + random() % 500) cuts.push_back(at);
    EXPECT_EQ(in_pieces(segment, cuts), whole) << round;
  }
  auto truncated = bytes(segment.begin(), segment.end() - 77);
  const auto broken = inspect_ts_segment(truncated);
  for (std::size_t cut = 0; cut <= truncated.size(); cut += 31) EXPECT_EQ(in_pieces(truncated, {cut}), broken) << cut;
}

}  // namespace
}  // namespace live_origin::model
