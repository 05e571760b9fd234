#pragma once

// The durability protocol of a stream actor: nothing is acknowledged, and no segment's first 200 goes
// out, before storage has what a restarted stream needs to give the same answer.
//
//  PUT (write_object)                          storage actor (one per stream, in order)
//  ───────────────────                         ─────────────────────────────────────────
//  candidate kept in memory, durable = false
//  write_through: request N (store_atom) ─────▶ candidate + body records (the store's WAL)
//    the packager's answer waits                    │
//    in writes_in_storage[N]                        │ true / false / timeout (storage_timeout)
//  storage_answered(N) ◀────────────────────────────┘
//    ok, N carried the current bytes: durable = true ──▶ may leave the hot window (memory.hpp)
//    failed, not durable, not served, nothing newer on its way: candidate dropped + erase_atom
//  writes_in_storage[N] answered: 201/204 when ok, else 503 (store_failed)
//
//  GET that chooses an unserved media or init segment (reads.cpp: reply_for)
//  ───────────────────────────────────────────────────────────────────────────
//  served = true; newly_served += (object, pipeline); the reply waits in first_serves[(object, pipeline)]
//  flush_served: served_atom marker ──────────▶ queued behind the candidate's own write: both or neither
//  first_serve_stored(ok) ◀──────────────────────┘
//    ok and the candidate durable: the waiting replies go on (answer)
//    else: 503 to them, the choice is undone (served = false, the marker erased), a retry decides again
//  answer: bytes in memory ─▶ delivered at once
//          bytes only in storage ─▶ cold_reads: one get_atom for all waiting; unreadable bytes nobody got
//          yet (undelivered_choices) are withdrawn (withdraw_choice) and the read decided again
//
//  Stream state (masks, notifications, 410 markers, DELETE schedules, settings): one record, rewritten
//  whole by persist_state when state_changed; an answer that depends on it (a 410, a DELETE's 204, an
//  operator's change) waits in after_state until state_stored() reports the write that holds it.
//
//  The actor ending (crash or exit): fail_waiting answers everything above with request_receiver_down, so
//  the HTTP side asks the successor, which resumes from storage (recovery.hpp).

#include <cstdint>
#include <functional>
#include <string>

#include "actors/stream/state.hpp"

namespace live_origin::actors::stream {

// Writes the pipeline's candidate through to storage; the returned promise answers the packager with
// `reply` once storage has it (503 if it refuses or is late). `new_bytes`: the write carries bytes the
// candidate did not have (else it repeats bytes still on their way).
caf::typed_response_promise<write_reply> write_through(stream_pointer self, const std::string& name,
                                                       std::size_t pipeline, write_reply reply, bool new_bytes,
                                                       std::int64_t now);

// Answers a read. A segment's first 200 waits until storage has the served marker (which it writes after
// the segment's bytes, so both are durable): a crash cannot make a restarted stream serve other bytes
// than the ones CDNs already have. Bytes outside the hot window are read from storage first, once for
// every request waiting for them, and kept in memory again (cool_down() decides how long). A 410 waits
// until storage has the state record that remembers it (when_state_stored).
void answer(stream_pointer self, const std::string& name, read_reply reply,
            caf::typed_response_promise<read_reply> promise);

// Tells storage which segments were served for the first time; their first answers go out once it has
// the marker (first_serve_stored).
void flush_served(stream_pointer self);

// Writes masks, notifications, 410 markers, DELETE schedules and settings through when any changed; answers
// that depend on them wait (when_state_stored). One small record per stream, rewritten whole: all of it
// is bounded.
void persist_state(stream_pointer self);

// Writes the timeline through when it changed. A failed write is written again at the next sweep; an
// operator's change waits for it (status_once_stored: it is ahead of the state record in storage's queue).
void persist_timeline(stream_pointer self);

// Runs `deliver` once storage has the stream's state as it is now: at once when nothing is waiting to be
// written, else when the write persist_state() sends next (or the one on its way) is answered.
void when_state_stored(stream_pointer self, std::function<void(state_write)> deliver);

// The actor is ending: everything waiting on it is told its receiver went down, so the HTTP side asks the
// successor (the tenant supervisor restarts a failed stream from storage) instead of timing out.
void fail_waiting(stream_state& st);

// A stored segment that storage could not give back in time: ask again in a second.
read_reply storage_unavailable(const stream_state& st);

}  // namespace live_origin::actors::stream
