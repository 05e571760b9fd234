#include "model/mpeg_ts.hpp"

#include <algorithm>
#include <cstddef>

#include <fmt/format.h>

namespace live_origin::model {
namespace {

constexpr std::uint8_t sync_byte = 0x47;
constexpr std::uint16_t pat_pid = 0x0000;
constexpr std::uint16_t null_pid = 0x1fff;
constexpr std::uint8_t pat_table = 0x00;
constexpr std::uint8_t pmt_table = 0x02;
constexpr std::size_t max_section_bytes = 1024;  // a PAT or PMT section: at most 1021 bytes after its length

// PES stream ids whose header has no optional part, hence no PTS (ISO/IEC 13818-1, 2.4.3.7).
bool has_optional_header(std::uint8_t stream_id) {
  switch (stream_id) {
    case 0xbc:  // program stream map
    case 0xbe:  // padding
    case 0xbf:  // private stream 2
    case 0xf0:  // ECM
    case 0xf1:  // EMM
    case 0xf2:  // DSM-CC
    case 0xf8:  // H.222.1 type E
    case 0xff:  // program stream directory
      return false;
    default:
      return true;
  }
}

// A 33-bit PTS or DTS from its 5-byte field (marker bits not checked: they carry no time).
std::uint64_t read_timestamp(std::span<const std::uint8_t> field) {
  return (std::uint64_t{field[0]} >> 1 & 0x07) << 30 | std::uint64_t{field[1]} << 22 |
         (std::uint64_t{field[2]} >> 1) << 15 | std::uint64_t{field[3]} << 7 | std::uint64_t{field[4]} >> 1;
}

}  // namespace

bool begins_like_mpeg_ts(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < ts_packet_bytes || bytes[0] != sync_byte) return false;
  if (bytes.size() > ts_packet_bytes && bytes[ts_packet_bytes] != sync_byte) return false;
  bool transport_error = bytes[1] & 0x80;
  auto pid = (bytes[1] & 0x1f) << 8 | bytes[2];
  auto scrambling = bytes[3] >> 6;
  bool payload = bytes[3] & 0x10;
  return !transport_error && pid < 0x20 && scrambling == 0 && payload;
}

const ts_stream* ts_summary::find(std::uint16_t pid) const {
  for (const auto& stream : streams)
    if (stream.pid == pid) return &stream;
  return nullptr;
}

ts_stream* ts_parser::stream(std::uint16_t pid) {
  for (auto& stream : summary_.streams)
    if (stream.pid == pid) return &stream;
  return nullptr;
}

bool ts_parser::fail(std::string problem) {
  summary_.status = parse_status::corrupt;
  summary_.problem = std::move(problem);
  stopped_ = true;
  return false;
}

void ts_parser::feed(std::span<const std::uint8_t> bytes) {
  if (!recognised_) {
    auto taken = std::min(ts_packet_bytes + 1 - head_.size(), bytes.size());
    head_.insert(head_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(taken));
    bytes = bytes.subspan(taken);
    if (head_.size() <= ts_packet_bytes || !recognise()) return;
  }
  read_packets(bytes);
}

bool ts_parser::recognise() {
  recognised_ = true;
  if (!begins_like_mpeg_ts(head_)) {  // no verdict
    stopped_ = true;
    return false;
  }
  summary_.status = parse_status::ok;
  read_packets(head_);
  head_ = {};
  return !stopped_;
}

void ts_parser::read_packets(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty() && !stopped_) {
    if (partial_.empty() && bytes.size() >= ts_packet_bytes) {
      read_packet(bytes.first(ts_packet_bytes));
      bytes = bytes.subspan(ts_packet_bytes);
      continue;
    }
    auto taken = std::min(ts_packet_bytes - partial_.size(), bytes.size());
    partial_.insert(partial_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(taken));
    bytes = bytes.subspan(taken);
    if (partial_.size() < ts_packet_bytes) return;
    read_packet(partial_);
    partial_.clear();
  }
}

const ts_summary& ts_parser::finish() {
  if (!recognised_ && !recognise()) return summary_;
  if (stopped_) return summary_;
  if (!partial_.empty())
    fail(fmt::format("TS: truncated: {} bytes after the last whole packet", partial_.size()));
  else if (!summary_.has_pat)
    fail("TS: no PAT");
  else if (!summary_.has_pmt)
    fail("TS: no PMT");
  stopped_ = true;
  return summary_;
}

bool ts_parser::read_packet(std::span<const std::uint8_t> packet) {
  auto index = summary_.packets++;
  if (packet[0] != sync_byte) return fail(fmt::format("TS: lost sync at byte {}", index * ts_packet_bytes));
  std::uint16_t pid = (packet[1] & 0x1f) << 8 | packet[2];
  bool unit_start = packet[1] & 0x40;
  if (packet[1] & 0x80) return fail(fmt::format("TS: transport error on PID {}", pid));
  if (pid == null_pid) return true;
  auto adaptation_control = packet[3] >> 4 & 0x03;
  if (adaptation_control == 0) return fail(fmt::format("TS: reserved adaptation field control on PID {}", pid));
  std::size_t payload_start = 4;
  bool discontinuity = false;
  if (adaptation_control & 0x02) {
    std::size_t length = packet[4];
    if (length > ts_packet_bytes - 5) return fail(fmt::format("TS: adaptation field overruns a packet on PID {}", pid));
    discontinuity = length > 0 && (packet[5] & 0x80);
    payload_start = 5 + length;
  }
  if (!(adaptation_control & 0x01)) return true;  // no payload: the counter does not move

  auto& state = pids_[pid];
  std::uint8_t continuity = packet[3] & 0x0f;
  if (state.continuity && !discontinuity) {
    if (continuity == *state.continuity) {  // a duplicate, allowed once; its payload is read once
      if (state.duplicate_seen) return fail(fmt::format("TS: continuity error on PID {}", pid));
      state.duplicate_seen = true;
      return true;
    }
    if (continuity != ((*state.continuity + 1) & 0x0f)) return fail(fmt::format("TS: continuity error on PID {}", pid));
  }
  state.continuity = continuity;
  state.duplicate_seen = false;

  auto payload = packet.subspan(payload_start);
  if (pid == pat_pid || state.is_pmt) return gather_section(state, pid, unit_start, payload);
  if (auto* elementary = stream(pid); elementary && unit_start) return read_pes_header(*elementary, payload);
  return true;
}

bool ts_parser::gather_section(pid_state& state, std::uint16_t pid, bool unit_start,
                               std::span<const std::uint8_t> payload) {
  auto append = [&](std::span<const std::uint8_t> bytes) {
    state.section.insert(state.section.end(), bytes.begin(), bytes.end());
    if (state.section.size() < 3) return true;
    if (state.section[0] == 0xff) {  // stuffing: no further section in this packet
      state.in_section = false;
      return true;
    }
    std::size_t length = 3 + ((state.section[1] & 0x0f) << 8 | state.section[2]);
    if (length > max_section_bytes) return fail(fmt::format("TS: PSI section of {} bytes on PID {}", length, pid));
    if (state.section.size() < length) return true;
    state.section.resize(length);
    state.in_section = false;
    return read_section(state, pid);
  };
  if (!unit_start) return !state.in_section || append(payload);
  std::size_t pointer = payload.empty() ? 0 : payload[0];
  if (payload.empty() || 1 + pointer > payload.size())
    return fail(fmt::format("TS: PSI pointer field beyond the packet on PID {}", pid));
  if (state.in_section && !append(payload.subspan(1, pointer))) return false;  // the end of the previous one
  state.section.clear();
  state.in_section = true;
  return append(payload.subspan(1 + pointer));
}

bool ts_parser::read_section(const pid_state& state, std::uint16_t pid) {
  byte_reader reader(state.section);
  auto table_id = reader.u8();
  reader.skip(2);  // section length: the section holds exactly that many
  if (pid == pat_pid) {
    if (table_id != pat_table) return true;
    reader.skip(5);                                  // transport stream id, version, section numbers
    while (reader.ok() && reader.remaining() > 4) {  // the CRC ends it
      auto program = reader.u16();
      std::uint16_t pmt_pid = reader.u16() & 0x1fff;
      if (program != 0 && reader.ok()) pids_[pmt_pid].is_pmt = true;  // program 0 names the network PID
    }
    if (!reader.ok()) return fail("TS: PAT is cut short");
    summary_.has_pat = true;
    return true;
  }
  if (table_id != pmt_table) return true;
  reader.skip(7);                      // program number, version, section numbers, PCR PID
  reader.skip(reader.u16() & 0x0fff);  // program descriptors
  while (reader.ok() && reader.remaining() > 4) {
    auto stream_type = reader.u8();
    std::uint16_t elementary_pid = reader.u16() & 0x1fff;
    reader.skip(reader.u16() & 0x0fff);  // stream descriptors
    if (reader.ok() && !stream(elementary_pid)) summary_.streams.push_back({elementary_pid, stream_type});
  }
  if (!reader.ok()) return fail(fmt::format("TS: PMT on PID {} is cut short", pid));
  summary_.has_pmt = true;
  return true;
}

bool ts_parser::read_pes_header(ts_stream& stream, std::span<const std::uint8_t> payload) {
  auto incomplete = [&] { return fail(fmt::format("TS: incomplete PES header on PID {}", stream.pid)); };
  if (payload.size() < 6) return incomplete();
  if (payload[0] != 0 || payload[1] != 0 || payload[2] != 1)
    return fail(fmt::format("TS: PES without a start code on PID {}", stream.pid));
  ++stream.pes_count;
  if (!has_optional_header(payload[3])) return true;
  if (payload.size() < 9 || 9u + payload[8] > payload.size()) return incomplete();
  auto timestamps = payload[7] >> 6;
  std::size_t header_length = payload[8];
  if (timestamps == 1) return fail(fmt::format("TS: PES with a DTS and no PTS on PID {}", stream.pid));
  if ((timestamps == 2 && header_length < 5) || (timestamps == 3 && header_length < 10)) return incomplete();
  if (timestamps == 0) return true;

  auto pts = read_timestamp(payload.subspan(9, 5));
  auto decode_time = timestamps == 3 ? read_timestamp(payload.subspan(14, 5)) : pts;
  if (!stream.first_pts) {
    stream.first_pts = pts;
    stream.first_decode_time = decode_time;
  } else {
    auto step = (decode_time - *stream.last_decode_time) & (ts_time_modulus - 1);
    if (step < ts_time_modulus / 2) {
      stream.decode_span += step;
      stream.largest_step = std::max(stream.largest_step, step);
      stream.steps.add(step);
    } else {
      stream.largest_step_back = std::max(stream.largest_step_back, ts_time_modulus - step);
    }
  }
  stream.last_pts = pts;
  stream.last_decode_time = decode_time;
  return true;
}

ts_summary inspect_ts_segment(std::span<const std::uint8_t> bytes) {
  ts_parser parser;
  parser.feed(bytes);
  return parser.finish();
}

}  // namespace live_origin::model
