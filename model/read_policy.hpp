#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/object_kind.hpp"
#include "model/timeline.hpp"

namespace live_origin::model {

// What the stream knows about the object a GET asks for.
struct object_facts {
  bool present = false;              // a version is stored
  bool declared_gone = false;        // a 410 was already served for it
  bool upload_in_flight = false;     // a PUT for it has started and not finished
  bool known_track = true;           // media segments: the stream has received this track before; a name
                                     // nobody publishes is never held or remembered as gone
  std::int64_t listed_segment = -1;  // manifests: the newest segment the version to serve lists (-1: none)
};

enum class read_outcome : std::uint8_t {
  serve,              // 200 with the stored bytes
  hold,               // park the request until the object lands or `hold_until_ms`
  not_yet,            // 404 cacheable until just before the segment is due
  gone,               // 410: missed its deadline, never produced, or older than the DVR window
  shed,               // 503: a DVR read while the origin is overloaded
  not_found,          // 404 with a short lifetime: no timeline to say more
  unavailable,        // 503 with a short lifetime: the node owning the stream did not answer (cluster failover)
  hold_limit,         // 503 with a short lifetime: it should be held, but the stream or process holds its maximum
  store_unavailable,  // 503 with a short lifetime: the bytes to serve are in storage, which cannot give them now
};

std::string_view to_string(read_outcome outcome);

struct read_decision {
  read_outcome outcome = read_outcome::not_found;
  std::int64_t hold_until_ms = 0;  // hold: when the hold ends if nothing lands
  std::int64_t ttl_ms = 0;         // not_yet: milliseconds until the segment is due
  std::int64_t fresh_for_ms = -1;  // serve of a manifest listing the live edge: ms until the stream's next segment
                                   // is due (manifest_fresh_for_ms); -1 when the timeline cannot tell
};

// How long a manifest version listing up to `listed_segment` stays the latest, by the timeline: when it lists
// the live edge (or more: a packager slightly ahead of it), until the stream's next segment is due, at most one
// segment duration. -1 when the timeline cannot tell: nothing due yet, or the version lists no segment or lies
// behind the edge (its successor is overdue and may come any moment).
std::int64_t manifest_fresh_for_ms(const timeline& line, std::int64_t listed_segment, std::int64_t now_ms);

// Decides a GET (PRODUCT.md "Delivery"). `line` is empty until the stream has a timeline.
// `shed_dvr` is true while the origin is overloaded: stored segments more than live_window_segments
// behind the live edge are shed; live-edge reads and holds never are.
read_decision decide_read(const object_class& object, const std::optional<timeline>& line, const live_policy& policy,
                          const object_facts& facts, std::int64_t now_ms, bool shed_dvr);

// Cache lifetimes a CDN gets with each answer (seconds).
struct cache_policy {
  std::int64_t segment_max_age_s = 3600;  // 200 for media and init segments (immutable once served)
  std::int64_t manifest_max_age_s = 1;    // 200 for plain objects, and manifests the timeline cannot date
  std::int64_t gone_max_age_s = 3600;     // 410
  std::int64_t miss_max_age_s = 1;        // 404 with no timeline to say when, unknown tenant or stream
  std::int64_t shed_max_age_s = 5;        // 503 while shedding
  // 200 for a manifest listing the live edge: whole seconds until the stream's next segment is due, but at least
  // this much. nginx does not cache max-age=0 at all (other caches must revalidate it before every reuse), which
  // would send every player's reload in the last second before each segment to the origin.
  std::int64_t manifest_min_max_age_s = 1;
};

// Status and cache headers for a decision; `hold` has none (it is decided again when it ends).
struct answer_headers {
  std::uint16_t status = 0;
  std::string cache_control;
  std::int64_t ttl_ms = -1;  // X-Origin-TTL-Ms, when >= 0
};

answer_headers answer_for(const read_decision& decision, object_kind kind, const cache_policy& cache);

// A hold that ended without the object: re-decided at its end. Still awaited (the hold hit
// max_hold_ms first) means "not here yet, ask again": 404 that must not be cached.
answer_headers answer_for_expired_hold(const read_decision& redecided, object_kind kind, const cache_policy& cache);

}  // namespace live_origin::model
