#pragma once

#include <caf/actor_system.hpp>

#include <chrono>
#include <memory>

#include "actors/interfaces.hpp"
#include "actors/stream_directory.hpp"
#include "actors/stream_owners.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::actors {

// Loading a stream reads every record it resumes from (bounded by its DVR window); listing the stored
// streams scans the keys of all of them. Either can take long on a cold disk; a start waits this long.
inline constexpr std::chrono::seconds storage_scan_timeout{30};

// Introspection fans out to children; a child that does not answer in time is listed as unresponsive.
inline constexpr std::chrono::milliseconds info_timeout{1000};

// One tenant's supervisor: spawns its stream actors on demand (or, in a cluster, proxies to the node that
// owns a stream), monitors them, restarts a failed one from storage, and retires one whose owner changed.
// Each stream it supervises is one record with a named phase:
//
//   (none) ── open ──▶ loading ── records read (or a proxy opened) ──▶ running ── owner changed ──▶ retiring
//                         ▲                                              │                          │
//                         └────────── failed: restart from storage ◀─────┘      down: next one ◀────┘
//
// Opens that arrive while a stream is loading or retiring wait in its record for the next actor.
tenant_supervisor_actor spawn_tenant_supervisor(caf::actor_system& system, tenant_setup setup,
                                                std::shared_ptr<stream_directory> directory,
                                                storage::storage_pool storage,
                                                std::shared_ptr<const stream_owners> owners);

}  // namespace live_origin::actors
