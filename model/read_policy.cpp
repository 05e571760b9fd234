#include "model/read_policy.hpp"

#include <algorithm>
#include <limits>

namespace live_origin::model {
namespace {

std::string public_max_age(std::int64_t seconds) {
  return "public, max-age=" + std::to_string(std::max<std::int64_t>(seconds, 0));
}

// Clock arithmetic saturates: a saturated due time (absurd segment numbers) or an extreme clock must
// not wrap around into the past.
std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t difference = 0;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
}

// Whole seconds a CDN may keep an answer that must be gone by `ttl_ms` from now: strictly before that moment.
std::int64_t whole_seconds_before(std::int64_t ttl_ms) { return (ttl_ms - 1) / 1000; }

}  // namespace

std::string_view to_string(read_outcome outcome) {
  switch (outcome) {
    case read_outcome::serve:
      return "serve";
    case read_outcome::hold:
      return "hold";
    case read_outcome::not_yet:
      return "not_yet";
    case read_outcome::gone:
      return "gone";
    case read_outcome::shed:
      return "shed";
    case read_outcome::not_found:
      return "not_found";
    case read_outcome::unavailable:
      return "unavailable";
    case read_outcome::hold_limit:
      return "hold_limit";
    case read_outcome::store_unavailable:
      return "store_unavailable";
  }
  return "unknown";
}

std::int64_t manifest_fresh_for_ms(const timeline& line, std::int64_t listed_segment, std::int64_t now_ms) {
  auto edge = live_edge(line, now_ms);
  if (listed_segment < 0 || !edge || static_cast<std::uint64_t>(listed_segment) < *edge ||
      *edge == std::numeric_limits<std::uint64_t>::max())
    return -1;
  return saturating_sub(due_ms(line, *edge + 1), now_ms);
}

read_decision decide_read(const object_class& object, const std::optional<timeline>& line, const live_policy& policy,
                          const object_facts& facts, std::int64_t now_ms, bool shed_dvr) {
  const auto hold_bound = saturating_add(now_ms, policy.max_hold_ms);
  if (object.kind != object_kind::media_segment || !line) {
    if (facts.present && object.kind == object_kind::manifest && line)
      return {read_outcome::serve, 0, 0, manifest_fresh_for_ms(*line, facts.listed_segment, now_ms)};
    if (facts.present) return {read_outcome::serve};
    // ffmpeg uploads a playlist before the segment it names is complete: wait for the upload.
    if (facts.upload_in_flight) return {read_outcome::hold, hold_bound};
    return {read_outcome::not_found};
  }
  const auto n = object.segment_number;
  const auto position = position_of(*line, policy, n, now_ms);
  if (position == segment_position::expired) return {read_outcome::gone};
  if (facts.present) {
    auto edge = live_edge(*line, now_ms);
    // More than live_window_segments behind the edge; written without n + window, which can wrap.
    bool is_dvr = edge && n < *edge && (*edge - n) > policy.live_window_segments;
    return {shed_dvr && is_dvr ? read_outcome::shed : read_outcome::serve};
  }
  if (!facts.known_track) return {read_outcome::not_found};
  // A 410 already served stands: CDNs cache it, and the upload will be refused (write_policy).
  if (facts.declared_gone) return {read_outcome::gone};
  switch (position) {
    case segment_position::before_start:
    case segment_position::missed:
    case segment_position::expired:
      return {read_outcome::gone};  // deadlines hold even while a late upload trickles in
    case segment_position::awaited: {
      auto deadline = saturating_add(due_ms(*line, n), policy.retry_budget_ms);
      return {read_outcome::hold, std::min(deadline, hold_bound)};
    }
    case segment_position::ahead:
      // A packager running ahead of the timeline: its bytes are arriving, so wait for them.
      if (facts.upload_in_flight) return {read_outcome::hold, hold_bound};
      return {read_outcome::not_yet, 0, saturating_sub(due_ms(*line, n), now_ms)};
  }
  return {read_outcome::not_found};
}

answer_headers answer_for(const read_decision& decision, object_kind kind, const cache_policy& cache) {
  switch (decision.outcome) {
    case read_outcome::serve: {
      bool immutable = kind == object_kind::media_segment || kind == object_kind::init_segment;
      if (kind == object_kind::manifest && decision.fresh_for_ms >= 0)
        // Cacheable until just before the next segment is due (at least the floor); the exact figure in ms.
        return {200,
                public_max_age(std::max(whole_seconds_before(decision.fresh_for_ms), cache.manifest_min_max_age_s)),
                decision.fresh_for_ms};
      return {200, public_max_age(immutable ? cache.segment_max_age_s : cache.manifest_max_age_s)};
    }
    case read_outcome::not_yet:
      // Cacheable until just before the segment is due, in whole seconds; the exact figure in ms.
      return {404, public_max_age(whole_seconds_before(decision.ttl_ms)), decision.ttl_ms};
    case read_outcome::gone:
      return {410, public_max_age(cache.gone_max_age_s)};
    case read_outcome::shed:
      return {503, public_max_age(cache.shed_max_age_s)};
    case read_outcome::unavailable:
    case read_outcome::hold_limit:
    case read_outcome::store_unavailable:
      return {503, public_max_age(cache.miss_max_age_s)};
    case read_outcome::not_found:
    case read_outcome::hold:
      return {404, public_max_age(cache.miss_max_age_s)};
  }
  return {404, public_max_age(cache.miss_max_age_s)};
}

answer_headers answer_for_expired_hold(const read_decision& redecided, object_kind kind, const cache_policy& cache) {
  if (redecided.outcome == read_outcome::hold) return {404, "no-store"};
  return answer_for(redecided, kind, cache);
}

}  // namespace live_origin::model
