#pragma once

// What a stream holds and where: bytes stored (counted against the tenant's quota), bytes in memory (the
// hot window, model::hot_window), and the tenant's object count.

#include <string>
#include <vector>

#include "actors/stream/state.hpp"

namespace live_origin::actors::stream {

// Counts a candidate's bytes in or out of the hot window (the stream's and the process's).
void count_hot(stream_state& st, const stored_object& candidate, bool in);

// A candidate leaves: its bytes no longer count as stored (nor as hot).
void forget(stream_state& st, stored_object& candidate);

// A durable media segment candidate in memory may leave the hot window from now on.
void note_coolable(stream_state& st, const std::string& name, std::size_t pipeline);

// Keeps the hot window within its bounds: the oldest durable media segments leave memory (their bytes
// stay in storage and are read back when asked for). Manifests and init segments always stay.
void cool_down(stream_state& st);

// Keeps the tenant's object count in step with this stream's (after anything that adds or erases).
void count_objects(stream_state& st);

// The storage keys of one candidate: its candidate record and its body record.
std::vector<std::string> candidate_keys(const stream_state& st, const std::string& name, std::size_t pipeline);

}  // namespace live_origin::actors::stream
