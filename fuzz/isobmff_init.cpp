// libFuzzer target: init segments (ftyp + moov) through parse_init_segment.

#include <cstdint>
#include <cstdlib>
#include <span>

#include "model/isobmff.hpp"

using namespace live_origin::model;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = parse_init_segment(std::span(data, size));
  // What callers rely on: a usable init has tracks, each with a timescale to divide by.
  if (parsed.status == parse_status::ok) {
    if (parsed.init.tracks.empty()) std::abort();
    for (const auto& track : parsed.init.tracks)
      if (track.timescale == 0) std::abort();
  }
  if (parsed.status != parse_status::ok && !parsed.init.tracks.empty()) std::abort();
  return 0;
}
