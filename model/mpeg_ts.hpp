#pragma once

// MPEG-TS (HLS .ts segments) read from its packets alone: sync, continuity, PAT and PMT, PES headers and
// their timestamps per elementary stream. No decoding; PES payloads are never read. Every field is
// bounds-checked and the work is linear in the bytes.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "model/media_parsing.hpp"

namespace live_origin::model {

inline constexpr std::size_t ts_packet_bytes = 188;
inline constexpr std::uint64_t ts_clock_hz = 90'000;                      // PTS and DTS units
inline constexpr std::uint64_t ts_time_modulus = std::uint64_t{1} << 33;  // PTS and DTS wrap here

// Whether bytes begin like an MPEG-TS segment: the sync byte 0x47 at the first packet and, when there is
// one, at the second, and a first packet that carries a table (PID below 0x20: PAT, SDT, ... unscrambled,
// no transport error, a payload): HLS requires a PAT and PMT at the start of every TS segment (RFC 8216
// section 3.3; ffmpeg writes its SDT just before them), and bytes that merely repeat 0x47 (a body of
// 'G's) must not be taken for broken TS.
bool begins_like_mpeg_ts(std::span<const std::uint8_t> bytes);

// One elementary stream the PMT declares, and what its PES headers showed.
struct ts_stream {
  std::uint16_t pid = 0;
  std::uint8_t stream_type = 0;            // 0x1b H.264, 0x24 HEVC, 0x0f AAC, 0x03/0x04 MPEG audio, 0x81 AC-3, ...
  std::uint64_t pes_count = 0;             // about one per video frame; one per few audio frames (ffmpeg bundles them)
  std::optional<std::uint64_t> first_pts;  // 33-bit values as in the stream
  std::optional<std::uint64_t> last_pts;
  std::optional<std::uint64_t> first_decode_time;  // DTS when present, else PTS
  std::optional<std::uint64_t> last_decode_time;
  // Steps between consecutive decode times, taken modulo 2^33 (a wrap is a step forward like another).
  std::uint64_t decode_span = 0;        // the sum of the forward steps
  std::uint64_t largest_step = 0;       // the largest forward step
  std::uint64_t largest_step_back = 0;  // the largest step back (time going backwards)
  duration_histogram steps;             // the forward steps

  std::uint64_t typical_step() const { return steps.median(); }
  friend bool operator==(const ts_stream&, const ts_stream&) = default;
};

struct ts_summary {
  parse_status status = parse_status::unknown_format;
  std::string problem;  // when corrupt: the first thing that broke, for operators ("TS: ...")
  std::uint64_t packets = 0;
  bool has_pat = false;
  bool has_pmt = false;
  std::vector<ts_stream> streams;  // in PMT order

  const ts_stream* find(std::uint16_t pid) const;
  friend bool operator==(const ts_summary&, const ts_summary&) = default;
};

// Reads a TS segment as its bytes arrive: whole 188-byte packets are read as soon as they are complete
// (a partial one waits, at most 187 bytes). Corrupt: a packet without sync, a transport error, a
// continuity counter that skips (packets lost; a duplicate is allowed once, the adaptation field's
// discontinuity indicator resets it, null packets are exempt), a PES header cut short or without its
// start code, a length that is not a multiple of 188, no PAT or no PMT. PES headers are read on the
// PIDs the PMT declares, once it has arrived (ffmpeg writes PAT and PMT first in every segment). The
// first problem found stops parsing.
class ts_parser {
 public:
  void feed(std::span<const std::uint8_t> bytes);

  // The upload is complete: a partial last packet is a truncation. Returns the final summary.
  const ts_summary& finish();

  // The summary so far (status stays unknown_format until the second packet's sync byte, or the end,
  // shows the format).
  const ts_summary& summary() const { return summary_; }

 private:
  struct pid_state {
    std::optional<std::uint8_t> continuity;
    bool duplicate_seen = false;
    bool is_pmt = false;
    bool in_section = false;
    std::vector<std::uint8_t> section;  // a PSI section being gathered across packets
  };

  // Each returns false once parsing has stopped (the first problem is kept in the summary).
  bool fail(std::string problem);
  bool recognise();  // decides from head_ whether this is TS, then reads it
  void read_packets(std::span<const std::uint8_t> bytes);
  bool read_packet(std::span<const std::uint8_t> packet);
  bool gather_section(pid_state& state, std::uint16_t pid, bool unit_start, std::span<const std::uint8_t> payload);
  bool read_section(const pid_state& state, std::uint16_t pid);
  bool read_pes_header(ts_stream& stream, std::span<const std::uint8_t> payload);
  ts_stream* stream(std::uint16_t pid);

  ts_summary summary_;
  bool recognised_ = false;
  bool stopped_ = false;
  std::vector<std::uint8_t> head_;     // the first packet and the next byte, held until the format is known
  std::vector<std::uint8_t> partial_;  // the start of a packet still arriving
  std::unordered_map<std::uint16_t, pid_state> pids_;
};

// The whole segment at once: a ts_parser fed once and finished.
ts_summary inspect_ts_segment(std::span<const std::uint8_t> bytes);

}  // namespace live_origin::model
