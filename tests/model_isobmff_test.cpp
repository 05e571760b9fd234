#include <gtest/gtest.h>

#include <random>

#include "model/isobmff.hpp"
#include "support/media_builders.hpp"

namespace live_origin::model {
namespace {

using test::bytes;
using test::cat;
using test::fragment;
using test::repeat;

const init_segment av_init{{{1, 12800, make_fourcc("vide"), 0, 0}, {2, 48000, make_fourcc("soun"), 1024, 0}}};

// A segment as ffmpeg's DASH muxer writes it: styp, sidx, one moof + mdat of 50 frames at 25 fps.
bytes ffmpeg_like_segment() {
  return cat({test::styp_box({"msdh", "msdh", "msix"}), test::box("sidx", bytes(44, 0)),
              fragment(1, {{.track_id = 1, .decode_time = 25600, .durations = repeat(50, 512)}})});
}

// Fed in pieces cut at `cuts` (offsets into the bytes), then finished.
fragment_summary in_pieces(const bytes& segment, const std::vector<std::size_t>& cuts, const init_segment* init) {
  return test::feed_in_pieces(fragment_parser(init), segment, cuts);
}

TEST(IsobmffInit, ReadsEachTracksIdTimescaleHandlerAndTrexDefaults) {
  auto parsed = parse_init_segment(test::init_segment_bytes(
      {{.track_id = 1, .timescale = 12800, .handler = "vide"},
       {.track_id = 2, .timescale = 48000, .handler = "soun", .trex_duration = 1024, .trex_size = 7}}));
  ASSERT_EQ(parsed.status, parse_status::ok) << parsed.problem;
  ASSERT_EQ(parsed.init.tracks.size(), 2u);
  EXPECT_EQ(parsed.init.tracks[0], (track_info{1, 12800, make_fourcc("vide"), 0, 0}));
  EXPECT_EQ(parsed.init.tracks[1], (track_info{2, 48000, make_fourcc("soun"), 1024, 7}));
  EXPECT_EQ(parsed.init.find(2)->timescale, 48000u);
  EXPECT_EQ(parsed.init.find(3), nullptr);
}

TEST(IsobmffInit, BrokenStructureIsCorruptWithAReason) {
  auto good = test::init_segment_bytes({{}});
  auto truncated = parse_init_segment(std::span(good).first(good.size() - 1));
  EXPECT_EQ(truncated.status, parse_status::corrupt);
  EXPECT_TRUE(truncated.init.tracks.empty());

  auto no_moov = parse_init_segment(test::box("ftyp", test::text("iso5\0\0\0\0")));
  EXPECT_EQ(no_moov.status, parse_status::corrupt);
  EXPECT_EQ(no_moov.problem, "no moov box");

  auto zero_timescale = parse_init_segment(test::init_segment_bytes({{.timescale = 0}}));
  EXPECT_EQ(zero_timescale.status, parse_status::corrupt);
  EXPECT_EQ(zero_timescale.problem, "track 1 has timescale 0");

  auto twice = parse_init_segment(test::init_segment_bytes({{.track_id = 1}, {.track_id = 1}}));
  EXPECT_EQ(twice.status, parse_status::corrupt);
}

TEST(IsobmffInit, BytesThatAreNotIsobmffGetNoVerdict) {
  EXPECT_EQ(parse_init_segment(test::text("#EXTM3U\n#EXT-X-VERSION:7\n")).status, parse_status::unknown_format);
  EXPECT_EQ(parse_init_segment({}).status, parse_status::unknown_format);
  EXPECT_EQ(parse_init_segment(test::box("abcd", bytes(20, 0))).status, parse_status::unknown_format);
}

TEST(IsobmffInit, DeepNestingIsBoundedWork) {
  const std::uint32_t depth = 100000;
  bytes nested;
  for (std::uint32_t level = 0; level < depth; ++level) {
    test::put(nested, 8 * (depth - level) + 8, 4);
    nested.insert(nested.end(), {'m', 'o', 'o', 'v'});
  }
  nested = cat({nested, test::box("trak", {})});
  auto parsed = parse_init_segment(nested);
  EXPECT_EQ(parsed.status, parse_status::corrupt);
  EXPECT_EQ(parsed.problem, "moov without tracks") << "only moov's own children are read, never deeper copies";
}

TEST(BoxWalker, WalksSiblingsAndStopsAtABoxThatDoesNotFit) {
  auto two = cat({test::box("free", bytes(3, 0)), test::box("skip", {})});
  box_walker walker(two);
  auto first = walker.next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type, make_fourcc("free"));
  EXPECT_EQ(first->payload.size(), 3u);
  EXPECT_EQ(walker.next()->type, make_fourcc("skip"));
  EXPECT_FALSE(walker.next());
  EXPECT_FALSE(walker.failed());

  for (std::uint32_t size : {0u, 7u, 9u, 100u}) {
    auto broken = cat({test::box("free", bytes(1, 0)), test::words({size}), test::text("free")});
    box_walker bad(broken);
    EXPECT_TRUE(bad.next());
    auto last = bad.next();
    if (size == 0) {  // runs to the end of its parent: fits
      EXPECT_TRUE(last);
      EXPECT_FALSE(bad.failed());
    } else {
      EXPECT_FALSE(last) << size;
      EXPECT_TRUE(bad.failed()) << size;
    }
  }
}

TEST(BoxHeader, LargeSizesAndTooSmallSizes) {
  auto large = cat({test::words({1}), test::text("mdat"), test::words({0, 16})});
  auto read = read_box_header(large);
  ASSERT_TRUE(read);
  EXPECT_TRUE(read->valid);
  EXPECT_EQ(read->header.header_bytes, 16u);
  EXPECT_EQ(read->header.size, 16u);
  EXPECT_FALSE(read_box_header(std::span(large).first(12))) << "the 64-bit size is not there yet";

  auto too_small = cat({test::words({1}), test::text("mdat"), test::words({0, 15})});
  EXPECT_FALSE(read_box_header(too_small)->valid);
  EXPECT_FALSE(read_box_header(cat({test::words({7}), test::text("moof")}))->valid);
  EXPECT_FALSE(read_box_header(cat({test::words({0}), test::text("mdat")}))->header.size) << "to the end";
}

TEST(IsobmffSegment, SummarisesAnFfmpegSegment) {
  auto summary = inspect_segment(ffmpeg_like_segment(), &av_init);
  ASSERT_EQ(summary.status, parse_status::ok) << summary.problem;
  EXPECT_FALSE(summary.slate);
  EXPECT_FALSE(summary.last_segment);
  EXPECT_EQ(summary.fragments, 1u);
  EXPECT_EQ(summary.first_sequence_number, 1u);
  ASSERT_EQ(summary.tracks.size(), 1u);
  const auto& video = summary.tracks[0];
  EXPECT_EQ(video.track_id, 1u);
  EXPECT_EQ(video.sample_count, 50u);
  EXPECT_EQ(video.duration, 25600u);
  EXPECT_EQ(video.longest_sample, 512u);
  EXPECT_EQ(video.typical_sample_duration(), 512u);
  EXPECT_EQ(video.bytes, 500u);
  EXPECT_EQ(video.first_decode_time, 25600u);
  EXPECT_EQ(video.end_decode_time, 51200u);
}

TEST(IsobmffSegment, DroppedFramesShowAsOneLongSampleWhileTheSumStays) {
  auto durations = repeat(34, 512);
  durations.insert(durations.begin() + 15, 16 * 512);
  auto summary = inspect_segment(fragment(7, {{.track_id = 1, .decode_time = 0, .durations = durations}}), &av_init);
  const auto& video = summary.tracks.at(0);
  EXPECT_EQ(video.sample_count, 35u);
  EXPECT_EQ(video.duration, 25600u) << "still two seconds";
  EXPECT_EQ(video.longest_sample, 16u * 512);
  EXPECT_EQ(video.typical_sample_duration(), 512u);
}

TEST(IsobmffSegment, DurationsFallBackToTfhdThenTrex) {
  auto from_tfhd = inspect_segment(
      fragment(1, {{.track_id = 2, .durations = repeat(10, 0), .durations_in_trun = false, .tfhd_duration = 960}}),
      &av_init);
  EXPECT_EQ(from_tfhd.tracks.at(0).duration, 9600u);
  auto from_trex =
      inspect_segment(fragment(1, {{.track_id = 2, .durations = repeat(10, 0), .durations_in_trun = false}}), &av_init);
  EXPECT_EQ(from_trex.tracks.at(0).duration, 10240u);
  EXPECT_EQ(from_trex.tracks.at(0).longest_sample, 1024u);
  auto without_init =
      inspect_segment(fragment(1, {{.track_id = 2, .durations = repeat(10, 0), .durations_in_trun = false}}), nullptr);
  EXPECT_EQ(without_init.status, parse_status::ok);
  EXPECT_EQ(without_init.tracks.at(0).duration, 0u) << "no trex to fall back to";
}

TEST(IsobmffSegment, CmafChunksAggregatePerTrack) {
  bytes segment = test::styp_box({"cmfs"});
  for (std::uint32_t chunk = 0; chunk < 4; ++chunk) {
    segment = cat(
        {segment,
         fragment(chunk + 1,
                  {{.track_id = 1, .decode_time = chunk * 6400, .durations = repeat(12, 512)},
                   {.track_id = 2, .decode_time = chunk * 24000, .durations = repeat(24, 1024), .sample_size = 3}})});
  }
  // 12 frames of 512 make 6144, not 6400: each chunk after the first starts 256 ticks after the last ended.
  auto summary = inspect_segment(segment, &av_init);
  ASSERT_EQ(summary.status, parse_status::ok) << summary.problem;
  EXPECT_EQ(summary.fragments, 4u);
  EXPECT_EQ(summary.last_sequence_number, 4u);
  const auto& video = *summary.find(1);
  EXPECT_EQ(video.sample_count, 48u);
  EXPECT_EQ(video.fragments, 4u);
  EXPECT_EQ(video.largest_fragment_gap, 256u);
  EXPECT_EQ(video.first_decode_time, 0u);
  EXPECT_EQ(video.end_decode_time, 3 * 6400u + 6144);
  const auto& audio = *summary.find(2);
  EXPECT_EQ(audio.sample_count, 96u);
  EXPECT_EQ(audio.bytes, 96u * 3);
  EXPECT_EQ(audio.largest_fragment_overlap, 24u * 1024 - 24000) << "24 frames run past the next chunk's start";
}

TEST(IsobmffSegment, BrandsMarkSlateAndLastSegments) {
  auto body = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(50, 512)}});
  EXPECT_TRUE(inspect_segment(cat({test::styp_box({"slat", "cmfs"}), body}), &av_init).slate);
  EXPECT_TRUE(inspect_segment(cat({test::styp_box({"cmfs", "cmfs", "slat"}), body}), &av_init).slate);
  auto last = inspect_segment(cat({test::styp_box({"msdh", "lmsg"}), body}), &av_init);
  EXPECT_TRUE(last.last_segment);
  EXPECT_FALSE(last.slate);
}

TEST(IsobmffSegment, MdatShorterThanItsSamplesIsCorrupt) {
  auto segment = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(50, 512)}}, 1);
  auto summary = inspect_segment(segment, &av_init);
  EXPECT_EQ(summary.status, parse_status::corrupt);
  EXPECT_EQ(summary.problem, "mdat shorter than its samples: 499 bytes, samples up to byte 500");
}

TEST(IsobmffSegment, AMoofWithoutItsMdatIsCorrupt) {
  auto segment = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(5, 512)}});
  auto moof_only = bytes(segment.begin(), segment.end() - 58);  // the mdat: 8 + 50 bytes
  auto summary = inspect_segment(moof_only, &av_init);
  EXPECT_EQ(summary.status, parse_status::corrupt);
  EXPECT_EQ(summary.problem, "moof without an mdat holding its samples");
}

TEST(IsobmffSegment, ATrackTheInitDoesNotDeclareIsCorrupt) {
  auto summary = inspect_segment(fragment(1, {{.track_id = 9, .decode_time = 0, .durations = {512}}}), &av_init);
  EXPECT_EQ(summary.status, parse_status::corrupt);
  EXPECT_EQ(summary.problem, "traf of track 9, which the init segment does not declare");
}

TEST(IsobmffSegment, EveryTruncationInsideABoxIsCorrupt) {
  auto segment = ffmpeg_like_segment();
  const std::size_t after_styp = 24, after_sidx = 76;  // a cut between boxes leaves a shorter, well-formed segment
  for (std::size_t length = 0; length < segment.size(); ++length) {
    auto summary = inspect_segment(std::span(segment).first(length), &av_init);
    if (length < 8)
      EXPECT_EQ(summary.status, parse_status::unknown_format) << length;
    else if (length == after_styp || length == after_sidx)
      EXPECT_EQ(summary.status, parse_status::ok) << length;
    else
      EXPECT_EQ(summary.status, parse_status::corrupt) << length;
  }
  auto cut = inspect_segment(std::span(segment).first(segment.size() - 100), &av_init);
  EXPECT_EQ(cut.problem, "truncated 'mdat' box: 408 of 508 bytes");
}

TEST(IsobmffSegment, HostileSizesAreErrorsNotCrashes) {
  auto body = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(5, 512)}});
  auto styp = test::styp_box({"msdh"});
  auto with_header = [&](std::uint32_t size32, std::optional<std::uint64_t> large, std::string_view type) {
    bytes header = test::words({size32});
    header = cat({header, test::text(type)});
    if (large) test::put(header, *large, 8);
    return inspect_segment(cat({styp, header, body}), &av_init);
  };
  EXPECT_EQ(with_header(3, {}, "free").status, parse_status::corrupt) << "smaller than a header";
  EXPECT_EQ(with_header(1, 15, "free").status, parse_status::corrupt) << "64-bit size smaller than its header";
  auto huge = with_header(1, ~std::uint64_t{0}, "mdat");
  EXPECT_EQ(huge.status, parse_status::corrupt);
  EXPECT_EQ(huge.problem.rfind("truncated 'mdat' box", 0), 0u) << huge.problem;
  EXPECT_EQ(with_header(0xffffffff, {}, "moof").problem,
            "'moof' box of 4294967295 bytes, more than the 16777216 inspected");
  EXPECT_EQ(with_header(0, {}, "moof").problem, "'moof' box without a size (runs to the end)");
  EXPECT_EQ(with_header(1, ~std::uint64_t{0}, "moof").status, parse_status::corrupt);

  // A trun claiming 2^32 - 1 samples with defaults only is summed, not looped over; its data cannot fit.
  auto trun = test::full_box("trun", 0, 0x001, test::words({0xffffffff, 0}));
  auto traf = test::box("traf", cat({test::full_box("tfhd", 0, 0x020008, test::words({1, 512})), trun}));
  auto moof = test::box("moof", cat({test::full_box("mfhd", 0, 0, test::words({1})), traf}));
  auto forged = inspect_segment(cat({moof, test::box("mdat", bytes(10, 0))}), nullptr);
  EXPECT_EQ(forged.status, parse_status::ok) << "no sizes: no sample data to place";
  EXPECT_EQ(forged.tracks.at(0).duration, 0xffffffffull * 512);

  auto sized_trun = test::full_box("trun", 0, 0x201, test::words({0xffffffff, 0, 10}));
  auto short_table = test::box("traf", cat({test::full_box("tfhd", 0, 0x020000, test::words({1})), sized_trun}));
  auto table = inspect_segment(test::box("moof", short_table), nullptr);
  EXPECT_EQ(table.problem, "trun of 4294967295 samples is shorter than its sample table");
}

TEST(IsobmffSegment, SizeZeroMdatRunsToTheEnd) {
  auto segment = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(5, 512)}});
  std::fill_n(segment.end() - 58, 4, 0);  // the mdat's size field
  EXPECT_EQ(inspect_segment(segment, &av_init).status, parse_status::ok);
  segment.pop_back();
  EXPECT_EQ(inspect_segment(segment, &av_init).problem,
            "mdat shorter than its samples: 49 bytes, samples up to byte 50");
}

TEST(IsobmffSegment, BytesThatAreNotIsobmffGetNoVerdict) {
  std::mt19937 random(7);
  for (int round = 0; round < 2000; ++round) {
    bytes noise(1 + random() % 600);
    for (auto& byte : noise) byte = static_cast<std::uint8_t>(random());
    EXPECT_EQ(inspect_segment(noise, &av_init).status, parse_status::unknown_format) << round;
  }
  EXPECT_EQ(inspect_segment(test::text("<?xml version=\"1.0\"?><MPD/>"), &av_init).status,
            parse_status::unknown_format);
  EXPECT_EQ(inspect_segment(cat({test::words({4}), test::text("moof")}), &av_init).status, parse_status::unknown_format)
      << "a known type with an impossible size does not begin ISO BMFF";
}

TEST(IsobmffSegment, FeedingInAnyPiecesGivesTheOneShotResult) {
  bytes segment = test::styp_box({"msdh", "msdh", "msix"});
  for (std::uint32_t chunk = 0; chunk < 3; ++chunk)
    segment = cat(
        {segment, fragment(chunk + 1, {{.track_id = 1, .decode_time = chunk * 6144, .durations = repeat(12, 512)}})});
  const auto whole = inspect_segment(segment, &av_init);
  ASSERT_EQ(whole.status, parse_status::ok) << whole.problem;
  for (std::size_t cut = 0; cut <= segment.size(); ++cut) EXPECT_EQ(in_pieces(segment, {cut}, &av_init), whole) << cut;
  std::vector<std::size_t> every_byte(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) every_byte[i] = i;
  EXPECT_EQ(in_pieces(segment, every_byte, &av_init), whole);
  std::mt19937 random(11);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::size_t> cuts;
    for (std::size_t at = random() % 40; at < segment.size(); at += random() % 97) cuts.push_back(at);
    EXPECT_EQ(in_pieces(segment, cuts, &av_init), whole) << round;
  }
  // Broken segments too: the same verdict and problem whatever the pieces.
  auto short_mdat = bytes(segment.begin(), segment.end() - 7);
  auto broken = inspect_segment(short_mdat, &av_init);
  for (std::size_t cut = 0; cut <= short_mdat.size(); cut += 13)
    EXPECT_EQ(in_pieces(short_mdat, {cut}, &av_init), broken) << cut;
}

TEST(IsobmffSegment, TheRunningSummaryGrowsChunkByChunk) {
  auto first = fragment(1, {{.track_id = 1, .decode_time = 0, .durations = repeat(12, 512)}});
  auto second = fragment(2, {{.track_id = 1, .decode_time = 6144, .durations = repeat(12, 512)}});
  fragment_parser parser(&av_init);
  EXPECT_EQ(parser.summary().status, parse_status::unknown_format);
  parser.feed(first);
  EXPECT_EQ(parser.summary().status, parse_status::ok);
  EXPECT_EQ(parser.summary().tracks.at(0).sample_count, 12u);
  parser.feed(std::span(second).first(20));
  EXPECT_EQ(parser.summary().tracks.at(0).sample_count, 12u) << "the second moof is not complete yet";
  parser.feed(std::span(second).subspan(20));
  EXPECT_EQ(parser.finish().tracks.at(0).sample_count, 24u);
}

}  // namespace
}  // namespace live_origin::model
