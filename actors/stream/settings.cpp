#include "actors/stream/settings.hpp"

#include <algorithm>
#include <type_traits>

#include "actors/stream/durability.hpp"
#include "actors/stream/holds.hpp"

namespace live_origin::actors::stream {
namespace {

void apply(stream_state& st, const stream_settings& update, std::int64_t now) {
  st.state_changed = true;
  auto set = [](std::int64_t value, auto& field) {
    if (value != stream_settings::unset) field = static_cast<std::remove_reference_t<decltype(field)>>(value);
  };
  set(update.segment_duration_ms, st.segment_duration_ms);
  set(update.retry_budget_ms, st.policy.retry_budget_ms);
  set(update.dvr_window_ms, st.policy.dvr_window_ms);
  set(update.max_hold_ms, st.policy.max_hold_ms);
  set(update.live_window_segments, st.policy.live_window_segments);
  if (update.force_shedding != stream_settings::unset) st.force_shedding = update.force_shedding != 0;
  if (!update.pipeline_order.empty()) {  // validated by the admin API: every configured pipeline once
    st.order.clear();
    for (const auto& id : update.pipeline_order) st.order.push_back(pipeline_index(st, id));
  }
  if (update.start_number != stream_settings::unset)
    st.fixed_start_number = static_cast<std::uint64_t>(update.start_number);
  if (update.availability_start_ms != stream_settings::unset)
    st.fixed_availability_start_ms = update.availability_start_ms;
  if (st.fixed_start_number && st.fixed_availability_start_ms) {
    st.timeline = model::timeline{st.segment_duration_ms, *st.fixed_start_number, *st.fixed_availability_start_ms};
  } else if (st.timeline && st.fixed_availability_start_ms) {
    st.timeline->segment_duration_ms = st.segment_duration_ms;
    st.timeline->availability_start_ms = *st.fixed_availability_start_ms;
  } else if (st.timeline) {  // learned: keep the live edge where it is
    st.timeline = model::retimed(*st.timeline, st.segment_duration_ms,
                                 st.fixed_start_number.value_or(st.timeline->start_number), now);
  }
}

// An operator's change is answered once storage has it (503 from the admin side when it could not).
caf::result<stream_status> status_once_stored(stream_pointer self) {
  auto promise = self->make_response_promise<stream_status>();
  auto timeline_failures = self->state.timeline_writes_failed;
  when_state_stored(self, [self, promise, timeline_failures](state_write write) mutable {
    if (write == state_write::stored && self->state.timeline_writes_failed != timeline_failures)
      write = state_write::failed;
    if (write == state_write::stored)
      promise.deliver(status_of(self));
    else if (write == state_write::failed)
      promise.deliver(caf::make_error(caf::sec::runtime_error));
    else
      promise.deliver(caf::make_error(caf::sec::request_receiver_down));
  });
  persist_state(self);
  return promise;
}

}  // namespace

caf::result<stream_status> change_settings(stream_pointer self, const stream_settings& update) {
  apply(self->state, update, now_ms(self->state));
  persist_timeline(self);
  resolve_all_holds(self);
  return status_once_stored(self);
}

caf::result<stream_status> add_mask(stream_pointer self, const pipeline_mask& mask) {
  auto& st = self->state;
  stream_state::mask added{pipeline_index(st, mask.pipeline), mask.from, mask.to};
  bool known = std::any_of(st.masks.begin(), st.masks.end(), [&](const auto& m) {
    return m.pipeline == added.pipeline && m.from == added.from && m.to == added.to;
  });
  if (!known && st.masks.size() < max_masks_per_stream) {
    st.masks.push_back(added);
    st.state_changed = true;
  }
  resolve_all_holds(self);
  return status_once_stored(self);
}

caf::result<stream_status> remove_mask(stream_pointer self, const pipeline_mask& mask) {
  auto& st = self->state;
  auto index = pipeline_index(st, mask.pipeline);
  if (std::erase_if(st.masks,
                    [&](const auto& m) { return m.pipeline == index && m.from == mask.from && m.to == mask.to; }))
    st.state_changed = true;
  resolve_all_holds(self);
  return status_once_stored(self);
}

stream_status status_of(stream_pointer self) {
  auto& st = self->state;
  auto now = now_ms(st);
  stream_status status;
  status.has_timeline = st.timeline.has_value();
  status.segment_duration_ms = st.segment_duration_ms;
  if (st.timeline) {
    status.start_number = static_cast<std::int64_t>(st.timeline->start_number);
    status.availability_start_ms = st.timeline->availability_start_ms;
    if (auto edge = model::live_edge(*st.timeline, now)) status.live_edge = static_cast<std::int64_t>(*edge);
  }
  status.retry_budget_ms = st.policy.retry_budget_ms;
  status.dvr_window_ms = st.policy.dvr_window_ms;
  status.max_hold_ms = st.policy.max_hold_ms;
  status.live_window_segments = static_cast<std::int64_t>(st.policy.live_window_segments);
  status.force_shedding = st.force_shedding;
  status.objects = st.objects.size();
  status.bytes = st.bytes;
  status.hot_bytes = st.hot.bytes();
  status.held_requests = st.held;
  status.uploads_in_flight = st.uploads_in_flight.size();
  status.now_ms = now;
  std::optional<std::uint64_t> edge;
  if (st.timeline) edge = model::live_edge(*st.timeline, now);
  for (auto index : st.order) status.pipeline_order.push_back(st.defaults->pipelines[index]);
  for (auto stats : st.stats) {
    if (edge && stats.last_segment >= 0) stats.lag_segments = static_cast<std::int64_t>(*edge) - stats.last_segment;
    status.pipelines.push_back(std::move(stats));
  }
  for (const auto& m : st.masks) status.masks.push_back({st.defaults->pipelines[m.pipeline], m.from, m.to});
  return status;
}

stream_info info_of(stream_pointer self) {
  const auto& st = self->state;
  return {.name = st.stream,
          .actor_id = self->id(),
          .objects = st.objects.size(),
          .bytes = st.bytes,
          .mailbox = self->mailbox().size(),
          .writes = st.writes,
          .reads = st.reads,
          .held_requests = st.held,
          .messages_handled = st.messages_handled};
}

}  // namespace live_origin::actors::stream
