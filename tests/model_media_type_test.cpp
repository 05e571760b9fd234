#include <gtest/gtest.h>

#include "model/content_digest.hpp"
#include "model/media_type.hpp"

namespace live_origin::model {
namespace {

TEST(MediaType, FromTheExtensionAsPlayersExpect) {
  EXPECT_EQ(media_type_for("chunk-stream0-00001.m4s"), "video/mp4");
  EXPECT_EQ(media_type_for("init.mp4"), "video/mp4");
  EXPECT_EQ(media_type_for("stream42.ts"), "video/mp2t");
  EXPECT_EQ(media_type_for("manifest.mpd"), "application/dash+xml");
  EXPECT_EQ(media_type_for("stream.m3u8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(media_type_for("audio.aac"), "audio/aac");
  EXPECT_EQ(media_type_for("audio.m4a"), "audio/mp4");
}

TEST(MediaType, ExtensionIsCaseInsensitiveAndTakenFromTheFileName) {
  EXPECT_EQ(media_type_for("STREAM.M3U8"), "application/vnd.apple.mpegurl");
  EXPECT_EQ(media_type_for("video.hd/1080p/42.m4s"), "video/mp4");
  EXPECT_EQ(media_type_for("video.ts/readme"), "application/octet-stream");
}

TEST(MediaType, EverythingElseIsOctetStream) {
  EXPECT_EQ(media_type_for("key.bin"), "application/octet-stream");
  EXPECT_EQ(media_type_for("noextension"), "application/octet-stream");
  EXPECT_EQ(media_type_for("trailingdot."), "application/octet-stream");
}

TEST(ContentDigest, SameBytesSameTagDifferentBytesDifferentTag) {
  EXPECT_EQ(content_digest("segment"), content_digest(std::string("segment")));
  EXPECT_NE(content_digest("segment-a"), content_digest("segment-b"));
  auto tag = entity_tag(0x1234);
  EXPECT_EQ(tag, "\"0000000000001234\"");
}

TEST(ContentDigest, IsStableAcrossRunsAndNodes) {
  // XXH3-64 of "" is a published constant; a change here would invalidate every ETag CDNs hold.
  EXPECT_EQ(content_digest(""), 0x2d06800538d394c2ULL);
}

}  // namespace
}  // namespace live_origin::model
