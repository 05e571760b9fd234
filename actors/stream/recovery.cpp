#include "actors/stream/recovery.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "actors/stream/durability.hpp"
#include "actors/stream/memory.hpp"
#include "actors/stream/writes.hpp"
#include "model/stored_record.hpp"

namespace live_origin::actors::stream {
namespace {

// Frees what left the DVR window: media segments, "gone" markers, and objects whose DELETE has aged out.
// The storage keys of what was freed are added to `erased`.
void sweep(stream_state& st, std::int64_t now, std::vector<std::string>& erased) {
  auto expired = [&](const std::string& name) {
    auto object = classify(st, name);
    return object.kind == model::object_kind::media_segment && st.timeline &&
           model::position_of(*st.timeline, st.policy, object.segment_number, now) == model::segment_position::expired;
  };
  for (auto it = st.objects.begin(); it != st.objects.end();) {
    bool deleted_long_ago =
        it->second.delete_requested_at_ms > 0 && it->second.delete_requested_at_ms + st.policy.dvr_window_ms <= now;
    if (expired(it->first) || deleted_long_ago) {
      auto number = classify(st, it->first).segment_number;
      for (std::size_t i = 0; i < it->second.candidates.size(); ++i) {
        st.hot.forget({number, it->first, i});
        st.undelivered_choices.erase({it->first, i});
        if (!present(it->second.candidates[i])) continue;
        forget(st, it->second.candidates[i]);
        for (auto& key : candidate_keys(st, it->first, i)) erased.push_back(std::move(key));
      }
      if (it->second.served) erased.push_back(model::served_marker_key(st.tenant, st.stream, it->first));
      it = st.objects.erase(it);
    } else {
      ++it;
    }
  }
  count_objects(st);
  auto kept = st.declared_gone.size() + st.events.size();
  for (auto it = st.declared_gone.begin(); it != st.declared_gone.end();)
    it = expired(*it) ? st.declared_gone.erase(it) : std::next(it);
  if (st.timeline) {
    auto edge = model::live_edge(*st.timeline, now);
    std::erase_if(st.events, [&](const auto& event) {
      return edge && model::position_of(*st.timeline, st.policy, event.first, now) == model::segment_position::expired;
    });
  }
  if (st.declared_gone.size() + st.events.size() != kept) st.state_changed = true;
}

}  // namespace

void restore(stream_state& st, storage::recovered_stream recovered) {
  if (recovered.timeline && !(st.fixed_start_number && st.fixed_availability_start_ms)) {
    st.timeline = recovered.timeline;
    st.segment_duration_ms = recovered.timeline->segment_duration_ms;
  }
  st.stored_timeline = recovered.timeline;
  std::size_t restored = 0;
  for (auto& stored : recovered.candidates) {
    auto pipeline = find_pipeline(st, stored.pipeline);
    if (!pipeline) {
      spdlog::warn("stream /{}/{}: {} from pipeline '{}', which is no longer configured, is not restored", st.tenant,
                   st.stream, stored.object, stored.pipeline);
      continue;
    }
    auto object = classify(st, stored.object);
    note_track(st, object);
    auto& entry = entry_for(st, stored.object);
    // Restored cold: bytes are read when asked for (an empty body has nothing to read back).
    stored_object candidate{.digest = stored.digest,
                            .stored_at_ms = stored.stored_at_ms,
                            .defects = stored.defects,
                            .durable = true,
                            .cold_bytes = stored.size};
    if (stored.size == 0) candidate.body = object_body::adopt(std::string());
    auto size = stored_size(candidate);
    st.bytes += size;
    st.defaults->tenant->stored.grow(size);
    count_hot(st, candidate, true);
    if (object.kind == model::object_kind::manifest) {
      // What a restored version lists is not known (its bytes stay cold) and what was served before is lost:
      // the history starts here, and the next write of each pipeline says what its version lists.
      if (!entry.manifest) entry.manifest.emplace(st.defaults->pipelines.size());
      entry.manifest->note_written(*pipeline, -1, candidate.stored_at_ms);
    }
    if (object.kind == model::object_kind::media_segment)
      count_segment(st.stats[*pipeline], object.segment_number, candidate.defects);
    entry.candidates[*pipeline] = std::move(candidate);
    ++restored;
  }
  if (recovered.state) {
    const auto& state = *recovered.state;
    st.policy = state.policy;
    st.force_shedding = state.force_shedding;
    std::vector<std::size_t> order;
    for (const auto& id : state.pipeline_order)
      if (auto index = find_pipeline(st, id)) order.push_back(*index);
    if (order.size() == st.defaults->pipelines.size())
      st.order = order;  // else the configured pipelines changed: default
    for (const auto& m : state.masks)
      if (auto index = find_pipeline(st, m.pipeline)) st.masks.push_back({*index, m.from, m.to});
    st.events = state.events;
    st.declared_gone.insert(state.gone.begin(), state.gone.end());
    for (const auto& [name, at] : state.deletes)
      if (auto it = st.objects.find(name); it != st.objects.end()) it->second.delete_requested_at_ms = at;
  }
  for (const auto& [name, pipeline] : recovered.served) {
    auto it = st.objects.find(name);
    auto index = find_pipeline(st, pipeline);
    if (it == st.objects.end() || !index || !present(it->second.candidates[*index])) continue;
    it->second.served = *index;
    it->second.candidates[*index].served = true;
  }
  count_objects(st);
  spdlog::info("stream /{}/{}: restored {} candidates ({} bytes) from storage{}", st.tenant, st.stream, restored,
               st.bytes, recovered.skipped ? fmt::format(", {} unreadable records skipped", recovered.skipped) : "");
}

void sweep_expired(stream_pointer self) {
  auto& st = self->state;
  std::vector<std::string> erased;
  sweep(st, now_ms(st), erased);
  if (st.storage && !erased.empty()) self->send(*st.storage, storage::erase_atom_v, std::move(erased));
  persist_timeline(self);
  persist_state(self);
  schedule_sweep(self);
}

void schedule_sweep(stream_pointer self) {
  auto interval = std::min(sweep_interval_ms, std::max<std::int64_t>(self->state.segment_duration_ms, 10));
  self->delayed_send(self, std::chrono::milliseconds(interval), sweep_atom_v);
}

}  // namespace live_origin::actors::stream
