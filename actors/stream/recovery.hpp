#pragma once

// A stream's life beyond single requests: resuming from what storage holds (a restarted actor or process)
// and the periodic sweep that frees what left the DVR window.

#include "actors/stream/state.hpp"

namespace live_origin::actors::stream {

// Resumes from what storage holds: the candidates (cold: their bytes are read when asked for), which of
// them CDNs were served, the stream's state record, and the learned timeline (one fixed in the
// configuration wins).
void restore(stream_state& st, storage::recovered_stream recovered);

// The periodic sweep: frees what left the DVR window (in memory and in storage), writes through what
// changed, and schedules the next sweep.
void sweep_expired(stream_pointer self);
void schedule_sweep(stream_pointer self);

}  // namespace live_origin::actors::stream
