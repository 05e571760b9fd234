#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace live_origin::model {

// What an object is, decided from its name (PRODUCT.md "Names").
enum class object_kind {
  manifest,       // .mpd, .m3u8: mutable, latest version wins
  init_segment,   // init-stream0.m4s, init.mp4
  media_segment,  // has a segment number: chunk-stream0-00042.m4s, stream42.ts, video/1080p/42.m4s
  plain,          // anything else: a mutable object with no place on the timeline
};

std::string_view to_string(object_kind kind);

struct object_class {
  object_kind kind = object_kind::plain;
  std::uint64_t segment_number = 0;  // media segments: the last run of digits in the file name's stem
  std::string track;                 // media segments: the name with that run taken out
};

// Glob patterns ('*' any run, '?' one character) matched against the file name (the part after the
// last '/'). Defaults fit ffmpeg's HLS (ts and fMP4) and DASH names; a tenant may override them.
struct naming_rules {
  std::vector<std::string> manifest_patterns{"*.mpd", "*.m3u8"};
  std::vector<std::string> init_patterns{"init*"};
  std::vector<std::string> plain_patterns{};  // never media segments, even with digits in the name
};

// Classifies an object name. Rules apply in order: plain, manifest, init, then a media segment when
// the file name's stem (before the last '.') has a run of digits that fits 64 bits; else plain.
object_class classify_object(std::string_view object, const naming_rules& rules);

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace live_origin::model
