#include "actors/interfaces.hpp"

namespace live_origin::actors {

void register_message_types(caf::actor_system_config& config) {
  config.add_message_types<caf::id_block::live_origin_actors>();
  config.add_message_type<stream_actor>("live_origin::actors::stream_actor");
  config.add_message_type<tenant_supervisor_actor>("live_origin::actors::tenant_supervisor_actor");
  config.add_message_type<origin_supervisor_actor>("live_origin::actors::origin_supervisor_actor");
}

}  // namespace live_origin::actors
