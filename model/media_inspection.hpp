#pragma once

// The origin's own verdict on a media segment, from its bytes (PRODUCT.md "Selection between pipelines"):
// what fMP4/CMAF or MPEG-TS structure shows, in the defect vocabulary of model/selection.hpp, with a short
// description per finding for operators. No decoding: frozen or black pictures are out of reach.
//
// Wiring, per pipeline and representation (a representation: the segment name with its number taken out,
// model::classify_object's `track`):
//   - the parsed init segment: parse_init_segment() on the object init_object_for() names, kept while
//     that object stays the same (fMP4 only; TS needs none);
//   - the previous segment's number and its inspection's `track_ends`, passed as `previous_ends` when the
//     next segment is number + 1 (and dropped otherwise).
// A segment is inspected while it arrives (segment_inspector, fed each chunk of the upload) or at once
// (inspect_media). The verdict's defects are added to what the packager reported in X-Origin-Defects.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "model/isobmff.hpp"
#include "model/mpeg_ts.hpp"
#include "model/selection.hpp"

namespace live_origin::model {

enum class media_format { unknown, isobmff, mpeg_ts };

// Which checks run; each can be switched off.
struct inspection_checks {
  bool short_samples = true;  // short: a track falls short of the duration, hides a gap, or is absent
  bool discontinuity = true;  // a track does not start where the previous segment ended or the timeline says
  bool corruption = true;     // corrupt: the bytes break their own format
  bool slate = true;          // slate: filler branded `slat`
};

// Where one track's last sample ends: an inspection returns it per track, and the next segment's
// inspection takes it back as where that segment should start.
struct track_end {
  std::uint32_t track_id = 0;     // fMP4: the track id; TS: the elementary stream's PID
  std::uint32_t timescale = 0;    // units per second (TS: 90000)
  std::uint64_t decode_time = 0;  // in the timescale (TS: modulo 2^33, as PTS and DTS are)

  friend bool operator==(const track_end&, const track_end&) = default;
};

struct segment_expectations {
  // The segment's expected duration (the timeline's segment duration, or X-Origin-Segment-Duration).
  std::optional<std::int64_t> duration_ms;
  // Where the stream's timeline puts this segment, in the tracks' media time (tfdt, DTS).
  std::optional<std::int64_t> start_ms;
  // Durations and starts may miss by this much: encoders cut audio on frame boundaries (21 ms for AAC
  // at 48 kHz) and segments on keyframes; 100 ms is a few frames, far below a dropped second.
  std::int64_t tolerance_ms = 100;
  // The previous segment's track_ends, same pipeline and representation; empty when unknown.
  std::vector<track_end> previous_ends;
  inspection_checks checks;
};

struct finding {
  defect_set defect = defects::none;  // one bit
  std::string description;            // for operators: "video: 35 of 50 samples, one lasting 0.64 s"
};

struct inspection {
  media_format format = media_format::unknown;  // unknown: not media this inspects, no verdict at all
  defect_set defects = defects::none;
  std::vector<finding> findings;
  std::vector<track_end> track_ends;  // per track with a known end, for the next segment's previous_ends
};

// The rules, for fMP4 (an init segment is needed for anything beyond structure and brands: timescales,
// which tracks to expect) and for TS:
//   corrupt        the parser's first problem;
//   slate          styp brand slat;
//   short          per audio or video track: absent; its summed duration (TS: decode span plus one step)
//                  short of `duration_ms` by more than the tolerance (not for a segment branded lmsg);
//                  one sample (TS: one step between PES) longer than twice the median or longer than the
//                  whole expected duration (frames dropped, timestamps kept: the sum stays); a gap between
//                  CMAF chunks beyond the tolerance;
//   discontinuity  per audio or video track: its first decode time off the previous end or off `start_ms`
//                  beyond the tolerance (TS: a PES's duration is not in the stream, so a track's end is
//                  taken as its last PES plus one typical step, and the next segment may start up to one
//                  step earlier); decode time stepping back inside the segment beyond the tolerance.
// Tracks of other kinds (subtitles, metadata) are summarised and returned in track_ends, not judged.
inspection judge_segment(const fragment_summary& segment, const init_segment* init,
                         const segment_expectations& expected);
inspection judge_segment(const ts_summary& segment, const segment_expectations& expected);

// Inspects a segment while its upload arrives: feed() each chunk as it comes; the first 189 bytes decide
// the format (begins_like_isobmff, begins_like_mpeg_ts), then the matching parser reads on. Memory stays
// small: boxes it reads and one partial TS packet at most.
class segment_inspector {
 public:
  // `init`: the init segment of this pipeline and representation, if known (copied).
  explicit segment_inspector(const init_segment* init = nullptr);

  void feed(std::span<const std::uint8_t> bytes);

  // The upload is complete: the verdict.
  inspection finish(const segment_expectations& expected);

 private:
  void start();  // chooses the parser from head_ and hands it head_

  std::optional<init_segment> init_;
  std::vector<std::uint8_t> head_;  // the first bytes, until they show the format
  std::variant<std::monostate, fragment_parser, ts_parser> parser_;
  bool started_ = false;
};

// The whole segment at once.
inspection inspect_media(std::span<const std::uint8_t> bytes, const init_segment* init,
                         const segment_expectations& expected);

// The init segment that goes with a media segment named the way ffmpeg names them, in the same folder:
//   DASH   chunk-stream0-00005.m4s -> init-stream0.m4s   (chunk-stream$RepresentationID$-$Number$.$ext$)
//   HLS    index5.m4s, seg_5.mp4   -> init.mp4           (-hls_segment_type fmp4, one variant)
// nullopt for anything else (TS segments, other packagers' names, HLS with -var_stream_map, whose
// init_%v.mp4 cannot be told from the segment name): the caller then inspects without an init segment.
std::optional<std::string> init_object_for(std::string_view media_object);

}  // namespace live_origin::model
