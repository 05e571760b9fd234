#pragma once

// What supervisors are told and what they answer: introspection of the actor tree, and the tenants a
// (re)configuration sets up. Type IDs: actors/type_ids.hpp; interfaces: actors/interfaces.hpp.

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/meta/type_name.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/stream_defaults.hpp"
#include "actors/stream_messages.hpp"
#include "storage/messages.hpp"

namespace live_origin::actors {

struct tenant_info {
  std::string name;
  std::uint64_t actor_id = 0;
  std::uint64_t mailbox = 0;
  std::uint64_t restarts = 0;
  std::uint64_t messages_handled = 0;
  std::vector<stream_info> streams;
  bool responsive = true;
};

struct origin_info {
  std::uint64_t actor_id = 0;
  std::uint64_t mailbox = 0;
  std::uint64_t messages_handled = 0;
  std::vector<tenant_info> tenants;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_info& x) {
  return f(caf::meta::type_name("tenant_info"), x.name, x.actor_id, x.mailbox, x.restarts, x.messages_handled,
           x.streams, x.responsive);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, origin_info& x) {
  return f(caf::meta::type_name("origin_info"), x.actor_id, x.mailbox, x.messages_handled, x.tenants);
}

// A tenant as configured: its name, what each new stream of it starts with, and (at process start) the
// streams storage holds for it.
struct tenant_setup {
  std::string name;
  std::shared_ptr<const stream_defaults> defaults;
  std::vector<storage::recovered_stream> recovered;  // at process start: the streams storage holds
  // A tenant that starts after the process did (added by a reload, or its supervisor restarted) asks
  // storage for its streams itself.
  bool load_from_store = false;
};

// The tenants of a reloaded configuration (to the origin supervisor), or one tenant's new setup (to its
// supervisor). Local only: it carries shared pointers.
struct tenant_reload {
  std::vector<tenant_setup> tenants;
};

}  // namespace live_origin::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(live_origin::actors::tenant_reload)
