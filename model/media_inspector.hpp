#pragma once

// What one stream remembers to inspect its pipelines' uploads (model/media_inspection.hpp): per pipeline,
// the parsed init segments by object name, and per representation where its last inspected segment's
// tracks ended. The stream actor owns one and hands it every stored init and media segment; it returns
// the verdict to merge with what the packager reported. Bounded: one init per init object name and one
// position per representation, both dropped with the stream.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/media_inspection.hpp"
#include "model/object_kind.hpp"

namespace live_origin::model {

// A tenant's inspection settings ([live] inspect, inspect_tolerance_ms; per tenant too).
struct inspection_settings {
  inspection_checks checks;
  std::int64_t tolerance_ms = 100;
};

// The names config uses for the checks: "short", "discontinuity", "corrupt", "slate".
// nullopt when a name is not one of them.
std::optional<inspection_checks> parse_inspection_checks(const std::vector<std::string>& names);
std::vector<std::string> inspection_check_names(const inspection_checks& checks);

class media_inspector {
 public:
  explicit media_inspector(std::size_t pipelines);

  // An init segment stored by `pipeline`: parsed and kept for the media segments that name it (replacing
  // what was kept under that name). Its verdict: corrupt when it is ISOBMFF that does not parse.
  inspection init_stored(std::size_t pipeline, const std::string& object, std::span<const std::uint8_t> bytes,
                         const inspection_settings& settings);

  // A media segment stored by `pipeline`: judged against its init segment, the previous segment of its
  // representation from the same pipeline (when that was segment n - 1; further back, where the
  // timeline puts n from there, whole segment durations later) and the expected duration.
  inspection segment_stored(std::size_t pipeline, const std::string& object, const object_class& object_class,
                            std::span<const std::uint8_t> bytes, std::optional<std::int64_t> duration_ms,
                            const inspection_settings& settings);

  // Inspection state kept, for tests and the bound above.
  std::size_t inits_kept() const;
  std::size_t positions_kept() const;

 private:
  struct position {
    std::uint64_t segment_number = 0;
    std::vector<track_end> ends;
  };
  struct pipeline_memory {
    std::map<std::string, init_segment, std::less<>> inits;  // by init object name
    std::map<std::string, position, std::less<>> positions;  // by representation (object_class::track)
  };

  const init_segment* init_for(const pipeline_memory& memory, std::string_view object) const;

  std::vector<pipeline_memory> pipelines_;
};

}  // namespace live_origin::model
