#include "actors/stream_actor.hpp"

#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <chrono>
#include <unordered_map>

#include "model/write_policy.hpp"

namespace live_origin::actors {
namespace {

std::int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct stream_state {
  static inline const char* name = "stream";
  std::string tenant;
  std::string stream;
  std::unordered_map<std::string, stored_object> objects;
  std::uint64_t bytes = 0;
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
};

using stream_pointer = stream_actor::stateful_pointer<stream_state>;

stream_actor::behavior_type stream_behavior(stream_pointer self, std::string tenant, std::string stream) {
  self->state.tenant = std::move(tenant);
  self->state.stream = std::move(stream);
  return {
      [=](put_atom, const object_write& write) -> write_reply {
        auto& st = self->state;
        ++st.writes;
        auto it = st.objects.find(write.object);
        std::string_view stored_bytes;
        const std::string_view* stored = nullptr;
        if (it != st.objects.end()) {
          stored_bytes = it->second.body.view();
          stored = &stored_bytes;
        }
        auto outcome = model::classify_write(stored, stored ? it->second.digest : 0, write.body.view(), write.digest);
        if (outcome != model::write_outcome::unchanged) {
          if (it == st.objects.end()) it = st.objects.emplace(write.object, stored_object{}).first;
          st.bytes -= it->second.body.size();
          st.bytes += write.body.size();
          it->second = stored_object{write.body, write.digest, unix_now_ms(), 0};
        }
        return {model::status_for(outcome)};
      },
      [=](get_atom, const std::string& object) -> read_reply {
        auto& st = self->state;
        ++st.reads;
        auto it = st.objects.find(object);
        if (it == st.objects.end()) return {404, {}};
        return {200, it->second};
      },
      [=](delete_atom, const std::string& object) -> write_reply {
        // DELETE never removes at once: CDNs and late viewers still need the object. It is marked
        // for expiry; the DVR window decides when it leaves.
        auto& st = self->state;
        if (auto it = st.objects.find(object); it != st.objects.end() && it->second.delete_requested_at_ms == 0)
          it->second.delete_requested_at_ms = unix_now_ms();
        return {204};
      },
      [=](info_atom) -> stream_info {
        auto& st = self->state;
        return {st.stream, self->id(), st.objects.size(), st.bytes, self->mailbox().size(), st.writes, st.reads};
      },
  };
}

}  // namespace

stream_actor spawn_stream_actor(caf::actor_system& system, std::string tenant, std::string stream) {
  return system.spawn(stream_behavior, std::move(tenant), std::move(stream));
}

}  // namespace live_origin::actors
