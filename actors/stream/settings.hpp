#pragma once

// What operators change and see: a stream's timeline and policies, pipeline order and masks (answered
// once storage has them), its status and introspection.

#include "actors/stream/state.hpp"

namespace live_origin::actors::stream {

caf::result<stream_status> change_settings(stream_pointer self, const stream_settings& update);
caf::result<stream_status> add_mask(stream_pointer self, const pipeline_mask& mask);
caf::result<stream_status> remove_mask(stream_pointer self, const pipeline_mask& mask);

stream_status status_of(stream_pointer self);
stream_info info_of(stream_pointer self);

}  // namespace live_origin::actors::stream
