#pragma once

// The cluster layer's block of CAF type IDs and its atoms, chained after the actor layer's (see
// storage/type_ids.hpp for why each layer has its own).

#include <caf/atom.hpp>
#include <caf/type_id.hpp>

#include <vector>

#include "actors/type_ids.hpp"
#include "cluster/messages.hpp"

CAF_BEGIN_TYPE_ID_BLOCK(live_origin_cluster, caf::id_block::live_origin_actors::end)
CAF_ADD_TYPE_ID(live_origin_cluster, (live_origin::cluster::node_record))
CAF_ADD_TYPE_ID(live_origin_cluster, (live_origin::cluster::remote_read))
CAF_ADD_TYPE_ID(live_origin_cluster, (live_origin::cluster::cluster_member))
CAF_ADD_TYPE_ID(live_origin_cluster, (live_origin::cluster::stream_placement))
CAF_ADD_TYPE_ID(live_origin_cluster, (live_origin::cluster::cluster_info))
CAF_ADD_TYPE_ID(live_origin_cluster, (std::vector<live_origin::cluster::node_record>))
CAF_ADD_TYPE_ID(live_origin_cluster, (std::vector<live_origin::cluster::stream_placement>))
CAF_ADD_ATOM(live_origin_cluster, live_origin::cluster, hello_atom, "hello")
CAF_ADD_ATOM(live_origin_cluster, live_origin::cluster, member_atom, "member")
CAF_ADD_ATOM(live_origin_cluster, live_origin::cluster, synced_atom, "synced")
CAF_ADD_ATOM(live_origin_cluster, live_origin::cluster, tick_atom, "tick")
CAF_ADD_ATOM(live_origin_cluster, live_origin::cluster, chunk_atom, "chunk")
CAF_ADD_ATOM(live_origin_cluster, live_origin::cluster, fetch_atom, "fetch")
CAF_END_TYPE_ID_BLOCK(live_origin_cluster)
