#pragma once

// What durable storage keeps for a stream, as bytes: per object candidate a small candidate record (what a
// restarted stream resumes from) and a body record (the bytes, read when a GET needs them), the stream's
// timeline, its state and served markers. Every record carries a format tag and a checksum over everything
// after it, so a torn or corrupted record is recognised and skipped, never served as data.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/timeline.hpp"

namespace live_origin::model {

// One pipeline's candidate for one object, with what the stream actor needs to resume serving it.
struct object_record {
  std::string object;    // the name inside the stream ("chunk-stream0-00042.m4s")
  std::string pipeline;  // the pipeline id that wrote it
  std::uint64_t digest = 0;
  std::int64_t stored_at_ms = 0;
  std::uint8_t defects = 0;
  std::string_view body;   // encode: the bytes to store; decode: a view into the decoded value
  std::uint64_t size = 0;  // candidate records: the body's size (the body itself is in the body record)
};

// The body record: everything above with the bytes.
std::string encode_object_record(const object_record& record);
// nullopt when the value is not a whole, intact object record (wrong tag, short, checksum mismatch).
std::optional<object_record> decode_object_record(std::string_view value);

// The candidate record: everything but the bytes (`size` is record.body.size() when encoding); decoded
// with an empty body.
std::string encode_candidate_record(const object_record& record);
std::optional<object_record> decode_candidate_record(std::string_view value);

std::string encode_timeline_record(const timeline& line);
std::optional<timeline> decode_timeline_record(std::string_view value);

// The rest of what a stream decided and must keep across restarts.
struct stream_state_record {
  live_policy policy;
  bool force_shedding = false;
  std::vector<std::string> pipeline_order;  // pipeline ids in this stream's selection order
  struct mask {
    std::string pipeline;
    std::uint64_t from = 0, to = 0;
  };
  std::vector<mask> masks;
  std::vector<std::pair<std::uint64_t, std::string>> events;  // (segment number, encoded notification)
  std::vector<std::string> gone;                              // media segments a 410 was served for
  std::vector<std::pair<std::string, std::int64_t>> deletes;  // object -> when its DELETE arrived (ms)
};

std::string encode_stream_state_record(const stream_state_record& state);
std::optional<stream_state_record> decode_stream_state_record(std::string_view value);

// Keys: every record a stream resumes from starts with stream_key_prefix(tenant, stream), so one prefix
// scan finds them without reading any body; body records live under their own prefix. Names never
// contain '\x1f' (path validation), which separates the parts.
std::string stream_key_prefix(std::string_view tenant, std::string_view stream);
std::string stream_body_prefix(std::string_view tenant, std::string_view stream);  // the stream's body records
inline constexpr std::string_view all_streams_prefix = "s\x1f";
std::string candidate_record_key(std::string_view tenant, std::string_view stream, std::string_view object,
                                 std::string_view pipeline);
std::string body_record_key(std::string_view tenant, std::string_view stream, std::string_view object,
                            std::string_view pipeline);
std::string timeline_record_key(std::string_view tenant, std::string_view stream);
std::string served_marker_key(std::string_view tenant, std::string_view stream, std::string_view object);
std::string stream_state_key(std::string_view tenant, std::string_view stream);

// A key taken apart: which stream, and which record of it.
struct record_key {
  enum class kind { object, timeline, served, state } what;
  std::string tenant, stream, object, pipeline;
};
std::optional<record_key> parse_record_key(std::string_view key);
// The (tenant, stream) any of a stream's records (body records included) belongs to.
struct stream_name {
  std::string tenant, stream;
};
std::optional<stream_name> record_stream(std::string_view key);

}  // namespace live_origin::model
