#pragma once

// The typed interfaces of the actor layer: a stream actor and the supervisors above it.

#include <caf/actor_system_config.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

#include "actors/stream_messages.hpp"
#include "actors/supervisor_messages.hpp"
#include "actors/type_ids.hpp"

namespace live_origin::actors {

using caf::delete_atom;
using caf::delete_atom_v;
using caf::get_atom;
using caf::get_atom_v;
using caf::open_atom;
using caf::open_atom_v;
using caf::put_atom;
using caf::put_atom_v;

// One live stream: owns its objects, its timeline and its held requests.
using stream_actor =
    caf::typed_actor<caf::replies_to<put_atom, object_write>::with<write_reply>,
                     caf::replies_to<get_atom, object_read>::with<read_reply>,  // may be held until the object lands
                     caf::replies_to<delete_atom, std::string>::with<write_reply>,
                     caf::reacts_to<upload_atom, std::string>,                  // a PUT's body started arriving
                     caf::reacts_to<abort_atom, std::string>,                   // ... and failed before completing
                     caf::reacts_to<release_atom, std::string, std::uint64_t>,  // a held client went away
                     caf::reacts_to<expire_atom, std::string, std::uint64_t>,   // a hold's deadline (sent to itself)
                     caf::reacts_to<sweep_atom>,                                // DVR expiry (sent to itself)
                     caf::replies_to<settings_atom, stream_settings>::with<stream_status>,
                     caf::replies_to<settings_atom>::with<stream_status>,
                     caf::replies_to<mask_atom, pipeline_mask>::with<stream_status>,               // add a mask
                     caf::replies_to<mask_atom, delete_atom, pipeline_mask>::with<stream_status>,  // remove one
                     caf::replies_to<info_atom>::with<stream_info>,
                     caf::reacts_to<crash_atom>>;  // fault injection (admin drill, when enabled)

// One tenant: spawns, monitors and restarts its stream actors. In a cluster, a stream owned by another
// node is a local proxy actor with the same interface.
using tenant_supervisor_actor =
    caf::typed_actor<caf::replies_to<open_atom, std::string>::with<stream_actor>,
                     // The same, creating the stream only if `create` (a GET or DELETE must not create streams: an
                     // error, remote_lookup_failed, when storage does not know it). From another node: only this node's
                     // own actor for a stream it owns (else no_route_to_receiving_node).
                     caf::replies_to<open_atom, std::string, bool>::with<stream_actor>,
                     caf::reacts_to<placement_atom>,  // the live set changed: streams whose owner changed are retired
                     // The same, from a caller that found this incarnation gone: waits for its successor.
                     caf::replies_to<open_atom, std::string, stream_actor>::with<stream_actor>,
                     caf::replies_to<info_atom>::with<tenant_info>,
                     // Answered once the tenant has started the streams storage holds for it
                     // (tenant_setup::load_from_store).
                     caf::replies_to<caf::ping_atom>::with<caf::pong_atom>,
                     caf::reacts_to<reload_atom, tenant_reload>>;  // new defaults for streams opened from now on

// The root of the tree: one tenant supervisor per configured tenant.
// ping/pong proves the actor system schedules work (readiness).
// reload: the configured tenants now; starts new ones, retires removed ones (their streams stop), hands
// the others their new setup; answers with the number of tenants.
using origin_supervisor_actor = caf::typed_actor<caf::replies_to<info_atom>::with<origin_info>,
                                                 caf::replies_to<caf::ping_atom>::with<caf::pong_atom>,
                                                 caf::replies_to<reload_atom, tenant_reload>::with<std::uint64_t>>;

// Registers the actor layer's message types (and the typed handles) with an actor system.
void register_message_types(caf::actor_system_config& config);

}  // namespace live_origin::actors
