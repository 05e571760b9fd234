#pragma once

// The actor layer's block of CAF type IDs and its atoms, chained after the storage layer's (see
// storage/type_ids.hpp for why each layer has its own).

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#include "actors/stream_messages.hpp"
#include "actors/supervisor_messages.hpp"
#include "storage/type_ids.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(live_origin_actors, caf::id_block::live_origin_storage::end)
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::stored_object))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::object_write))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::write_reply))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::object_read))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::read_reply))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::pipeline_mask))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::defect_report))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::pipeline_stats))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::stream_settings))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::stream_status))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::stream_info))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::tenant_info))
CAF_ADD_TYPE_ID(live_origin_actors, (live_origin::actors::origin_info))
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, info_atom, "info")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, upload_atom, "upload")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, abort_atom, "abort")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, release_atom, "release")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, expire_atom, "expire")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, sweep_atom, "sweep")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, settings_atom, "settings")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, mask_atom, "mask")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, crash_atom, "crash")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, reload_atom, "reload")
CAF_ADD_ATOM(live_origin_actors, live_origin::actors, placement_atom, "placement")
CAF_END_TYPE_ID_BLOCK(live_origin_actors)
