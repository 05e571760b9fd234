#include "actors/messages.hpp"

#include <fmt/format.h>

namespace live_origin::actors {

std::string cluster_address(const std::string& host, std::uint16_t port) { return fmt::format("{}:{}", host, port); }

void register_message_types(caf::actor_system_config& config) {
  config.add_message_types<caf::id_block::live_origin>();
  config.add_message_type<stream_actor>("live_origin::actors::stream_actor");
  config.add_message_type<tenant_supervisor_actor>("live_origin::actors::tenant_supervisor_actor");
  config.add_message_type<origin_supervisor_actor>("live_origin::actors::origin_supervisor_actor");
  config.add_message_type<cluster_actor>("live_origin::actors::cluster_actor");
}

}  // namespace live_origin::actors
