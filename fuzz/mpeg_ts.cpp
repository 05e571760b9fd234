// libFuzzer target: MPEG-TS segments, read at once and fed in pieces (the two must agree), then judged.

#include <cstdint>
#include <cstdlib>
#include <span>

#include "model/media_inspection.hpp"
#include "model/mpeg_ts.hpp"

using namespace live_origin::model;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static constexpr std::size_t sizes[] = {1, 187, 188, 189, 13, 1000, 376};
  std::span bytes(data, size);
  auto whole = inspect_ts_segment(bytes);
  ts_parser parser;
  for (std::size_t at = 0, turn = size; at < size; ++turn) {
    auto piece = std::min(sizes[turn % std::size(sizes)], size - at);
    parser.feed(bytes.subspan(at, piece));
    at += piece;
  }
  if (!(parser.finish() == whole)) std::abort();
  if ((whole.status == parse_status::unknown_format) == begins_like_mpeg_ts(bytes)) std::abort();
  auto verdict = judge_segment(whole, {.duration_ms = 2000, .start_ms = 1000, .previous_ends = {{256, 90000, 0}}});
  bool is_corrupt = verdict.defects & defects::corrupt;
  if (is_corrupt != (whole.status == parse_status::corrupt)) std::abort();
  return 0;
}
