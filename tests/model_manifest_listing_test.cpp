#include <gtest/gtest.h>

#include "model/manifest_listing.hpp"

namespace live_origin::model {
namespace {

const naming_rules naming{};
constexpr std::int64_t unknown = 777;  // the pipeline's newest segment: what bytes that do not say count as

std::int64_t listed(std::string_view manifest) { return listed_segment(manifest, naming, unknown); }

// As ffmpeg's HLS muxer writes it (-hls_list_size 6, -start_number from the epoch).
constexpr std::string_view hls_ts = R"(#EXTM3U
#EXT-X-VERSION:3
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:851234560
#EXTINF:2.000000,
stream851234560.ts
#EXTINF:2.000000,
stream851234561.ts
#EXTINF:2.000000,
stream851234562.ts
)";

TEST(ManifestListing, AnHlsMediaPlaylistListsItsLastSegment) {
  EXPECT_EQ(listed(hls_ts), 851234562);
  EXPECT_EQ(listed("#EXTM3U\r\n#EXT-X-MAP:URI=\"init.mp4\"\r\n#EXTINF:2.0,\r\nstream41.m4s\r\n#EXTINF:2.0,\r\n"
                   "stream42.m4s\r\n"),
            42)
      << "fMP4 with CRLF line ends; the init segment is a tag, not a listed segment";
  EXPECT_EQ(listed("\xEF\xBB\xBF#EXTM3U\n#EXTINF:2,\nvideo/1080p/00041.m4s?token=abc\n"), 41) << "BOM, query string";
  EXPECT_EQ(listed("#EXTM3U\n#EXTINF:2,\nhttps://cdn.example/demo/live/chunk-stream0-00043.m4s\n"), 43)
      << "absolute URI: the host's digits do not count";
  EXPECT_EQ(listed("#EXTM3U\n#EXTINF:2,\nseg-9.ts\n#EXT-X-DISCONTINUITY\n#EXTINF:2,\nseg-3.ts\n"), 3)
      << "the last listed, not the highest";
}

TEST(ManifestListing, AnHlsPlaylistWithoutMediaSegmentsListsNone) {
  EXPECT_EQ(listed("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nvideo/720p.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH="
                   "1600000\nvideo/1080p.m3u8\n"),
            -1)
      << "a multivariant playlist";
  EXPECT_EQ(listed("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"), -1) << "a media playlist before its first segment";
}

TEST(ManifestListing, AnHlsPlaylistWhoseLastUriHasNoNumberDoesNotSay) {
  EXPECT_EQ(listed("#EXTM3U\n#EXTINF:2,\nseg-4.ts\n#EXTINF:2,\nlatest.ts\n"), unknown);
  EXPECT_EQ(listed("#EXTM3U\n#EXTINF:2,\nlatest.ts\n#EXTINF:2,\nseg-5.ts\n"), 5);
}

TEST(ManifestListing, ADashTimelineListsStartNumberPlusItsSegments) {
  // As ffmpeg's DASH muxer writes it with -use_timeline 1 (its default): video 7 segments, audio 6.
  constexpr std::string_view mpd = R"(<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" minimumUpdatePeriod="PT500S">
  <Period id="0" start="PT0.0S">
    <AdaptationSet id="0" contentType="video" segmentAlignment="true">
      <Representation id="0" mimeType="video/mp4" codecs="avc1.64001e" bandwidth="600000">
        <SegmentTemplate timescale="12800" initialization="init-stream$RepresentationID$.m4s"
                         media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1">
          <SegmentTimeline>
            <S t="0" d="25600" r="5" />
            <S d="25088" />
          </SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
    <AdaptationSet id="1" contentType="audio" segmentAlignment="true">
      <Representation id="1" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="64000">
        <SegmentTemplate timescale='48000' initialization='init-stream$RepresentationID$.m4s'
                         media='chunk-stream$RepresentationID$-$Number%05d$.m4s' startNumber='1'>
          <SegmentTimeline>
            <S t="0" d="96256" r="5"/>
          </SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
)";
  EXPECT_EQ(listed(mpd), 6) << "what every representation lists";
  EXPECT_EQ(listed(R"(<MPD><SegmentTemplate media="s-$Number$.m4s" startNumber="100"><SegmentTimeline>)"
                   R"(<S t="0" d="2"/><S d="2"/></SegmentTimeline></SegmentTemplate></MPD>)"),
            101);
  EXPECT_EQ(listed(R"(<MPD><SegmentTemplate media="s-$Number$.m4s"><SegmentTimeline><S t="0" d="2"/>)"
                   R"(</SegmentTimeline></SegmentTemplate></MPD>)"),
            1)
      << "startNumber defaults to 1";
}

TEST(ManifestListing, DashWithoutANumberedTimelineDoesNotSay) {
  // ffmpeg with -use_timeline 0 (tools/stack.mjs): segments follow from availabilityStartTime and the clock.
  EXPECT_EQ(listed(R"(<MPD><Period><SegmentTemplate timescale="1000000" duration="2000000" )"
                   R"(initialization="init-stream$RepresentationID$.m4s" )"
                   R"(media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1"/></Period></MPD>)"),
            unknown);
  EXPECT_EQ(listed(R"(<MPD><SegmentTemplate media="s-$Time$.m4s"><SegmentTimeline><S t="0" d="2"/>)"
                   R"(</SegmentTimeline></SegmentTemplate></MPD>)"),
            unknown)
      << "numbered by time";
  EXPECT_EQ(listed(R"(<MPD><SegmentTemplate media="s-$Number$.m4s"><SegmentTimeline><S t="0" d="2" r="-1"/>)"
                   R"(</SegmentTimeline></SegmentTemplate></MPD>)"),
            unknown)
      << "repeated until the period ends";
  EXPECT_EQ(listed(R"(<MPD><SegmentTemplate media="s-$Number$.m4s" startNumber="x"><SegmentTimeline>)"
                   R"(<S t="0" d="2"/></SegmentTimeline></SegmentTemplate></MPD>)"),
            unknown);
  EXPECT_EQ(listed(R"(<MPD><SegmentTemplate media="s-$Number$.m4s"><SegmentTimeline>)"
                   R"(<S d="2" r="9223372036854775807"/></SegmentTimeline></SegmentTemplate></MPD>)"),
            unknown)
      << "overflow";
}

TEST(ManifestListing, AnythingElseCountsAsThePipelinesNewestSegment) {
  EXPECT_EQ(listed(""), unknown);
  EXPECT_EQ(listed("<MPD a 10/>"), unknown);
  EXPECT_EQ(listed("not a playlist\nseg-5.ts\n"), unknown);
}

}  // namespace
}  // namespace live_origin::model
