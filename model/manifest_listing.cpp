#include "model/manifest_listing.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

#include "model/text.hpp"

namespace live_origin::model {
namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t lists_none = -1;

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The path of a playlist URI: without query and fragment, and without scheme://authority when absolute.
std::string_view uri_path(std::string_view uri) {
  uri = uri.substr(0, std::min(uri.find('?'), uri.find('#')));
  if (auto scheme = uri.find("://"); scheme != std::string_view::npos) {
    auto path = uri.find('/', scheme + 3);
    uri = path == std::string_view::npos ? std::string_view() : uri.substr(path + 1);
  }
  return uri;
}

// HLS: the last media segment URI's number; -1 when only variant playlists (or nothing) are listed; nothing
// when the last URI that is not a playlist has no segment number (the bytes do not say).
std::optional<std::int64_t> hls_listing(std::string_view playlist, const naming_rules& naming) {
  std::int64_t last = lists_none;
  bool last_unnumbered = false;
  while (!playlist.empty()) {
    auto end = playlist.find('\n');
    auto line = trim_whitespace(playlist.substr(0, end));
    playlist.remove_prefix(end == std::string_view::npos ? playlist.size() : end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    auto object = classify_object(uri_path(line), naming);
    if (object.kind == object_kind::media_segment && object.segment_number <= static_cast<std::uint64_t>(int64_max)) {
      last = static_cast<std::int64_t>(object.segment_number);
      last_unnumbered = false;
    } else if (object.kind != object_kind::manifest) {
      last_unnumbered = true;
    }
  }
  if (last_unnumbered) return std::nullopt;
  return last;
}

// The value of attribute `name` in an XML start tag, quoted with " or '.
std::optional<std::string_view> attribute(std::string_view tag, std::string_view name) {
  for (auto at = tag.find(name); at != std::string_view::npos; at = tag.find(name, at + 1)) {
    if (at == 0 || !is_space(tag[at - 1])) continue;
    auto p = at + name.size();
    while (p < tag.size() && is_space(tag[p])) ++p;
    if (p >= tag.size() || tag[p] != '=') continue;
    ++p;
    while (p < tag.size() && is_space(tag[p])) ++p;
    if (p >= tag.size() || (tag[p] != '"' && tag[p] != '\'')) continue;
    auto close = tag.find(tag[p], p + 1);
    if (close == std::string_view::npos) return std::nullopt;
    return tag.substr(p + 1, close - p - 1);
  }
  return std::nullopt;
}

template <class Number>
std::optional<Number> number_in(std::string_view text) {
  Number value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// The last number one SegmentTemplate's timeline lists; `tag` is its start tag, `body` what follows up to its
// end tag. Nothing when the template has no timeline or is not numbered.
std::optional<std::int64_t> template_listing(std::string_view tag, std::string_view body) {
  auto media = attribute(tag, "media");
  if (!media || media->find("$Number") == std::string_view::npos) return std::nullopt;
  std::int64_t start = 1;  // ISO/IEC 23009-1's default
  if (auto text = attribute(tag, "startNumber")) {
    auto parsed = number_in<std::int64_t>(*text);
    if (!parsed || *parsed < 0) return std::nullopt;
    start = *parsed;
  }
  auto timeline = body.find("<SegmentTimeline");
  if (timeline == std::string_view::npos) return std::nullopt;
  body = body.substr(timeline + 1);
  body = body.substr(0, body.find("</SegmentTimeline"));
  std::int64_t segments = 0;
  for (auto at = body.find("<S"); at != std::string_view::npos; at = body.find("<S", at + 2)) {
    if (at + 2 >= body.size() || !(is_space(body[at + 2]) || body[at + 2] == '/' || body[at + 2] == '>')) continue;
    auto element = body.substr(at, body.find('>', at) - at);
    std::int64_t repeats = 0;
    if (auto r = attribute(element, "r")) {
      auto parsed = number_in<std::int64_t>(*r);
      if (!parsed || *parsed < 0) return std::nullopt;  // r="-1" repeats until the next period: not a count
      repeats = *parsed;
    }
    if (__builtin_add_overflow(segments, repeats, &segments) || __builtin_add_overflow(segments, 1, &segments))
      return std::nullopt;
  }
  std::int64_t last = 0;
  if (__builtin_add_overflow(start, segments - 1, &last)) return std::nullopt;
  return std::max(last, lists_none);
}

// DASH: the least last number over the MPD's SegmentTemplates that have a numbered timeline.
std::optional<std::int64_t> dash_listing(std::string_view mpd) {
  std::optional<std::int64_t> least;
  constexpr std::string_view open = "<SegmentTemplate";
  for (auto at = mpd.find(open); at != std::string_view::npos; at = mpd.find(open, at + open.size())) {
    auto tag_end = mpd.find('>', at);
    if (tag_end == std::string_view::npos) break;
    auto tag = mpd.substr(at, tag_end - at);
    if (tag.ends_with('/')) continue;  // no children: no timeline
    auto body = mpd.substr(tag_end + 1);
    body = body.substr(0, body.find("</SegmentTemplate"));
    if (auto last = template_listing(tag, body)) least = least ? std::min(*least, *last) : *last;
  }
  return least;
}

}  // namespace

std::int64_t listed_segment(std::string_view manifest, const naming_rules& naming, std::int64_t pipeline_newest) {
  if (starts_with(manifest, "\xEF\xBB\xBF")) manifest.remove_prefix(3);  // a UTF-8 byte order mark
  while (!manifest.empty() && is_space(manifest.front())) manifest.remove_prefix(1);
  std::optional<std::int64_t> listed;
  if (starts_with(manifest, "#EXTM3U"))
    listed = hls_listing(manifest, naming);
  else if (manifest.find("<MPD") != std::string_view::npos)
    listed = dash_listing(manifest);
  return listed.value_or(pipeline_newest);
}

}  // namespace live_origin::model
