#pragma once

// Hand-built fMP4 boxes and MPEG-TS packets for the media parser tests: just the fields the parsers read,
// laid out as ffmpeg lays them out.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace live_origin::test {

using bytes = std::vector<std::uint8_t>;

inline void put(bytes& out, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

inline bytes cat(std::initializer_list<bytes> parts) {
  bytes out;
  for (const auto& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

inline bytes text(std::string_view chars) { return bytes(chars.begin(), chars.end()); }

inline bytes box(std::string_view type, const bytes& payload) {
  bytes out;
  put(out, payload.size() + 8, 4);
  return cat({out, text(type), payload});
}

inline bytes full_box(std::string_view type, std::uint8_t version, std::uint32_t flags, const bytes& payload) {
  bytes head;
  put(head, std::uint32_t{version} << 24 | flags, 4);
  return box(type, cat({head, payload}));
}

inline bytes words(std::initializer_list<std::uint32_t> values) {
  bytes out;
  for (auto value : values) put(out, value, 4);
  return out;
}

// ---- fMP4 ----

struct test_track {
  std::uint32_t track_id = 1;
  std::uint32_t timescale = 12800;
  std::string handler = "vide";
  std::uint32_t trex_duration = 0;
  std::uint32_t trex_size = 0;
};

inline bytes init_segment_bytes(const std::vector<test_track>& tracks) {
  bytes traks, trexes;
  for (const auto& track : tracks) {
    auto tkhd = full_box("tkhd", 0, 3, cat({words({0, 0, track.track_id}), bytes(68, 0)}));
    auto mdhd = full_box("mdhd", 0, 0, words({0, 0, track.timescale, 0, 0x55c40000}));
    auto hdlr = full_box("hdlr", 0, 0, cat({words({0}), text(track.handler), words({0, 0, 0}), bytes(1, 0)}));
    traks = cat({traks, box("trak", cat({tkhd, box("mdia", cat({mdhd, hdlr, box("minf", {})}))}))});
    trexes = cat({trexes, full_box("trex", 0, 0, words({track.track_id, 1, track.trex_duration, track.trex_size, 0}))});
  }
  auto ftyp = box("ftyp", cat({text("iso5"), words({512}), text("iso5iso6mp41")}));
  auto mvhd = full_box("mvhd", 0, 0, bytes(96, 0));
  return cat({ftyp, box("moov", cat({mvhd, traks, box("mvex", trexes)}))});
}

inline bytes styp_box(std::initializer_list<std::string_view> brands) {
  bytes payload;
  bool major = true;
  for (auto brand : brands) {
    payload = cat({payload, text(brand)});
    if (major) put(payload, 0, 4);  // minor version
    major = false;
  }
  return box("styp", payload);
}

// One track's samples in a fragment.
struct test_traf {
  std::uint32_t track_id = 1;
  std::optional<std::uint64_t> decode_time;    // tfdt (version 1); none when unset
  std::vector<std::uint32_t> durations;        // one per sample
  bool durations_in_trun = true;               // else the trun has none: tfhd or trex defaults apply
  std::optional<std::uint32_t> tfhd_duration;  // tfhd default sample duration
  std::uint32_t sample_size = 10;
};

inline bytes traf_box(const test_traf& traf, std::uint32_t data_offset) {
  std::uint32_t tfhd_flags = 0x020000 | (traf.tfhd_duration ? 0x08 : 0);
  auto tfhd_payload = words({traf.track_id});
  if (traf.tfhd_duration) tfhd_payload = cat({tfhd_payload, words({*traf.tfhd_duration})});
  bytes children = full_box("tfhd", 0, tfhd_flags, tfhd_payload);
  if (traf.decode_time) {
    bytes time;
    put(time, *traf.decode_time, 8);
    children = cat({children, full_box("tfdt", 1, 0, time)});
  }
  std::uint32_t trun_flags = 0x001 | 0x200 | (traf.durations_in_trun ? 0x100 : 0);
  auto trun_payload = words({static_cast<std::uint32_t>(traf.durations.size()), data_offset});
  for (auto duration : traf.durations) {
    if (traf.durations_in_trun) trun_payload = cat({trun_payload, words({duration})});
    trun_payload = cat({trun_payload, words({traf.sample_size})});
  }
  return box("traf", cat({children, full_box("trun", 0, trun_flags, trun_payload)}));
}

// A moof with these trafs and the mdat holding their samples (data offsets from the moof, as ffmpeg
// writes them), `mdat_shortfall` bytes short of what the samples need.
inline bytes fragment(std::uint32_t sequence, const std::vector<test_traf>& trafs, std::size_t mdat_shortfall = 0) {
  auto build = [&](std::uint32_t moof_size) {
    bytes moof_payload = full_box("mfhd", 0, 0, words({sequence}));
    std::uint32_t offset = moof_size + 8;
    for (const auto& traf : trafs) {
      moof_payload = cat({moof_payload, traf_box(traf, offset)});
      offset += static_cast<std::uint32_t>(traf.durations.size()) * traf.sample_size;
    }
    return std::pair{box("moof", moof_payload), offset - moof_size - 8};
  };
  auto [moof, data_bytes] = build(static_cast<std::uint32_t>(build(0).first.size()));
  return cat({moof, box("mdat", bytes(data_bytes - mdat_shortfall, 0xab))});
}

inline std::vector<std::uint32_t> repeat(std::size_t count, std::uint32_t duration) {
  return std::vector<std::uint32_t>(count, duration);
}

// ---- MPEG-TS ----

inline constexpr std::size_t packet_bytes = 188;

struct test_packet {
  std::uint16_t pid = 0;
  bool unit_start = false;
  std::uint8_t continuity = 0;
  bytes payload;               // padded with an adaptation field to fill the packet
  bool discontinuity = false;  // adaptation field discontinuity_indicator
  bool has_payload = true;
};

inline bytes ts_packet(const test_packet& packet) {
  bytes out{0x47, static_cast<std::uint8_t>((packet.unit_start ? 0x40 : 0) | (packet.pid >> 8 & 0x1f)),
            static_cast<std::uint8_t>(packet.pid & 0xff)};
  std::size_t payload_size = packet.has_payload ? packet.payload.size() : 0;
  bool adaptation = payload_size < 184 || packet.discontinuity;
  out.push_back(static_cast<std::uint8_t>((adaptation ? 0x20 : 0) | (packet.has_payload ? 0x10 : 0) |
                                          (packet.continuity & 0x0f)));
  if (adaptation) {
    std::size_t field = 183 - payload_size;  // its length byte excluded
    out.push_back(static_cast<std::uint8_t>(field));
    if (field > 0) {
      out.push_back(packet.discontinuity ? 0x80 : 0x00);
      out.insert(out.end(), field - 1, 0xff);
    }
  }
  if (packet.has_payload) out.insert(out.end(), packet.payload.begin(), packet.payload.end());
  return out;
}

// A PSI section with its pointer field and a (not checked) CRC.
inline bytes psi_section(std::uint8_t table_id, std::uint16_t id, const bytes& body) {
  bytes section{0x00, table_id};
  put(section, 0xb000 | (body.size() + 9), 2);
  put(section, id, 2);
  section.insert(section.end(), {0xc1, 0x00, 0x00});
  section = cat({section, body});
  put(section, 0xdeadbeef, 4);
  return section;
}

inline bytes pat_section(std::uint16_t pmt_pid) {
  bytes body;
  put(body, 1, 2);  // program number
  put(body, 0xe000 | pmt_pid, 2);
  return psi_section(0x00, 1, body);
}

struct test_stream {
  std::uint8_t stream_type = 0x1b;
  std::uint16_t pid = 256;
};

inline bytes pmt_section(std::uint16_t pcr_pid, const std::vector<test_stream>& streams) {
  bytes body;
  put(body, 0xe000 | pcr_pid, 2);
  put(body, 0xf000, 2);  // no program descriptors
  for (const auto& stream : streams) {
    body.push_back(stream.stream_type);
    put(body, 0xe000 | stream.pid, 2);
    put(body, 0xf000, 2);
  }
  return psi_section(0x02, 1, body);
}

// The 5-byte PTS/DTS field.
inline bytes timestamp(std::uint8_t prefix, std::uint64_t value) {
  return {static_cast<std::uint8_t>(prefix << 4 | (value >> 29 & 0x0e) | 1), static_cast<std::uint8_t>(value >> 22),
          static_cast<std::uint8_t>((value >> 14 & 0xfe) | 1), static_cast<std::uint8_t>(value >> 7),
          static_cast<std::uint8_t>((value << 1 & 0xfe) | 1)};
}

// The start of a PES packet: start code, stream id, header with PTS (and DTS), then `data` bytes.
inline bytes pes_start(std::uint8_t stream_id, std::uint64_t pts, std::optional<std::uint64_t> dts = {},
                       std::size_t data = 20) {
  bytes header{0x00,
               0x00,
               0x01,
               stream_id,
               0x00,
               0x00,
               0x80,
               static_cast<std::uint8_t>(dts ? 0xc0 : 0x80),
               static_cast<std::uint8_t>(dts ? 10 : 5)};
  header = cat({header, timestamp(dts ? 3 : 2, pts)});
  if (dts) header = cat({header, timestamp(1, *dts)});
  return cat({header, bytes(data, 0x00)});
}

inline constexpr std::uint16_t pmt_pid = 4096, video_pid = 256, audio_pid = 257;

// Packets in order, each PID's continuity counter counting as a muxer's does.
struct ts_writer {
  std::map<std::uint16_t, std::uint8_t> counters;
  bytes out;

  void packet(std::uint16_t pid, bool unit_start, bytes payload, bool discontinuity = false) {
    out = cat({out, ts_packet({pid, unit_start, counters[pid]++, std::move(payload), discontinuity})});
  }
  // PAT and PMT: H.264 video on PID 256, AAC on 257.
  void tables() {
    packet(0, true, pat_section(pmt_pid));
    packet(pmt_pid, true, pmt_section(video_pid, {{0x1b, video_pid}, {0x0f, audio_pid}}));
  }
  // A PES packet over `packets` TS packets.
  void pes(std::uint16_t pid, std::uint64_t pts, std::optional<std::uint64_t> dts = {}, int packets = 2) {
    packet(pid, true, pes_start(pid == video_pid ? 0xe0 : 0xc0, pts, dts));
    for (int i = 1; i < packets; ++i) packet(pid, false, bytes(184, 0x11));
  }
};

// Feeds `segment` to an incremental parser cut at the ascending offsets `cuts`, as a chunked upload
// arrives; the parser's result.
template <class Parser>
auto feed_in_pieces(Parser parser, const bytes& segment, const std::vector<std::size_t>& cuts) {
  std::size_t at = 0;
  for (auto cut : cuts) {
    parser.feed(std::span(segment).subspan(at, cut - at));
    at = cut;
  }
  parser.feed(std::span(segment).subspan(at));
  return parser.finish();
}

}  // namespace live_origin::test
