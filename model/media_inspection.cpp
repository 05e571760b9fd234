#include "model/media_inspection.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include <fmt/format.h>

namespace live_origin::model {
namespace {

// One track in the terms the rules use, whichever format it came from.
struct track_timing {
  std::string name;  // "video", "audio", "video track 2", "PID 258"
  std::uint32_t id = 0;
  std::uint32_t timescale = 0;
  std::uint64_t modulus = 0;  // TS: times wrap at 2^33; 0: they do not
  bool judged = false;        // audio or video: the rules apply
  std::string_view unit = "samples";
  std::uint64_t samples = 0;
  std::optional<std::uint64_t> first;
  std::optional<std::uint64_t> end;
  std::uint64_t duration = 0;
  std::uint64_t longest = 0;  // the longest sample (TS: step between PES)
  std::uint64_t typical = 0;  // the median one
  std::uint64_t gap = 0;      // the largest gap between chunks
  std::uint64_t step_back = 0;
  // How much earlier than `end` the track may really have ended. TS: the last PES's duration is not in the
  // stream, `end` assumes a typical one, and ffmpeg flushes a shorter audio PES where it cuts a segment.
  std::uint64_t end_uncertainty = 0;
};

// The segment as a whole.
struct segment_facts {
  media_format format = media_format::unknown;
  std::string problem;  // non-empty when corrupt
  bool slate = false;
  bool last_segment = false;
};

// Times beyond this are held here: far beyond any real one, and far enough from the int64 limit that
// adding a tolerance or a duration to it cannot overflow.
constexpr std::int64_t max_ms = std::numeric_limits<std::int64_t>::max() / 4;

std::int64_t to_ms(std::uint64_t ticks, std::uint32_t timescale) {
  std::uint64_t whole = ticks / timescale, rest = ticks % timescale;
  if (whole >= static_cast<std::uint64_t>(max_ms / 1000)) return max_ms;
  return static_cast<std::int64_t>(whole * 1000 + rest * 1000 / timescale);
}

// Milliseconds (not negative) into ticks, held at the largest value rather than wrapping.
std::uint64_t to_ticks(std::int64_t ms, std::uint32_t timescale) {
  auto whole = static_cast<std::uint64_t>(std::max<std::int64_t>(ms, 0));
  if (whole / 1000 > std::numeric_limits<std::uint64_t>::max() / timescale / 2)
    return std::numeric_limits<std::uint64_t>::max();
  return whole / 1000 * timescale + whole % 1000 * timescale / 1000;
}

double to_seconds(std::uint64_t ticks, std::uint32_t timescale) {
  return static_cast<double>(ticks) / static_cast<double>(timescale);
}

// a - b in ticks, as a signed distance; with a modulus, the shorter way round.
std::int64_t ms_between(std::uint64_t a, std::uint64_t b, const track_timing& track) {
  std::uint64_t forward = a - b, backward = b - a;  // unsigned: wrap-around is meant
  if (track.modulus) {
    forward &= track.modulus - 1;
    backward &= track.modulus - 1;
  }
  bool ahead = track.modulus ? forward <= backward : a >= b;
  return ahead ? to_ms(forward, track.timescale) : -to_ms(backward, track.timescale);
}

// "35 of 50 samples" when the reference duration holds more typical samples than there are.
std::string sample_count(const track_timing& track, std::uint64_t reference) {
  if (track.typical > 0) {
    auto expected = (reference + track.typical / 2) / track.typical;
    if (expected > track.samples) return fmt::format("{} of {} {}", track.samples, expected, track.unit);
  }
  return fmt::format("{} {}", track.samples, track.unit);
}

std::optional<std::string> shortness(const track_timing& track, const segment_expectations& expected,
                                     bool last_segment) {
  if (track.samples == 0) return track.name + ": absent";
  auto tolerance = expected.tolerance_ms;
  if (expected.duration_ms && !last_segment &&
      to_ms(track.duration, track.timescale) + tolerance < *expected.duration_ms) {
    return fmt::format("{}: {}, {:.2f} s of {:.2f} s", track.name,
                       sample_count(track, to_ticks(*expected.duration_ms, track.timescale)),
                       to_seconds(track.duration, track.timescale),
                       static_cast<double>(*expected.duration_ms) / 1000.0);
  }
  bool outlasts_typical = track.typical > 0 && track.longest > 2 * track.typical;  // durations fit 32 bits
  bool outlasts_segment =
      expected.duration_ms && to_ms(track.longest, track.timescale) > *expected.duration_ms + tolerance;
  if (outlasts_typical || outlasts_segment)
    return fmt::format("{}: {}, one lasting {:.2f} s", track.name, sample_count(track, track.duration),
                       to_seconds(track.longest, track.timescale));
  if (to_ms(track.gap, track.timescale) > tolerance)
    return fmt::format("{}: a gap of {:.2f} s between chunks", track.name, to_seconds(track.gap, track.timescale));
  return std::nullopt;
}

std::vector<std::string> discontinuities(const track_timing& track, const segment_expectations& expected) {
  std::vector<std::string> found;
  if (!track.first) return found;
  auto tolerance = expected.tolerance_ms;
  auto starts_at = to_seconds(*track.first, track.timescale);
  auto previous = std::find_if(expected.previous_ends.begin(), expected.previous_ends.end(), [&](const auto& end) {
    return end.track_id == track.id && end.timescale == track.timescale;
  });
  auto after_previous =
      previous == expected.previous_ends.end() ? 0 : ms_between(*track.first, previous->decode_time, track);
  if (after_previous > tolerance || after_previous < -tolerance - to_ms(track.end_uncertainty, track.timescale))
    found.push_back(fmt::format("{}: starts at {:.3f} s, previous ended at {:.3f} s", track.name, starts_at,
                                to_seconds(previous->decode_time, track.timescale)));
  if (expected.start_ms) {
    // With a modulus (TS: 90 kHz, a whole number of ticks per ms), reduced first so it cannot overflow.
    auto expected_ticks =
        track.modulus
            ? to_ticks(*expected.start_ms % static_cast<std::int64_t>(track.modulus), track.timescale) % track.modulus
            : to_ticks(*expected.start_ms, track.timescale);
    if (std::abs(ms_between(*track.first, expected_ticks, track)) > tolerance)
      found.push_back(fmt::format("{}: starts at {:.3f} s, the timeline expects {:.3f} s", track.name, starts_at,
                                  static_cast<double>(*expected.start_ms) / 1000.0));
  }
  if (to_ms(track.step_back, track.timescale) > tolerance)
    found.push_back(fmt::format("{}: decode time steps back {:.3f} s inside the segment", track.name,
                                to_seconds(track.step_back, track.timescale)));
  return found;
}

// Two tracks of one kind are told apart by id: "video track 2", "audio PID 257".
void name_apart(std::vector<track_timing>& tracks, std::string_view id_word) {
  std::vector<std::string> kinds;
  kinds.reserve(tracks.size());
  for (const auto& track : tracks) kinds.push_back(track.name);
  for (std::size_t i = 0; i < tracks.size(); ++i)
    if (std::count(kinds.begin(), kinds.end(), kinds[i]) > 1)
      tracks[i].name = fmt::format("{} {} {}", kinds[i], id_word, tracks[i].id);
}

inspection judge(const segment_facts& segment, const std::vector<track_timing>& tracks,
                 const segment_expectations& expected) {
  inspection verdict{.format = segment.format};
  if (segment.format == media_format::unknown) return verdict;
  auto add = [&](defect_set defect, std::string description) {
    verdict.defects |= defect;
    verdict.findings.push_back({defect, std::move(description)});
  };
  const auto& checks = expected.checks;
  if (checks.corruption && !segment.problem.empty()) add(defects::corrupt, segment.problem);
  if (checks.slate && segment.slate) add(defects::slate, "slate (styp brand slat)");
  for (const auto& track : tracks) {
    if (track.end) verdict.track_ends.push_back({track.id, track.timescale, *track.end});
    if (!track.judged) continue;
    if (checks.short_samples)
      if (auto description = shortness(track, expected, segment.last_segment))
        add(defects::short_segment, std::move(*description));
    if (checks.discontinuity)
      for (auto& description : discontinuities(track, expected)) add(defects::discontinuity, std::move(description));
  }
  return verdict;
}

bool is_video_stream_type(std::uint8_t type) {
  switch (type) {
    case 0x01:  // MPEG-1
    case 0x02:  // MPEG-2
    case 0x10:  // MPEG-4 part 2
    case 0x1b:  // H.264
    case 0x24:  // HEVC
    case 0x33:  // VVC
      return true;
    default:
      return false;
  }
}

bool is_audio_stream_type(std::uint8_t type) {
  switch (type) {
    case 0x03:  // MPEG-1 audio
    case 0x04:  // MPEG-2 audio
    case 0x0f:  // AAC (ADTS)
    case 0x11:  // AAC (LATM)
    case 0x81:  // AC-3
    case 0x87:  // E-AC-3
      return true;
    default:
      return false;
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

inspection judge_segment(const fragment_summary& segment, const init_segment* init,
                         const segment_expectations& expected) {
  segment_facts facts{segment.status == parse_status::unknown_format ? media_format::unknown : media_format::isobmff,
                      segment.status == parse_status::corrupt ? segment.problem : "", segment.slate,
                      segment.last_segment};
  std::vector<track_timing> tracks;
  for (const auto& declared : init ? init->tracks : std::vector<track_info>{}) {
    if (declared.timescale == 0) continue;  // parse_init_segment refuses it; nothing is measured without one
    bool video = declared.handler == make_fourcc("vide"), audio = declared.handler == make_fourcc("soun");
    track_timing track{.name = video   ? "video"
                               : audio ? "audio"
                                       : fourcc_text(declared.handler),
                       .id = declared.track_id,
                       .timescale = declared.timescale,
                       .judged = video || audio};
    if (const auto* found = segment.find(declared.track_id)) {
      track.samples = found->sample_count;
      track.first = found->first_decode_time;
      track.end = found->end_decode_time;
      track.duration = found->duration;
      track.longest = found->longest_sample;
      track.typical = found->typical_sample_duration();
      track.gap = found->largest_fragment_gap;
      track.step_back = found->largest_fragment_overlap;
    }
    tracks.push_back(std::move(track));
  }
  name_apart(tracks, "track");
  return judge(facts, tracks, expected);
}

inspection judge_segment(const ts_summary& segment, const segment_expectations& expected) {
  segment_facts facts{segment.status == parse_status::unknown_format ? media_format::unknown : media_format::mpeg_ts,
                      segment.status == parse_status::corrupt ? segment.problem : ""};
  std::vector<track_timing> tracks;
  for (const auto& stream : segment.streams) {
    bool video = is_video_stream_type(stream.stream_type), audio = is_audio_stream_type(stream.stream_type);
    track_timing track{.name = video   ? "video"
                               : audio ? "audio"
                                       : fmt::format("PID {}", stream.pid),
                       .id = stream.pid,
                       .timescale = ts_clock_hz,
                       .modulus = ts_time_modulus,
                       .judged = video || audio,
                       .unit = "PES packets",
                       .samples = stream.pes_count,
                       .first = stream.first_decode_time,
                       .typical = stream.typical_step()};
    if (stream.last_decode_time) {
      track.end = (*stream.last_decode_time + track.typical) % ts_time_modulus;  // its last PES lasts one step
      track.end_uncertainty = track.typical;
      track.duration = stream.decode_span + track.typical;
    }
    track.longest = stream.largest_step;
    track.step_back = stream.largest_step_back;
    tracks.push_back(std::move(track));
  }
  name_apart(tracks, "PID");
  return judge(facts, tracks, expected);
}

segment_inspector::segment_inspector(const init_segment* init) {
  if (init) init_ = *init;
}

void segment_inspector::feed(std::span<const std::uint8_t> bytes) {
  if (!started_) {
    auto taken = std::min(ts_packet_bytes + 1 - head_.size(), bytes.size());
    head_.insert(head_.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(taken));
    bytes = bytes.subspan(taken);
    if (head_.size() <= ts_packet_bytes) return;
    start();
  }
  if (auto* fragments = std::get_if<fragment_parser>(&parser_)) fragments->feed(bytes);
  if (auto* packets = std::get_if<ts_parser>(&parser_)) packets->feed(bytes);
}

void segment_inspector::start() {
  started_ = true;
  if (begins_like_isobmff(head_)) {
    parser_.emplace<fragment_parser>(init_ ? &*init_ : nullptr).feed(head_);
  } else if (begins_like_mpeg_ts(head_)) {
    parser_.emplace<ts_parser>().feed(head_);
  }
  head_ = {};
}

inspection segment_inspector::finish(const segment_expectations& expected) {
  if (!started_) start();
  if (auto* fragments = std::get_if<fragment_parser>(&parser_))
    return judge_segment(fragments->finish(), init_ ? &*init_ : nullptr, expected);
  if (auto* packets = std::get_if<ts_parser>(&parser_)) return judge_segment(packets->finish(), expected);
  return {};
}

inspection inspect_media(std::span<const std::uint8_t> bytes, const init_segment* init,
                         const segment_expectations& expected) {
  segment_inspector inspector(init);
  inspector.feed(bytes);
  return inspector.finish(expected);
}

std::optional<std::string> init_object_for(std::string_view media_object) {
  auto slash = media_object.rfind('/');
  auto folder = media_object.substr(0, slash == std::string_view::npos ? 0 : slash + 1);
  auto file = media_object.substr(folder.size());
  auto dot = file.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto stem = file.substr(0, dot), extension = file.substr(dot);
  auto digits_from = [&](std::size_t at) {
    return at < stem.size() && std::all_of(stem.begin() + at, stem.end(), is_digit);
  };
  constexpr std::string_view dash_prefix = "chunk-stream";
  auto last_dash = stem.rfind('-');
  if (stem.starts_with(dash_prefix) && last_dash != std::string_view::npos && last_dash > dash_prefix.size() &&
      digits_from(last_dash + 1)) {
    auto representation = stem.substr(dash_prefix.size(), last_dash - dash_prefix.size());
    return fmt::format("{}init-stream{}{}", folder, representation, extension);
  }
  if ((extension == ".m4s" || extension == ".mp4") && !stem.empty() && is_digit(stem.back()))
    return fmt::format("{}init.mp4", folder);
  return std::nullopt;
}

}  // namespace live_origin::model
