#include "actors/stream_actor.hpp"

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <stdexcept>

#include "actors/counted.hpp"
#include "actors/stream/durability.hpp"
#include "actors/stream/holds.hpp"
#include "actors/stream/reads.hpp"
#include "actors/stream/recovery.hpp"
#include "actors/stream/settings.hpp"
#include "actors/stream/state.hpp"
#include "actors/stream/writes.hpp"

namespace live_origin::actors {
namespace {

using stream::stream_pointer;

// What a new incarnation starts with: the tenant's timeline and policies, and whatever storage held.
void initialize(stream::stream_state& st, std::string tenant, std::string name,
                std::shared_ptr<const stream_defaults> defaults, std::optional<storage::storage_actor> storage,
                std::optional<storage::recovered_stream> recovered) {
  st.tenant = std::move(tenant);
  st.stream = std::move(name);
  st.defaults = std::move(defaults);
  st.hot = model::hot_window(st.defaults->hot_bytes_per_stream);
  st.inspector = model::media_inspector(st.defaults->pipelines.size());
  st.segment_duration_ms = st.defaults->profile.segment_duration_ms;
  for (std::size_t i = 0; i < st.defaults->pipelines.size(); ++i) {
    st.order.push_back(i);
    st.stats.push_back({.pipeline = st.defaults->pipelines[i]});
  }
  st.policy = st.defaults->profile.policy;
  st.fixed_start_number = st.defaults->profile.start_number;
  st.fixed_availability_start_ms = st.defaults->profile.availability_start_ms;
  if (st.fixed_start_number && st.fixed_availability_start_ms)
    st.timeline = model::timeline{st.segment_duration_ms, *st.fixed_start_number, *st.fixed_availability_start_ms};
  st.storage = std::move(storage);
  if (recovered) stream::restore(st, std::move(*recovered));  // cold: nothing to cool down yet
}

stream_actor::behavior_type stream_behavior(stream_pointer self, std::string tenant, std::string name,
                                            std::shared_ptr<const stream_defaults> defaults,
                                            std::optional<storage::storage_actor> storage,
                                            std::optional<storage::recovered_stream> recovered) {
  initialize(self->state, std::move(tenant), std::move(name), std::move(defaults), std::move(storage),
             std::move(recovered));
  // CAF 0.17 drops pending promises silently when an actor dies; answer everything waiting first.
  self->set_exception_handler([self](std::exception_ptr&) -> caf::error {
    stream::fail_waiting(self->state);
    return caf::make_error(caf::sec::runtime_error);
  });
  self->set_exit_handler([self](caf::exit_msg& exit) {
    stream::fail_waiting(self->state);
    self->quit(exit.reason);
  });
  stream::schedule_sweep(self);
  return {
      counted(self,
              [=](put_atom, const object_write& write) -> caf::result<write_reply> {
                return stream::write_object(self, write);
              }),
      counted(self,
              [=](get_atom, const object_read& read) -> caf::result<read_reply> {
                return stream::read_object(self, read);
              }),
      counted(self,
              [=](delete_atom, const std::string& object) -> caf::result<write_reply> {
                return stream::schedule_delete(self, object);
              }),
      counted(self, [=](upload_atom, const std::string& object) { stream::upload_started(self->state, object); }),
      counted(self, [=](abort_atom, const std::string& object) { stream::upload_aborted(self, object); }),
      counted(self, [=](release_atom, const std::string& object,
                        std::uint64_t token) { stream::release_hold(self, object, token); }),
      counted(self, [=](expire_atom, const std::string& object,
                        std::uint64_t token) { stream::expire_hold(self, object, token); }),
      counted(self, [=](sweep_atom) { stream::sweep_expired(self); }),
      counted(self,
              [=](settings_atom, const stream_settings& update) -> caf::result<stream_status> {
                return stream::change_settings(self, update);
              }),
      counted(self, [=](settings_atom) -> stream_status { return stream::status_of(self); }),
      counted(self,
              [=](mask_atom, const pipeline_mask& mask) -> caf::result<stream_status> {
                return stream::add_mask(self, mask);
              }),
      counted(self,
              [=](mask_atom, delete_atom, const pipeline_mask& mask) -> caf::result<stream_status> {
                return stream::remove_mask(self, mask);
              }),
      counted(self,
              [=](crash_atom) {
                spdlog::warn("stream /{}/{}: crashing on request (fault injection drill)", self->state.tenant,
                             self->state.stream);
                throw std::runtime_error("fault injection drill");
              }),
      counted(self, [=](info_atom) -> stream_info { return stream::info_of(self); }),
  };
}

}  // namespace

stream_actor spawn_stream_actor(caf::actor_system& system, std::string tenant, std::string stream,
                                std::shared_ptr<const stream_defaults> defaults,
                                std::optional<storage::storage_actor> storage,
                                std::optional<storage::recovered_stream> recovered) {
  return system.spawn(stream_behavior, std::move(tenant), std::move(stream), std::move(defaults), std::move(storage),
                      std::move(recovered));
}

}  // namespace live_origin::actors
