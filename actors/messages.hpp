#pragma once

// Every message that crosses an actor boundary: payload types, atoms, typed actor interfaces and the
// type-ID block that registers them with CAF (an unregistered type would arrive empty across nodes).

#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/type_id.hpp>
#include <caf/typed_actor.hpp>
#include <caf/replies_to.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "actors/object_body.hpp"

namespace live_origin::actors {

// An object as the stream actor stores it: its bytes and what HTTP validators need.
struct stored_object {
  object_body body;
  std::uint64_t digest = 0;        // model::content_digest of the bytes; the strong ETag
  std::int64_t stored_at_ms = 0;   // wall clock when it was stored (Last-Modified)
  std::int64_t delete_requested_at_ms = 0;  // 0: never; DELETE schedules expiry, it never removes at once
};

// A write from a packager: the object name inside the stream, the bytes and their digest
// (computed on the ingest thread, so the stream actor never hashes megabytes).
struct object_write {
  std::string object;
  object_body body;
  std::uint64_t digest = 0;
};

// The stream actor's answer to a write: the HTTP status the packager gets.
struct write_reply {
  std::uint16_t status = 0;
};

// The stream actor's answer to a read: a status and, for 200, the object.
struct read_reply {
  std::uint16_t status = 0;
  stored_object object;
};

// Introspection: what /actors shows, gathered by asking each actor.
struct stream_info {
  std::string name;
  std::uint64_t actor_id = 0;
  std::uint64_t objects = 0;
  std::uint64_t bytes = 0;
  std::uint64_t mailbox = 0;
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
  bool responsive = true;  // false: it did not answer the introspection request in time
};

struct tenant_info {
  std::string name;
  std::uint64_t actor_id = 0;
  std::uint64_t mailbox = 0;
  std::uint64_t restarts = 0;
  std::vector<stream_info> streams;
  bool responsive = true;
};

struct origin_info {
  std::uint64_t actor_id = 0;
  std::uint64_t mailbox = 0;
  std::vector<tenant_info> tenants;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_object& x) {
  return f(caf::meta::type_name("stored_object"), x.body, x.digest, x.stored_at_ms, x.delete_requested_at_ms);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, object_write& x) {
  return f(caf::meta::type_name("object_write"), x.object, x.body, x.digest);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_reply& x) {
  return f(caf::meta::type_name("write_reply"), x.status);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, read_reply& x) {
  return f(caf::meta::type_name("read_reply"), x.status, x.object);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stream_info& x) {
  return f(caf::meta::type_name("stream_info"), x.name, x.actor_id, x.objects, x.bytes, x.mailbox, x.writes, x.reads,
           x.responsive);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tenant_info& x) {
  return f(caf::meta::type_name("tenant_info"), x.name, x.actor_id, x.mailbox, x.restarts, x.streams, x.responsive);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, origin_info& x) {
  return f(caf::meta::type_name("origin_info"), x.actor_id, x.mailbox, x.tenants);
}

}  // namespace live_origin::actors

CAF_BEGIN_TYPE_ID_BLOCK(live_origin, caf::first_custom_type_id)
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::object_body))
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::stored_object))
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::object_write))
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::write_reply))
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::read_reply))
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::stream_info))
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::tenant_info))
  CAF_ADD_TYPE_ID(live_origin, (live_origin::actors::origin_info))
  CAF_ADD_ATOM(live_origin, live_origin::actors, info_atom, "info")
CAF_END_TYPE_ID_BLOCK(live_origin)

namespace live_origin::actors {

using caf::delete_atom;
using caf::get_atom;
using caf::open_atom;
using caf::put_atom;
using caf::delete_atom_v;
using caf::get_atom_v;
using caf::open_atom_v;
using caf::put_atom_v;

// One live stream: owns its objects and answers reads and writes for them.
using stream_actor = caf::typed_actor<
    caf::replies_to<put_atom, object_write>::with<write_reply>,
    caf::replies_to<get_atom, std::string>::with<read_reply>,
    caf::replies_to<delete_atom, std::string>::with<write_reply>,
    caf::replies_to<info_atom>::with<stream_info>>;

// One tenant: spawns, monitors and restarts its stream actors.
using tenant_supervisor_actor = caf::typed_actor<
    caf::replies_to<open_atom, std::string>::with<stream_actor>,
    caf::replies_to<info_atom>::with<tenant_info>>;

// The root of the tree: one tenant supervisor per configured tenant.
// ping/pong proves the actor system schedules work (readiness).
using origin_supervisor_actor = caf::typed_actor<caf::replies_to<info_atom>::with<origin_info>,
                                                 caf::replies_to<caf::ping_atom>::with<caf::pong_atom>>;

// Registers every message type above (and the typed handles) with the actor system config.
void register_message_types(caf::actor_system_config& config);

}  // namespace live_origin::actors
