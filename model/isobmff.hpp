#pragma once

// Fragmented MP4 (ISO BMFF, CMAF) read from its structure alone: an init segment's tracks, and a media
// segment's fragments summed up per track. No decoding; an mdat's payload is never read. No length field
// is trusted: a box that does not fit inside its parent (or the bytes) is a parse error, never a read past
// the end, and the work is linear in the number of bytes however the sizes and counts are forged. Nesting
// is bounded by the code, not by the input: only moov/trak/mdia and moof/traf are entered, each to read
// named children, so boxes nested any deeper are passed over unread (no recursion to exhaust).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/media_parsing.hpp"

namespace live_origin::model {

// A box type or brand, its four characters as a big-endian number ("moof" = 0x6d6f6f66).
using fourcc = std::uint32_t;

constexpr fourcc make_fourcc(std::string_view code) {
  fourcc value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<std::uint8_t>(i < code.size() ? code[i] : ' ');
  return value;
}

// The four characters, each outside printable ASCII shown as '?' (for messages).
std::string fourcc_text(fourcc code);

// One box header. `size` counts the header too; nullopt: the box runs to the end of its parent (size 0).
struct box_header {
  fourcc type = 0;
  std::size_t header_bytes = 8;  // 16 with a 64-bit size (size field 1)
  std::optional<std::uint64_t> size;
};

// Reads the header at the start of `bytes`: nullopt when they hold too few bytes for it, and
// `valid == false` when its size is smaller than its own header.
struct header_read {
  bool valid = true;
  box_header header;
};
std::optional<header_read> read_box_header(std::span<const std::uint8_t> bytes);

// A box inside a parent: its type and payload (the bytes after its header).
struct box {
  fourcc type = 0;
  std::span<const std::uint8_t> payload;
};

// The boxes of a parent's payload, one after another. A box that does not fit ends the walk: next()
// returns nullopt and failed() is true.
class box_walker {
 public:
  explicit box_walker(std::span<const std::uint8_t> bytes) : rest_(bytes) {}
  std::optional<box> next();
  bool failed() const { return failed_; }

 private:
  std::span<const std::uint8_t> rest_;
  bool failed_ = false;
};

// Whether bytes begin like ISO BMFF: a top-level box type a segment starts with (ftyp, styp, moov, moof,
// mdat, sidx, emsg, prft, free, skip, ...) and a size no smaller than its header. Other bytes are not
// judged: four letters of a known type by chance are about one in 10^8.
bool begins_like_isobmff(std::span<const std::uint8_t> bytes);

// ---- init segment (ftyp + moov) ----

// One track as the init segment declares it.
struct track_info {
  std::uint32_t track_id = 0;                 // tkhd
  std::uint32_t timescale = 0;                // mdhd: units per second of every time of this track
  fourcc handler = 0;                         // hdlr: "vide", "soun", "subt", "text", "meta", ...
  std::uint32_t default_sample_duration = 0;  // mvex/trex: used when neither trun nor tfhd gives one
  std::uint32_t default_sample_size = 0;

  friend bool operator==(const track_info&, const track_info&) = default;
};

struct init_segment {
  std::vector<track_info> tracks;  // in moov order

  const track_info* find(std::uint32_t track_id) const;
  friend bool operator==(const init_segment&, const init_segment&) = default;
};

struct init_parse {
  parse_status status = parse_status::unknown_format;
  std::string problem;  // when corrupt: what broke, for operators
  init_segment init;
};

// Reads an init segment: every trak's tkhd, mdhd and hdlr, and mvex/trex defaults. Corrupt when a box
// overruns, when there is no moov or no track, or when a track lacks its id or a timescale.
init_parse parse_init_segment(std::span<const std::uint8_t> bytes);

// ---- media segment (styp, sidx, moof + mdat, ...) ----

// One track's samples over the fragments read so far (times and durations in the track's timescale).
struct fragment_track {
  std::uint32_t track_id = 0;
  std::uint64_t fragments = 0;                     // trafs of this track
  std::optional<std::uint64_t> first_decode_time;  // tfdt of its first traf
  std::optional<std::uint64_t> end_decode_time;    // where its last sample ends (needs a tfdt)
  std::uint64_t sample_count = 0;
  std::uint64_t duration = 0;        // sum of sample durations
  std::uint64_t longest_sample = 0;  // the largest single sample duration
  std::uint64_t bytes = 0;           // sum of sample sizes
  // A traf whose tfdt is not where the track's previous traf ended: samples missing between CMAF chunks
  // (later) or time going back (earlier); the largest of each.
  std::uint64_t largest_fragment_gap = 0;
  std::uint64_t largest_fragment_overlap = 0;
  duration_histogram durations;

  std::uint64_t typical_sample_duration() const { return durations.median(); }
  friend bool operator==(const fragment_track&, const fragment_track&) = default;
};

struct fragment_summary {
  parse_status status = parse_status::unknown_format;
  std::string problem;          // when corrupt: the first thing that broke, for operators
  bool slate = false;           // styp brand "slat": filler sent while the packager had no input (DASH-IF ingest)
  bool last_segment = false;    // styp brand "lmsg": the stream ends here, so it may be short
  std::uint64_t fragments = 0;  // moof boxes
  std::optional<std::uint32_t> first_sequence_number;  // mfhd of the first and last moof
  std::optional<std::uint32_t> last_sequence_number;
  std::vector<fragment_track> tracks;  // in order of first appearance

  const fragment_track* find(std::uint32_t track_id) const;
  friend bool operator==(const fragment_summary&, const fragment_summary&) = default;
};

// Reads a media segment as its bytes arrive, for a chunked upload: each feed() consumes every top-level
// box that is complete (one CMAF chunk, moof + mdat, at a time) and keeps the per-track summary up to
// date. Only boxes it reads (styp, moof) are buffered; an mdat's payload is counted, never copied. Every
// moof's sample data must lie inside an mdat that follows it ("mdat shorter than its samples" otherwise).
// Durations and sizes come from trun, else tfhd defaults, else the init segment's trex defaults. With an
// init segment, a traf for a track it does not declare is corrupt. The first problem found stops parsing.
class fragment_parser {
 public:
  // A box that is read (moof, styp) is buffered whole; one larger than this is refused as corrupt
  // (a moof of a million samples is no live segment).
  static constexpr std::uint64_t max_read_box_bytes = 16u << 20;

  // `init`: the segment's init segment if known (copied), for trex defaults and track ids.
  explicit fragment_parser(const init_segment* init = nullptr);

  void feed(std::span<const std::uint8_t> bytes);

  // The upload is complete: what is left unfinished is a truncated box. Returns the final summary.
  const fragment_summary& finish();

  // The summary so far (status stays unknown_format until the first box header has arrived).
  const fragment_summary& summary() const { return summary_; }

 private:
  struct data_span {
    std::uint64_t begin = 0;  // absolute offsets into the segment
    std::uint64_t end = 0;
  };
  enum class phase { first_box, boxes, stopped };

  // Each returns false once parsing has stopped (the first problem is kept in the summary).
  bool fail(std::string problem);
  bool start_box(const header_read& read);
  void pass_over(const box_header& header, std::uint64_t box_start);
  bool read_styp(std::span<const std::uint8_t> payload);
  bool read_moof(std::span<const std::uint8_t> payload, std::uint64_t moof_start);
  bool read_traf(std::span<const std::uint8_t> payload, std::uint64_t moof_start, std::uint64_t& next_base,
                 data_span& moof_data);
  bool check_mdat(std::uint64_t payload_begin, std::uint64_t payload_end);
  fragment_track& track(std::uint32_t track_id);

  std::optional<init_segment> init_;
  fragment_summary summary_;
  phase phase_ = phase::first_box;
  std::uint64_t offset_ = 0;                // bytes consumed so far: where the current box (or skip) stands
  std::vector<std::uint8_t> box_;           // the current box's bytes while it is incomplete
  std::optional<box_header> header_;        // the current box's header, once box_ holds it
  box_header passed_;                       // the last box passed over unread (mdat, free, sidx, ...)
  std::uint64_t passed_start_ = 0;          // and where it started
  std::uint64_t skip_ = 0;                  // its payload bytes still to pass
  bool to_end_ = false;                     // it has no size: every byte up to the end is its payload
  std::optional<std::uint64_t> open_mdat_;  // payload start of an mdat without a size, checked at the end
  std::vector<data_span> unplaced_;         // sample data of moofs whose mdat has not come yet
};

// The whole segment at once: a fragment_parser fed once and finished.
fragment_summary inspect_segment(std::span<const std::uint8_t> bytes, const init_segment* init);

}  // namespace live_origin::model
