#include "actors/bridge.hpp"

#include <caf/exit_reason.hpp>
#include <caf/send.hpp>

namespace live_origin::actors {
namespace {

caf::behavior bridge_behavior(caf::event_based_actor* self) {
  // The default error handler would terminate the bridge on the first request timeout; every job
  // passes its own error handler, so anything arriving here has nobody left to tell.
  self->set_error_handler([](caf::scheduled_actor*, caf::error&) {});
  return {[self](bridge_job& job) { job.run(self); }};
}

}  // namespace

bridge_pool::bridge_pool(caf::actor_system& system, int size) {
  bridges_.reserve(static_cast<std::size_t>(size));
  for (int i = 0; i < size; ++i) bridges_.push_back(system.spawn(bridge_behavior));
}

bridge_pool::~bridge_pool() { stop(); }

void bridge_pool::post(std::function<void(caf::event_based_actor*)> job) {
  post(std::move(job), next_.fetch_add(1, std::memory_order_relaxed));
}

void bridge_pool::post(std::function<void(caf::event_based_actor*)> job, std::uint64_t key) {
  caf::anon_send(bridges_[key % bridges_.size()], bridge_job{std::move(job)});
}

void bridge_pool::stop() {
  for (auto& bridge : bridges_) caf::anon_send_exit(bridge, caf::exit_reason::user_shutdown);
}

}  // namespace live_origin::actors
