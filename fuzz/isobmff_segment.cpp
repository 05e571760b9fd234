// libFuzzer target: fMP4 media segments, read at once and fed in pieces (the two must agree), with and
// without an init segment, then judged.

#include <cstdint>
#include <cstdlib>
#include <span>

#include "model/isobmff.hpp"
#include "model/media_inspection.hpp"

using namespace live_origin::model;

namespace {

// Video and audio as ffmpeg declares them, with trex defaults so every fallback is taken; and a track of
// one tick per second, so that forged times reach the limits of the millisecond arithmetic.
const init_segment init{{{1, 12800, make_fourcc("vide"), 512, 100}, {2, 48000, make_fourcc("soun"), 1024, 10}}};
const init_segment slow_init{{{1, 1, make_fourcc("vide"), 0xffffffff, 0}}};

// Feeds pieces of varying sizes, the pattern chosen by the input's length.
fragment_summary in_pieces(std::span<const std::uint8_t> bytes, const init_segment* with) {
  static constexpr std::size_t sizes[] = {1, 7, 188, 13, 1000, 3, 64};
  fragment_parser parser(with);
  for (std::size_t at = 0, turn = bytes.size(); at < bytes.size(); ++turn) {
    auto piece = std::min(sizes[turn % std::size(sizes)], bytes.size() - at);
    parser.feed(bytes.subspan(at, piece));
    at += piece;
  }
  return parser.finish();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span bytes(data, size);
  for (const init_segment* with : {&init, &slow_init, static_cast<const init_segment*>(nullptr)}) {
    auto whole = inspect_segment(bytes, with);
    if (!(in_pieces(bytes, with) == whole)) std::abort();
    if ((whole.status == parse_status::unknown_format) == begins_like_isobmff(bytes)) std::abort();
    if (whole.status == parse_status::corrupt && whole.problem.empty()) std::abort();
    auto verdict = judge_segment(whole, with,
                                 {.duration_ms = 2000, .start_ms = 1000, .previous_ends = {{1, 12800, 0}, {1, 1, 0}}});
    bool is_corrupt = verdict.defects & defects::corrupt;
    if (is_corrupt != (whole.status == parse_status::corrupt)) std::abort();
  }
  return 0;
}
