#pragma once

// What stream actors and other nodes send to a storage actor, and what it answers: the payloads and their
// serialization. The type IDs are in storage/type_ids.hpp, the storage actor's interface in
// storage/storage_actor.hpp.

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/stored_record.hpp"
#include "model/timeline.hpp"
#include "storage/object_body.hpp"

namespace live_origin::storage {

// One pipeline's candidate for an object, to be written through (local: storage actors run in-process).
struct stored_candidate {
  std::string tenant;
  std::string stream;
  std::string object;
  std::string pipeline;
  object_body body;
  std::uint64_t digest = 0;
  std::int64_t stored_at_ms = 0;
  std::uint8_t defects = 0;      // a model::defect_set
  std::int64_t deadline_ms = 0;  // wall clock after which storage must not write it any more (0: none)
};

// A candidate as storage holds it, without its bytes: they stay on disk until a GET asks for them.
struct recovered_candidate {
  std::string object;
  std::string pipeline;
  std::uint64_t digest = 0;
  std::int64_t stored_at_ms = 0;
  std::uint8_t defects = 0;
  std::uint64_t size = 0;  // the stored body's size; an empty body has nothing to read back
};

// What storage holds for one stream: what its actor resumes from. Records that fail their checksum are
// reported and skipped, never returned.
struct recovered_stream {
  std::string tenant;
  std::string stream;
  std::optional<model::timeline> timeline;
  std::optional<model::stream_state_record> state;  // masks, notifications, 410 markers, DELETEs, settings
  std::vector<recovered_candidate> candidates;
  std::vector<std::pair<std::string, std::string>> served;  // object -> the pipeline whose candidate was served
  std::size_t skipped = 0;                                  // unreadable records
};

// A stream storage holds records for.
struct stored_stream {
  std::string tenant;
  std::string stream;
  friend bool operator==(const stored_stream&, const stored_stream&) = default;
};

// Raw store records from a stream's owner to a node that keeps a copy: what the owner wrote (or, for a
// catch-up, everything it holds for the stream), in the owner's order. A value larger than a chunk comes
// as consecutive pieces of a one-key batch (`piece_total` > 0).
struct record_batch {
  std::string tenant;
  std::string stream;
  std::vector<std::string> keys;
  std::vector<std::string> values;
  std::vector<std::string> erases;
  std::uint64_t piece_offset = 0;
  std::uint64_t piece_total = 0;
  std::vector<std::string> erase_prefixes;  // a catch-up starts by dropping what the copy held before
  friend bool operator==(const record_batch&, const record_batch&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_stream& x) {
  return f(caf::meta::type_name("stored_stream"), x.tenant, x.stream);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_batch& x) {
  return f(caf::meta::type_name("record_batch"), x.tenant, x.stream, x.keys, x.values, x.erases, x.piece_offset,
           x.piece_total, x.erase_prefixes);
}

}  // namespace live_origin::storage

// Local only: they carry shared buffers and never leave the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(live_origin::storage::stored_candidate)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(live_origin::storage::recovered_stream)
