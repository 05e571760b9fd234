#include "actors/stream/memory.hpp"

#include <cassert>

#include "model/stored_record.hpp"

namespace live_origin::actors::stream {

void count_hot(stream_state& st, const stored_object& candidate, bool in) {
  if (!hot(candidate)) return;
  auto bytes = candidate.body.size();
  if (in) {
    st.hot.add(bytes);
    st.defaults->hot_total->fetch_add(bytes, std::memory_order_relaxed);
  } else {
    st.hot.remove(bytes);
    st.defaults->hot_total->fetch_sub(bytes, std::memory_order_relaxed);
  }
}

void forget(stream_state& st, stored_object& candidate) {
  auto bytes = stored_size(candidate);
  count_hot(st, candidate, false);
  assert(st.bytes >= bytes && "a candidate's bytes were counted when it was stored");
  st.bytes -= bytes;
  st.defaults->tenant->stored.shrink(bytes);
  candidate = {};
}

void note_coolable(stream_state& st, const std::string& name, std::size_t pipeline) {
  auto object = classify(st, name);
  if (object.kind == model::object_kind::media_segment) st.hot.may_leave({object.segment_number, name, pipeline});
}

void cool_down(stream_state& st) {
  if (!st.storage) return;  // without storage, memory is the only copy
  auto total = st.defaults->hot_total->load(std::memory_order_relaxed);
  std::uint64_t process_excess = total > st.defaults->hot_bytes_total ? total - st.defaults->hot_bytes_total : 0;
  auto candidate_of = [&st](const model::hot_window::candidate& which) -> stored_object* {
    auto it = st.objects.find(which.object);
    return it == st.objects.end() ? nullptr : &it->second.candidates[which.pipeline];
  };
  auto leaving = st.hot.take_to_cool(process_excess, [&](const model::hot_window::candidate& which) {
    auto* candidate = candidate_of(which);
    bool may_leave = candidate && hot(*candidate) && candidate->durable;
    return may_leave ? std::uint64_t{candidate->body.size()} : std::uint64_t{0};
  });
  for (const auto& which : leaving) {
    auto& candidate = *candidate_of(which);
    count_hot(st, candidate, false);
    candidate.cold_bytes = candidate.body.size();
    candidate.body = {};
  }
}

void count_objects(stream_state& st) {
  auto now = static_cast<std::int64_t>(st.objects.size());
  st.defaults->tenant->stored.add_objects(now - st.objects_counted);
  st.objects_counted = now;
}

std::vector<std::string> candidate_keys(const stream_state& st, const std::string& name, std::size_t pipeline) {
  const auto& id = st.defaults->pipelines[pipeline];
  return {model::candidate_record_key(st.tenant, st.stream, name, id),
          model::body_record_key(st.tenant, st.stream, name, id)};
}

}  // namespace live_origin::actors::stream
