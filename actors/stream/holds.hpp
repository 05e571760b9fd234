#pragma once

// GETs that wait: for the next segment, one inside its retry budget, or an object whose upload is in
// flight. Each is parked with its deadline (model::read_decision::hold_until_ms), re-decided whenever
// something it waits for changes, and answered when the object lands, the deadline passes, or its client
// leaves. Bounded per stream and per process (stream_defaults::max_held_*).

#include <cstdint>
#include <optional>
#include <string>

#include "actors/stream/state.hpp"
#include "model/read_policy.hpp"

namespace live_origin::actors::stream {

// Parks a read the model decided to hold (503 over the bounds).
caf::result<read_reply> hold(stream_pointer self, const object_read& read, const model::read_decision& decision,
                             std::int64_t now);

// Re-decides every request held for `name` (after a write or an aborted upload) and answers, in arrival
// order, those that no longer need to wait.
void resolve_holds(stream_pointer self, const std::string& name);

// After a mask or settings change: every held request may now have its answer.
void resolve_all_holds(stream_pointer self);

// A hold's deadline: decided once more, with whatever is there now (a defective candidate rather than
// nothing), else 404 "not here yet" or 410.
void expire_hold(stream_pointer self, const std::string& name, std::uint64_t token);

// A held client went away: its bridge still waits for an answer, which nobody will read (499).
void release_hold(stream_pointer self, const std::string& name, std::uint64_t token);

}  // namespace live_origin::actors::stream
