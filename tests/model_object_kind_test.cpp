#include <gtest/gtest.h>

#include <string>

#include "model/object_kind.hpp"

namespace live_origin::model {
namespace {

const naming_rules defaults{};

void expect_segment(std::string_view object, std::uint64_t number, std::string_view track,
                    const naming_rules& rules = defaults) {
  auto result = classify_object(object, rules);
  EXPECT_EQ(result.kind, object_kind::media_segment) << object;
  EXPECT_EQ(result.segment_number, number) << object;
  EXPECT_EQ(result.track, track) << object;
}

void expect_kind(std::string_view object, object_kind kind, const naming_rules& rules = defaults) {
  auto result = classify_object(object, rules);
  EXPECT_EQ(result.kind, kind) << object << " was " << to_string(result.kind);
  EXPECT_EQ(result.segment_number, 0u) << object;
  EXPECT_EQ(result.track, "") << object;
}

// --- Media segments: the last run of digits in the file name's stem --------------------------------

TEST(ObjectKind, FfmpegDashChunkIsAMediaSegment) {
  expect_segment("chunk-stream0-00042.m4s", 42, "chunk-stream0-.m4s");
}

TEST(ObjectKind, DigitInTheExtensionIsNeverTheSegmentNumber) {
  // "m4s" ends the name with a digit before the extension's letters; only the stem counts.
  expect_segment("chunk-stream1-00007.m4s", 7, "chunk-stream1-.m4s");
  expect_segment("seg5.mp4", 5, "seg.mp4");
}

TEST(ObjectKind, FfmpegHlsTsSegmentIsAMediaSegment) { expect_segment("stream42.ts", 42, "stream.ts"); }

TEST(ObjectKind, RenditionFolderSegmentKeepsTheFolderInItsTrack) {
  expect_segment("video/1080p/42.m4s", 42, "video/1080p/.m4s");
}

TEST(ObjectKind, DigitsInFoldersAreNotTheSegmentNumber) {
  expect_segment("video/1080p/seg7.ts", 7, "video/1080p/seg.ts");
  expect_kind("video/1080p/seg.ts", object_kind::plain);
  expect_kind("v2.1/readme", object_kind::plain);
}

TEST(ObjectKind, SegmentZeroIsAMediaSegment) { expect_segment("seg_0.mp4", 0, "seg_.mp4"); }

TEST(ObjectKind, LeadingZerosAreDroppedFromTheNumberButNotFromTheTrack) {
  expect_segment("chunk-stream0-00000.m4s", 0, "chunk-stream0-.m4s");
  expect_segment("000000000000000000000000000042.ts", 42, ".ts");  // 30 digits, value fits
}

TEST(ObjectKind, OnlyTheLastRunOfDigitsIsTheNumber) {
  expect_segment("chunk-stream12-345.m4s", 345, "chunk-stream12-.m4s");
  expect_segment("s1_2_3.ts", 3, "s1_2_.ts");
  expect_segment("seg42x.ts", 42, "segx.ts");
}

TEST(ObjectKind, OnlyTheLastDotEndsTheStem) {
  expect_segment("seg.42.ts", 42, "seg..ts");
  expect_segment("a.b3.c.ts", 3, "a.b.c.ts");  // stem is "a.b3.c": last digit run is 3
}

TEST(ObjectKind, NameWithoutExtensionUsesTheWholeName) {
  expect_segment("segment123", 123, "segment");
  expect_segment("dir/77", 77, "dir/");
}

TEST(ObjectKind, LargestSixtyFourBitNumberIsASegment) {
  expect_segment("seg18446744073709551615.ts", 18446744073709551615ull, "seg.ts");
}

TEST(ObjectKind, NumberThatOverflowsSixtyFourBitsIsPlain) {
  expect_kind("seg18446744073709551616.ts", object_kind::plain);
  expect_kind("seg1234567890123456789012345.ts", object_kind::plain);  // 25 digits
  expect_kind(std::string(25, '9') + ".m4s", object_kind::plain);
}

// --- Init segments, manifests and plain objects ------------------------------------------------------

TEST(ObjectKind, FfmpegInitSegmentsAreInit) {
  expect_kind("init-stream0.m4s", object_kind::init_segment);
  expect_kind("init.mp4", object_kind::init_segment);
  expect_kind("video/1080p/init.mp4", object_kind::init_segment);
  expect_kind("init-stream12.m4s", object_kind::init_segment);
}

TEST(ObjectKind, InitOnlyCountsAtTheStartOfTheFileName) {
  expect_segment("myinit-3.m4s", 3, "myinit-.m4s");
  expect_segment("init/7.m4s", 7, "init/.m4s");  // a folder called init is not an init segment
}

TEST(ObjectKind, DashAndHlsManifestsAreManifests) {
  expect_kind("manifest.mpd", object_kind::manifest);
  expect_kind("stream.m3u8", object_kind::manifest);
  expect_kind("media_0.m3u8", object_kind::manifest);  // a digit, but a manifest first
  expect_kind("video/1080p/index.m3u8", object_kind::manifest);
}

TEST(ObjectKind, ManifestExtensionMustEndTheName) { expect_kind("manifest.mpd.bak", object_kind::plain); }

TEST(ObjectKind, NamesWithoutDigitsArePlain) {
  expect_kind("key.bin", object_kind::plain);
  expect_kind("readme", object_kind::plain);
  expect_kind("", object_kind::plain);
  expect_kind(".hidden", object_kind::plain);
  expect_kind("dir/", object_kind::plain);
}

TEST(ObjectKind, KindsHaveStableNames) {
  EXPECT_EQ(to_string(object_kind::manifest), "manifest");
  EXPECT_EQ(to_string(object_kind::init_segment), "init");
  EXPECT_EQ(to_string(object_kind::media_segment), "segment");
  EXPECT_EQ(to_string(object_kind::plain), "plain");
}

// --- Tenant naming rules -----------------------------------------------------------------------------

TEST(ObjectKind, PlainPatternsWinOverDigits) {
  naming_rules rules;
  rules.plain_patterns = {"thumb*.jpg", "key?.bin"};
  expect_kind("thumb42.jpg", object_kind::plain, rules);
  expect_kind("video/thumb1.jpg", object_kind::plain, rules);
  expect_kind("key7.bin", object_kind::plain, rules);
  expect_segment("key77.bin", 77, "key.bin", rules);  // '?' is exactly one character
  expect_segment("stream42.ts", 42, "stream.ts", rules);
}

TEST(ObjectKind, PlainPatternsWinOverManifestAndInit) {
  naming_rules rules;
  rules.plain_patterns = {"*.m3u8", "init*"};
  expect_kind("stream.m3u8", object_kind::plain, rules);
  expect_kind("init.mp4", object_kind::plain, rules);
}

TEST(ObjectKind, ManifestPatternsWinOverInit) {
  naming_rules rules;
  rules.manifest_patterns = {"init.json"};
  expect_kind("init.json", object_kind::manifest, rules);
  expect_kind("init.mp4", object_kind::init_segment, rules);
}

TEST(ObjectKind, OverriddenPatternsReplaceTheDefaults) {
  naming_rules rules;
  rules.manifest_patterns = {"*.smil"};
  rules.init_patterns = {"header_*.mp4"};
  expect_kind("live.smil", object_kind::manifest, rules);
  expect_kind("header_720.mp4", object_kind::init_segment, rules);
  expect_kind("stream.m3u8", object_kind::plain, rules);            // no longer a manifest, no digits
  expect_segment("media_0.m3u8", 0, "media_.m3u8", rules);          // no longer a manifest, has digits
  expect_segment("init-stream0.m4s", 0, "init-stream.m4s", rules);  // no longer an init segment
}

TEST(ObjectKind, EmptyRuleListsLeaveOnlyDigitsToDecide) {
  naming_rules rules;
  rules.manifest_patterns.clear();
  rules.init_patterns.clear();
  expect_segment("init-stream3.m4s", 3, "init-stream.m4s", rules);
  expect_kind("manifest.mpd", object_kind::plain, rules);
}

TEST(ObjectKind, PatternsMatchTheFileNameNotTheFolders) {
  naming_rules rules;
  rules.plain_patterns = {"video/*"};
  expect_segment("video/42.ts", 42, "video/.ts", rules);
  rules.plain_patterns = {"42.ts"};
  expect_kind("video/42.ts", object_kind::plain, rules);
}

// --- glob_match ----------------------------------------------------------------------------------------

TEST(GlobMatch, LiteralPatternsMatchExactly) {
  EXPECT_TRUE(glob_match("init.mp4", "init.mp4"));
  EXPECT_FALSE(glob_match("init.mp4", "init.mp"));
  EXPECT_FALSE(glob_match("init.mp", "init.mp4"));
  EXPECT_FALSE(glob_match("Init.mp4", "init.mp4"));  // case-sensitive
}

TEST(GlobMatch, StarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything at all"));
  EXPECT_TRUE(glob_match("*.mpd", ".mpd"));
  EXPECT_TRUE(glob_match("*.mpd", "manifest.mpd"));
  EXPECT_TRUE(glob_match("init*", "init"));
  EXPECT_TRUE(glob_match("a*b*c", "abc"));
  EXPECT_TRUE(glob_match("**", "x"));
  EXPECT_FALSE(glob_match("*.mpd", "manifest.mpd2"));
}

TEST(GlobMatch, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(glob_match("?", "a"));
  EXPECT_FALSE(glob_match("?", ""));
  EXPECT_FALSE(glob_match("?", "ab"));
  EXPECT_TRUE(glob_match("seg?.ts", "seg1.ts"));
  EXPECT_FALSE(glob_match("seg?.ts", "seg12.ts"));
  EXPECT_TRUE(glob_match("*?", "a"));
  EXPECT_FALSE(glob_match("*?", ""));
}

TEST(GlobMatch, EmptyPatternMatchesOnlyEmptyText) {
  EXPECT_TRUE(glob_match("", ""));
  EXPECT_FALSE(glob_match("", "a"));
  EXPECT_FALSE(glob_match("a", ""));
}

TEST(GlobMatch, StarBacktracksToALaterOccurrence) {
  EXPECT_TRUE(glob_match("*a*b", "xaxxb"));
  EXPECT_TRUE(glob_match("*ab", "aab"));
  EXPECT_TRUE(glob_match("*abc", "ababc"));
  EXPECT_TRUE(glob_match("a*b*c", "axbxbxc"));
  EXPECT_TRUE(glob_match("*.m3u8", "a.m3u8.m3u8"));
  EXPECT_FALSE(glob_match("*a*b", "xaxxbc"));
  EXPECT_FALSE(glob_match("*a*b", "xbxxa"));
  EXPECT_FALSE(glob_match("a*b", "ab_"));
}

TEST(GlobMatch, PathologicalPatternsFinishQuickly) {
  std::string text(10'000, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*b", text));
  EXPECT_TRUE(glob_match("*a*a*a*a*a*a*a*a", text));
}

}  // namespace
}  // namespace live_origin::model
