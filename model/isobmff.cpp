#include "model/isobmff.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>

#include <fmt/format.h>

namespace live_origin::model {
namespace {

constexpr fourcc styp = make_fourcc("styp");
constexpr fourcc moov = make_fourcc("moov");
constexpr fourcc moof = make_fourcc("moof");
constexpr fourcc mdat = make_fourcc("mdat");
constexpr fourcc trak = make_fourcc("trak");
constexpr fourcc tkhd = make_fourcc("tkhd");
constexpr fourcc mdia = make_fourcc("mdia");
constexpr fourcc mdhd = make_fourcc("mdhd");
constexpr fourcc hdlr = make_fourcc("hdlr");
constexpr fourcc mvex = make_fourcc("mvex");
constexpr fourcc trex = make_fourcc("trex");
constexpr fourcc mfhd = make_fourcc("mfhd");
constexpr fourcc traf = make_fourcc("traf");
constexpr fourcc tfhd = make_fourcc("tfhd");
constexpr fourcc tfdt = make_fourcc("tfdt");
constexpr fourcc trun = make_fourcc("trun");
constexpr fourcc slat = make_fourcc("slat");
constexpr fourcc lmsg = make_fourcc("lmsg");

// tfhd flags (ISO/IEC 14496-12 8.8.7)
constexpr std::uint32_t tfhd_base_data_offset = 0x000001;
constexpr std::uint32_t tfhd_sample_description_index = 0x000002;
constexpr std::uint32_t tfhd_default_duration = 0x000008;
constexpr std::uint32_t tfhd_default_size = 0x000010;
constexpr std::uint32_t tfhd_default_flags = 0x000020;
constexpr std::uint32_t tfhd_default_base_is_moof = 0x020000;
// trun flags (8.8.8)
constexpr std::uint32_t trun_data_offset = 0x000001;
constexpr std::uint32_t trun_first_sample_flags = 0x000004;
constexpr std::uint32_t trun_duration = 0x000100;
constexpr std::uint32_t trun_size = 0x000200;
constexpr std::uint32_t trun_flags = 0x000400;
constexpr std::uint32_t trun_composition_offset = 0x000800;

bool is_top_level_type(fourcc type) {
  for (const char* known : {"ftyp", "styp", "moov", "moof", "mdat", "sidx", "ssix", "emsg", "prft", "free", "skip"})
    if (type == make_fourcc(known)) return true;
  return false;
}

// The top-level boxes of a media segment whose contents are read; every other box is passed over.
bool is_read_in_segment(fourcc type) { return type == styp || type == moof; }

std::string overrun(fourcc parent) { return fmt::format("a box inside '{}' overruns it", fourcc_text(parent)); }

// Skips a full box's version and flags and returns the version.
std::uint8_t full_box_version(byte_reader& reader) {
  auto version = reader.u8();
  reader.skip(3);
  return version;
}

std::string read_mdia(std::span<const std::uint8_t> payload, track_info& track, bool& has_mdhd) {
  box_walker walker(payload);
  while (auto child = walker.next()) {
    byte_reader reader(child->payload);
    if (child->type == mdhd) {
      reader.skip(full_box_version(reader) == 1 ? 16 : 8);  // creation and modification times
      track.timescale = reader.u32();
      if (!reader.ok()) return "mdhd is cut short";
      has_mdhd = true;
    } else if (child->type == hdlr) {
      reader.skip(8);  // version, flags, pre_defined
      track.handler = reader.u32();
      if (!reader.ok()) return "hdlr is cut short";
    }
  }
  return walker.failed() ? overrun(mdia) : "";
}

std::string read_trak(std::span<const std::uint8_t> payload, track_info& track) {
  bool has_tkhd = false, has_mdhd = false;
  box_walker walker(payload);
  while (auto child = walker.next()) {
    if (child->type == tkhd) {
      byte_reader reader(child->payload);
      reader.skip(full_box_version(reader) == 1 ? 16 : 8);  // creation and modification times
      track.track_id = reader.u32();
      if (!reader.ok()) return "tkhd is cut short";
      has_tkhd = true;
    } else if (child->type == mdia) {
      if (auto problem = read_mdia(child->payload, track, has_mdhd); !problem.empty()) return problem;
    }
  }
  if (walker.failed()) return overrun(trak);
  if (!has_tkhd) return "trak without tkhd";
  if (!has_mdhd) return fmt::format("track {} has no mdhd", track.track_id);
  if (track.timescale == 0) return fmt::format("track {} has timescale 0", track.track_id);
  return "";
}

std::string read_mvex(std::span<const std::uint8_t> payload, init_segment& init) {
  box_walker walker(payload);
  while (auto child = walker.next()) {
    if (child->type != trex) continue;
    byte_reader reader(child->payload);
    reader.skip(4);  // version and flags
    auto track_id = reader.u32();
    reader.skip(4);  // default sample description index
    auto duration = reader.u32();
    auto size = reader.u32();
    if (!reader.ok()) return "trex is cut short";
    for (auto& track : init.tracks) {
      if (track.track_id != track_id) continue;
      track.default_sample_duration = duration;
      track.default_sample_size = size;
    }
  }
  return walker.failed() ? overrun(mvex) : "";
}

std::string read_moov(std::span<const std::uint8_t> payload, init_segment& init) {
  std::vector<std::span<const std::uint8_t>> mvex_payloads;  // read after every trak: trex refers to tracks
  box_walker walker(payload);
  while (auto child = walker.next()) {
    if (child->type == trak) {
      track_info track;
      if (auto problem = read_trak(child->payload, track); !problem.empty()) return problem;
      if (init.find(track.track_id)) return fmt::format("two traks with track id {}", track.track_id);
      init.tracks.push_back(track);
    } else if (child->type == mvex) {
      mvex_payloads.push_back(child->payload);
    }
  }
  if (walker.failed()) return overrun(moov);
  for (auto mvex_payload : mvex_payloads)
    if (auto problem = read_mvex(mvex_payload, init); !problem.empty()) return problem;
  if (init.tracks.empty()) return "moov without tracks";
  return "";
}

// How many bytes of the box at the start of `bytes` must be at hand before it can be handled: its header,
// and all of it for a box that is read. A read box over the limit needs only its header (to be refused).
std::uint64_t unit_bytes(std::span<const std::uint8_t> bytes) {
  auto read = read_box_header(bytes);
  if (!read) return bytes.size() < 8 ? 8 : 16;
  const auto& header = read->header;
  if (!read->valid || !is_read_in_segment(header.type) || !header.size ||
      *header.size > fragment_parser::max_read_box_bytes)
    return header.header_bytes;
  return *header.size;
}

}  // namespace

std::string fourcc_text(fourcc code) {
  std::string text(4, '?');
  for (std::size_t i = 0; i < 4; ++i) {
    auto c = static_cast<char>(code >> (24 - 8 * i) & 0xff);
    if (c >= 0x20 && c < 0x7f) text[i] = c;
  }
  return text;
}

std::optional<header_read> read_box_header(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 8) return std::nullopt;
  byte_reader reader(bytes);
  auto size = reader.u32();
  header_read read{true, {reader.u32(), 8, size}};
  if (size == 0) {
    read.header.size.reset();
  } else if (size == 1) {
    if (bytes.size() < 16) return std::nullopt;
    read.header.header_bytes = 16;
    read.header.size = reader.u64();
  }
  read.valid = !read.header.size || *read.header.size >= read.header.header_bytes;
  return read;
}

std::optional<box> box_walker::next() {
  if (failed_ || rest_.empty()) return std::nullopt;
  auto read = read_box_header(rest_);
  auto size = read ? read->header.size.value_or(rest_.size()) : 0;
  if (!read || !read->valid || size > rest_.size()) {
    failed_ = true;
    return std::nullopt;
  }
  box found{read->header.type, rest_.subspan(read->header.header_bytes, size - read->header.header_bytes)};
  rest_ = rest_.subspan(size);
  return found;
}

bool begins_like_isobmff(std::span<const std::uint8_t> bytes) {
  auto read = read_box_header(bytes);
  return read && read->valid && is_top_level_type(read->header.type);
}

const track_info* init_segment::find(std::uint32_t track_id) const {
  for (const auto& track : tracks)
    if (track.track_id == track_id) return &track;
  return nullptr;
}

init_parse parse_init_segment(std::span<const std::uint8_t> bytes) {
  init_parse parsed;
  if (!begins_like_isobmff(bytes)) return parsed;
  auto corrupt = [&](std::string problem) {
    parsed.status = parse_status::corrupt;
    parsed.problem = std::move(problem);
    parsed.init = {};
    return parsed;
  };
  std::optional<box> moov_box;
  box_walker walker(bytes);
  while (auto top = walker.next())
    if (top->type == moov && !moov_box) moov_box = top;
  if (walker.failed()) return corrupt("a top-level box overruns the init segment");
  if (!moov_box) return corrupt("no moov box");
  if (auto problem = read_moov(moov_box->payload, parsed.init); !problem.empty()) return corrupt(problem);
  parsed.status = parse_status::ok;
  return parsed;
}

const fragment_track* fragment_summary::find(std::uint32_t track_id) const {
  for (const auto& track : tracks)
    if (track.track_id == track_id) return &track;
  return nullptr;
}

fragment_parser::fragment_parser(const init_segment* init) {
  if (init) init_ = *init;
}

bool fragment_parser::fail(std::string problem) {
  summary_.status = parse_status::corrupt;
  summary_.problem = std::move(problem);
  phase_ = phase::stopped;
  return false;
}

void fragment_parser::feed(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty() && phase_ != phase::stopped) {
    if (to_end_) {  // everything up to the end belongs to the last box
      offset_ += bytes.size();
      return;
    }
    if (skip_ > 0) {
      auto passed = std::min<std::uint64_t>(skip_, bytes.size());
      skip_ -= passed;
      offset_ += passed;
      bytes = bytes.subspan(passed);
      continue;
    }
    std::span<const std::uint8_t> unit;
    if (box_.empty() && bytes.size() >= unit_bytes(bytes)) {  // at hand: no copy
      unit = bytes.first(unit_bytes(bytes));
      bytes = bytes.subspan(unit.size());
    } else {
      // The unit grows as its header arrives: 8 bytes, then 16 for a 64-bit size, then the whole box.
      while (!bytes.empty() && box_.size() < unit_bytes(box_)) {
        auto taken = std::min<std::uint64_t>(unit_bytes(box_) - box_.size(), bytes.size());
        box_.insert(box_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(taken));
        bytes = bytes.subspan(taken);
      }
      if (box_.size() < unit_bytes(box_)) return;
      unit = box_;
    }
    auto read = *read_box_header(unit);
    if (start_box(read)) {
      const auto& header = read.header;
      auto box_start = offset_;
      offset_ += unit.size();
      if (header.type == styp)
        read_styp(unit.subspan(header.header_bytes));
      else if (header.type == moof)
        read_moof(unit.subspan(header.header_bytes), box_start);
      else
        pass_over(header, box_start);
    }
    box_.clear();
  }
}

void fragment_parser::pass_over(const box_header& header, std::uint64_t box_start) {
  passed_ = header;
  passed_start_ = box_start;
  if (!header.size) {
    to_end_ = true;
    if (header.type == mdat) open_mdat_ = offset_;
    return;
  }
  skip_ = *header.size - header.header_bytes;
  if (header.type == mdat) check_mdat(offset_, saturating_add(offset_, skip_));
}

bool fragment_parser::start_box(const header_read& read) {
  const auto& header = read.header;
  if (phase_ == phase::first_box) {
    if (!read.valid || !is_top_level_type(header.type)) {
      phase_ = phase::stopped;  // not ISO BMFF: no verdict
      return false;
    }
    summary_.status = parse_status::ok;
    phase_ = phase::boxes;
  }
  if (!read.valid)
    return fail(fmt::format("'{}' box of {} bytes, less than its header", fourcc_text(header.type), *header.size));
  if (!is_read_in_segment(header.type)) return true;
  if (!header.size) return fail(fmt::format("'{}' box without a size (runs to the end)", fourcc_text(header.type)));
  if (*header.size > max_read_box_bytes)
    return fail(fmt::format("'{}' box of {} bytes, more than the {} inspected", fourcc_text(header.type), *header.size,
                            max_read_box_bytes));
  return true;
}

const fragment_summary& fragment_parser::finish() {
  if (phase_ == phase::stopped) return summary_;
  if (!box_.empty()) {
    auto read = read_box_header(box_);
    if (phase_ == phase::first_box && !(read && read->valid && is_top_level_type(read->header.type))) {
      phase_ = phase::stopped;  // too few bytes to tell: no verdict
      return summary_;
    }
    if (read)
      fail(fmt::format("truncated '{}' box: {} of {} bytes", fourcc_text(read->header.type), box_.size(),
                       read->header.size.value_or(0)));
    else
      fail(fmt::format("{} stray bytes after the last box", box_.size()));
    return summary_;
  }
  if (skip_ > 0) {
    fail(fmt::format("truncated '{}' box: {} of {} bytes", fourcc_text(passed_.type), offset_ - passed_start_,
                     passed_.size.value_or(0)));
    return summary_;
  }
  if (open_mdat_) check_mdat(*open_mdat_, offset_);
  if (phase_ != phase::stopped && !unplaced_.empty()) fail("moof without an mdat holding its samples");
  phase_ = phase::stopped;
  return summary_;
}

bool fragment_parser::read_styp(std::span<const std::uint8_t> payload) {
  byte_reader reader(payload);
  auto major = reader.u32();
  reader.skip(4);  // minor version
  if (!reader.ok() || reader.remaining() % 4 != 0) return fail("styp is not a list of brands");
  auto note = [&](fourcc brand) {
    summary_.slate = summary_.slate || brand == slat;
    summary_.last_segment = summary_.last_segment || brand == lmsg;
  };
  note(major);
  while (reader.remaining() > 0) note(reader.u32());
  return true;
}

bool fragment_parser::read_moof(std::span<const std::uint8_t> payload, std::uint64_t moof_start) {
  ++summary_.fragments;
  data_span moof_data{std::numeric_limits<std::uint64_t>::max(), 0};
  std::uint64_t next_base = moof_start;  // a traf with neither base flag starts where the previous one's data ended
  box_walker walker(payload);
  while (auto child = walker.next()) {
    if (child->type == mfhd) {
      byte_reader reader(child->payload);
      reader.skip(4);  // version and flags
      auto sequence_number = reader.u32();
      if (!reader.ok()) return fail("mfhd is cut short");
      if (!summary_.first_sequence_number) summary_.first_sequence_number = sequence_number;
      summary_.last_sequence_number = sequence_number;
    } else if (child->type == traf) {
      if (!read_traf(child->payload, moof_start, next_base, moof_data)) return false;
    }
  }
  if (walker.failed()) return fail(overrun(moof));
  if (moof_data.end > moof_data.begin) unplaced_.push_back(moof_data);
  return true;
}

bool fragment_parser::read_traf(std::span<const std::uint8_t> payload, std::uint64_t moof_start,
                                std::uint64_t& next_base, data_span& moof_data) {
  std::optional<box> header_box, decode_time_box;
  box_walker walker(payload);
  while (auto child = walker.next()) {
    if (child->type == tfhd && !header_box) header_box = child;
    if (child->type == tfdt && !decode_time_box) decode_time_box = child;
  }
  if (walker.failed()) return fail(overrun(traf));
  if (!header_box) return fail("traf without tfhd");

  byte_reader header(header_box->payload);
  auto flags = header.u32() & 0xffffff;
  auto track_id = header.u32();
  auto base_data_offset = flags & tfhd_base_data_offset ? header.u64() : 0;
  if (flags & tfhd_sample_description_index) header.skip(4);
  auto tfhd_duration = flags & tfhd_default_duration ? header.u32() : 0;
  auto tfhd_size = flags & tfhd_default_size ? header.u32() : 0;
  if (flags & tfhd_default_flags) header.skip(4);
  if (!header.ok()) return fail("tfhd is cut short");
  const track_info* declared = init_ ? init_->find(track_id) : nullptr;
  if (init_ && !declared)
    return fail(fmt::format("traf of track {}, which the init segment does not declare", track_id));
  std::uint32_t default_duration = flags & tfhd_default_duration ? tfhd_duration
                                   : declared                    ? declared->default_sample_duration
                                                                 : 0;
  std::uint32_t default_size = flags & tfhd_default_size ? tfhd_size : declared ? declared->default_sample_size : 0;
  std::uint64_t base = flags & tfhd_base_data_offset       ? base_data_offset
                       : flags & tfhd_default_base_is_moof ? moof_start
                                                           : next_base;

  std::optional<std::uint64_t> decode_time;
  if (decode_time_box) {
    byte_reader reader(decode_time_box->payload);
    decode_time = full_box_version(reader) == 1 ? reader.u64() : reader.u32();
    if (!reader.ok()) return fail("tfdt is cut short");
  }
  fragment_track& samples = track(track_id);
  if (++samples.fragments == 1) {
    samples.first_decode_time = decode_time;
  } else if (decode_time && samples.end_decode_time) {
    auto expected = *samples.end_decode_time;
    if (*decode_time > expected)
      samples.largest_fragment_gap = std::max(samples.largest_fragment_gap, *decode_time - expected);
    else
      samples.largest_fragment_overlap = std::max(samples.largest_fragment_overlap, expected - *decode_time);
  }
  auto start = decode_time ? decode_time : samples.end_decode_time;  // no tfdt: on from the previous traf

  std::uint64_t traf_duration = 0;
  std::uint64_t position = base;  // where the next trun's data starts when it has no data offset
  box_walker runs(payload);
  while (auto child = runs.next()) {
    if (child->type != trun) continue;
    byte_reader reader(child->payload);
    auto run_flags = reader.u32() & 0xffffff;
    std::uint64_t count = reader.u32();
    auto data_offset = static_cast<std::int32_t>(run_flags & trun_data_offset ? reader.u32() : 0);
    if (run_flags & trun_first_sample_flags) reader.skip(4);
    if (!reader.ok()) return fail("trun is cut short");
    std::uint64_t fields = (run_flags & trun_duration ? 1 : 0) + (run_flags & trun_size ? 1 : 0) +
                           (run_flags & trun_flags ? 1 : 0) + (run_flags & trun_composition_offset ? 1 : 0);
    if (count * fields * 4 > reader.remaining())
      return fail(fmt::format("trun of {} samples is shorter than its sample table", count));
    if (run_flags & trun_data_offset) {
      if (data_offset < 0 && static_cast<std::uint64_t>(-static_cast<std::int64_t>(data_offset)) > base)
        return fail("trun data offset points before the segment");
      position = base + static_cast<std::uint64_t>(static_cast<std::int64_t>(data_offset));
    }

    std::uint64_t run_duration = 0, run_bytes = 0, longest = count > 0 ? default_duration : 0;
    if (fields == 0) {  // every sample takes the defaults: no per-sample loop, however large the count
      run_duration = count * default_duration;
      run_bytes = count * default_size;
      samples.durations.add(default_duration, count);
    } else {
      longest = 0;
      std::uint64_t same_value = 0, same_count = 0;  // runs of equal durations go to the histogram at once
      for (std::uint64_t i = 0; i < count; ++i) {
        std::uint64_t duration = run_flags & trun_duration ? reader.u32() : default_duration;
        std::uint64_t size = run_flags & trun_size ? reader.u32() : default_size;
        reader.skip((run_flags & trun_flags ? 4 : 0) + (run_flags & trun_composition_offset ? 4 : 0));
        run_duration += duration;
        run_bytes += size;
        longest = std::max(longest, duration);
        if (duration != same_value) {
          samples.durations.add(same_value, same_count);
          same_value = duration;
          same_count = 0;
        }
        ++same_count;
      }
      samples.durations.add(same_value, same_count);
    }
    samples.sample_count += count;
    samples.duration = saturating_add(samples.duration, run_duration);
    samples.longest_sample = std::max(samples.longest_sample, longest);
    samples.bytes = saturating_add(samples.bytes, run_bytes);
    traf_duration = saturating_add(traf_duration, run_duration);
    if (run_bytes > 0) {
      moof_data.begin = std::min(moof_data.begin, position);
      moof_data.end = std::max(moof_data.end, saturating_add(position, run_bytes));
    }
    position = saturating_add(position, run_bytes);
  }
  if (start) samples.end_decode_time = saturating_add(*start, traf_duration);
  next_base = position;
  return true;
}

bool fragment_parser::check_mdat(std::uint64_t payload_begin, std::uint64_t payload_end) {
  std::vector<data_span> later;
  for (const auto& data : unplaced_) {
    if (data.begin >= payload_end) {
      later.push_back(data);  // in an mdat still to come
    } else if (data.begin < payload_begin) {
      return fail("sample data outside any mdat");
    } else if (data.end > payload_end) {
      return fail(fmt::format("mdat shorter than its samples: {} bytes, samples up to byte {}",
                              payload_end - payload_begin, data.end - payload_begin));
    }
  }
  unplaced_ = std::move(later);
  return true;
}

fragment_track& fragment_parser::track(std::uint32_t track_id) {
  for (auto& existing : summary_.tracks)
    if (existing.track_id == track_id) return existing;
  summary_.tracks.push_back({.track_id = track_id});
  return summary_.tracks.back();
}

fragment_summary inspect_segment(std::span<const std::uint8_t> bytes, const init_segment* init) {
  fragment_parser parser(init);
  parser.feed(bytes);
  return parser.finish();
}

}  // namespace live_origin::model
