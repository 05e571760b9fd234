#pragma once

// The storage layer's block of CAF type IDs and its atoms. Every type that crosses a node boundary must be
// registered on every node (an unregistered type arrives empty); each layer has its own block, chained
// after the one below it (storage, then actors, then cluster), so no layer names the types of a layer above.

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#include <string>
#include <vector>

#include "storage/messages.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(live_origin_storage, caf::first_custom_type_id)
CAF_ADD_TYPE_ID(live_origin_storage, (live_origin::storage::object_body))
CAF_ADD_TYPE_ID(live_origin_storage, (live_origin::storage::record_batch))
CAF_ADD_TYPE_ID(live_origin_storage, (live_origin::storage::stored_stream))
CAF_ADD_TYPE_ID(live_origin_storage, (std::vector<live_origin::storage::stored_stream>))
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, store_atom, "store")
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, erase_atom, "erase")
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, load_atom, "load")
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, served_atom, "served")
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, apply_atom, "apply")
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, sync_atom, "sync")
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, list_atom, "list")
CAF_ADD_ATOM(live_origin_storage, live_origin::storage, replicate_atom, "replicate")
CAF_END_TYPE_ID_BLOCK(live_origin_storage)
