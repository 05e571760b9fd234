#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>

#include <atomic>
#include <functional>
#include <vector>

namespace live_origin::actors {

// A unit of work that must run inside an actor so it can use request().then(); local only.
struct bridge_job {
  std::function<void(caf::event_based_actor*)> run;
};

}  // namespace live_origin::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(live_origin::actors::bridge_job)

namespace live_origin::actors {

// Where Asio threads cross into CAF without blocking: a small pool of event-based actors that run jobs.
// A job issues request(target, timeout).then(on_reply, on_error); the handlers post back to the
// connection's strand. Neither side ever waits for the other.
class bridge_pool {
 public:
  bridge_pool(caf::actor_system& system, int size);
  ~bridge_pool();

  // Thread-safe; jobs are spread round-robin over the bridges.
  void post(std::function<void(caf::event_based_actor*)> job);
  // The same, on the bridge chosen by `key`: jobs with one key run in order on one actor, so the
  // messages they send reach their target in order (CAF orders messages per sender).
  void post(std::function<void(caf::event_based_actor*)> job, std::uint64_t key);

  // Asks every bridge to exit once its pending requests are answered or timed out.
  void stop();

 private:
  std::vector<caf::actor> bridges_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace live_origin::actors
