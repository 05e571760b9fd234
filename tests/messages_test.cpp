#include <gtest/gtest.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>

#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "cluster/cluster_actor.hpp"
#include "storage/storage_actor.hpp"

namespace live_origin::actors {
namespace {

using cluster::cluster_info;
using cluster::node_record;
using cluster::node_state;
using cluster::remote_read;
using cluster::stream_placement;
using storage::object_body;
using storage::record_batch;
using storage::stored_stream;

// One actor system with every layer's message types registered, as a node has.
class MessagesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config_ = new caf::actor_system_config();
    storage::register_message_types(*config_);
    register_message_types(*config_);
    cluster::register_message_types(*config_);
    system_ = new caf::actor_system(*config_);
  }
  static void TearDownTestSuite() {
    delete system_;
    delete config_;
  }
  static caf::actor_system_config* config_;
  static caf::actor_system* system_;
};
caf::actor_system_config* MessagesTest::config_ = nullptr;
caf::actor_system* MessagesTest::system_ = nullptr;

// Every message type must survive CAF's serializer: an unregistered or lossy type arrives empty on
// another node, silently.
template <class T>
T round_trip(caf::actor_system& system, const T& value) {
  std::vector<char> buffer;
  caf::binary_serializer sink{system, buffer};
  auto copy = value;
  EXPECT_FALSE(sink(copy));
  T result{};
  caf::binary_deserializer source{system, buffer};
  EXPECT_FALSE(source(result));
  return result;
}

TEST_F(MessagesTest, EveryStreamAndSupervisorMessageRoundTripsThroughTheSerializer) {
  auto body = object_body::adopt("segment bytes");
  EXPECT_EQ(round_trip(*system_, body).view(), "segment bytes");
  EXPECT_EQ(round_trip(*system_, object_body{}).view(), "");

  stored_object stored{
      .body = body, .digest = 42, .stored_at_ms = 1000, .delete_requested_at_ms = 2000, .served = true};
  auto stored_copy = round_trip(*system_, stored);
  EXPECT_EQ(stored_copy.body.view(), "segment bytes");
  EXPECT_EQ(stored_copy.digest, 42u);
  EXPECT_EQ(stored_copy.stored_at_ms, 1000);
  EXPECT_EQ(stored_copy.delete_requested_at_ms, 2000);
  EXPECT_TRUE(stored_copy.served);

  auto write = round_trip(*system_, object_write{.object = "v/1.m4s",
                                                 .body = body,
                                                 .digest = 7,
                                                 .segment_duration_ms = 2000,
                                                 .announced_to = 42,
                                                 .pipeline = "b",
                                                 .defects = model::defects::short_segment,
                                                 .events = {"ad-break", "scte35"}});
  EXPECT_EQ(write.object, "v/1.m4s");
  EXPECT_EQ(write.body.view(), "segment bytes");
  EXPECT_EQ(write.digest, 7u);
  EXPECT_EQ(write.segment_duration_ms, 2000);
  EXPECT_EQ(write.announced_to, 42u);
  EXPECT_EQ(write.pipeline, "b");
  EXPECT_EQ(write.defects, model::defects::short_segment);
  EXPECT_EQ(write.events, (std::vector<std::string>{"ad-break", "scte35"}));

  auto write_answer = round_trip(*system_, write_reply{.status = 409, .outcome = model::write_outcome::refused_gone});
  EXPECT_EQ(write_answer.status, 409);
  EXPECT_EQ(write_answer.outcome, model::write_outcome::refused_gone);
  auto read_request = round_trip(*system_, object_read{.object = "7.m4s", .token = 99, .shed_dvr = true});
  EXPECT_EQ(read_request.object, "7.m4s");
  EXPECT_EQ(read_request.token, 99u);
  EXPECT_TRUE(read_request.shed_dvr);
  auto read = round_trip(*system_, read_reply{.status = 200,
                                              .outcome = model::read_outcome::serve,
                                              .cache_control = "public, max-age=60",
                                              .ttl_ms = 1500,
                                              .segment_number = 7,
                                              .object = stored,
                                              .pipeline = "a",
                                              .events = "ad-break"});
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(read.outcome, model::read_outcome::serve);
  EXPECT_EQ(read.cache_control, "public, max-age=60");
  EXPECT_EQ(read.ttl_ms, 1500);
  EXPECT_EQ(read.segment_number, 7);
  EXPECT_EQ(read.object.body.view(), "segment bytes");
  EXPECT_EQ(read.pipeline, "a");
  EXPECT_EQ(read.events, "ad-break");
  EXPECT_EQ(round_trip(*system_, read_reply{.status = 503, .outcome = model::read_outcome::shed}).outcome,
            model::read_outcome::shed);

  stream_settings settings;
  settings.segment_duration_ms = 200;
  settings.force_shedding = 1;
  settings.pipeline_order = {"b", "a"};
  auto settings_copy = round_trip(*system_, settings);
  EXPECT_EQ(settings_copy.pipeline_order, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(settings_copy.segment_duration_ms, 200);
  EXPECT_EQ(settings_copy.force_shedding, 1);
  EXPECT_EQ(settings_copy.start_number, stream_settings::unset);

  auto mask = round_trip(*system_, pipeline_mask{"b", 10, 20});
  EXPECT_EQ(mask, (pipeline_mask{"b", 10, 20}));
  auto stats = round_trip(*system_, pipeline_stats{.pipeline = "a",
                                                   .segments_received = 5,
                                                   .defects_short = 1,
                                                   .defects_missing = 2,
                                                   .defects_discontinuity = 3,
                                                   .last_segment = 42,
                                                   .lag_segments = 1,
                                                   .segments_served = 4});
  EXPECT_EQ(stats.pipeline, "a");
  EXPECT_EQ(stats.last_segment, 42);
  EXPECT_EQ(stats.segments_served, 4u);

  stream_status status;
  status.has_timeline = true;
  status.masks = {mask};
  status.pipelines = {stats};
  status.pipeline_order = {"b", "a"};
  status.live_edge = 41;
  status.held_requests = 3;
  auto status_copy = round_trip(*system_, status);
  EXPECT_TRUE(status_copy.has_timeline);
  EXPECT_EQ(status_copy.live_edge, 41);
  EXPECT_EQ(status_copy.held_requests, 3u);
  ASSERT_EQ(status_copy.masks.size(), 1u);
  EXPECT_EQ(status_copy.masks[0], mask);
  ASSERT_EQ(status_copy.pipelines.size(), 1u);
  EXPECT_EQ(status_copy.pipelines[0].segments_received, 5u);
  EXPECT_EQ(status_copy.pipeline_order, (std::vector<std::string>{"b", "a"}));

  stream_info stream{.name = "live1",
                     .actor_id = 3,
                     .objects = 4,
                     .bytes = 5,
                     .mailbox = 6,
                     .writes = 7,
                     .reads = 8,
                     .held_requests = 2,
                     .messages_handled = 99,
                     .responsive = false,
                     .node = "node-2"};
  auto stream_copy = round_trip(*system_, stream);
  EXPECT_EQ(stream_copy.name, "live1");
  EXPECT_EQ(stream_copy.node, "node-2");
  EXPECT_EQ(stream_copy.reads, 8u);
  EXPECT_EQ(stream_copy.messages_handled, 99u);
  EXPECT_FALSE(stream_copy.responsive);

  auto tenant = round_trip(*system_, tenant_info{.name = "demo",
                                                 .actor_id = 1,
                                                 .mailbox = 2,
                                                 .restarts = 3,
                                                 .messages_handled = 77,
                                                 .streams = {stream},
                                                 .responsive = true});
  EXPECT_EQ(tenant.restarts, 3u);
  EXPECT_EQ(tenant.messages_handled, 77u);
  ASSERT_EQ(tenant.streams.size(), 1u);
  EXPECT_EQ(tenant.streams[0].objects, 4u);

  auto origin =
      round_trip(*system_, origin_info{.actor_id = 9, .mailbox = 0, .messages_handled = 55, .tenants = {tenant}});
  EXPECT_EQ(origin.actor_id, 9u);
  EXPECT_EQ(origin.messages_handled, 55u);
  ASSERT_EQ(origin.tenants.size(), 1u);
  EXPECT_EQ(origin.tenants[0].name, "demo");
}

// What nodes of a cluster send each other (storage copies included), through the serializer BASP uses.
TEST_F(MessagesTest, ClusterMessageTypesSurviveSerialization) {
  node_record node{.id = "node-1",
                   .host = "127.0.0.1",
                   .port = 4300,
                   .state = node_state::active,
                   .delivery = "127.0.0.1:8080",
                   .ingest = "127.0.0.1:8081",
                   .admin = "127.0.0.1:8082"};
  EXPECT_EQ(round_trip(*system_, node), node);
  auto members =
      round_trip(*system_, std::vector<node_record>{node, node_record{.id = "node-2", .host = "::1", .port = 1}});
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].state, node_state::active);
  EXPECT_EQ(members[1].id, "node-2");
  EXPECT_EQ(members[1].host, "::1");
  EXPECT_EQ(members[1].state, node_state::joining);

  stored_object stored{.body = object_body::adopt("body"),
                       .digest = 5,
                       .stored_at_ms = 6,
                       .served = true,
                       .defects = model::defects::discontinuity,
                       .durable = true};
  auto read = round_trip(*system_, remote_read{.reply = {.status = 200,
                                                         .cache_control = "public, max-age=60",
                                                         .segment_number = 7,
                                                         .object = stored,
                                                         .pipeline = "b"},
                                               .transfer = 3,
                                               .size = 4,
                                               .cached = true,
                                               .unknown_stream = true});
  EXPECT_EQ(read.reply.status, 200);
  EXPECT_EQ(read.reply.object.body.view(), "body");
  EXPECT_EQ(read.reply.object.defects, model::defects::discontinuity);
  EXPECT_EQ(read.reply.pipeline, "b");
  EXPECT_EQ(read.transfer, 3u);
  EXPECT_EQ(read.size, 4u);
  EXPECT_TRUE(read.cached);
  EXPECT_TRUE(read.unknown_stream);

  record_batch batch{.tenant = "demo",
                     .stream = "live",
                     .keys = {"k1", std::string("k\x1f"
                                                "2",
                                                3)},
                     .values = {"v1", std::string(3000, 'x')},
                     .erases = {"gone"},
                     .piece_offset = 8,
                     .piece_total = 9,
                     .erase_prefixes = {"s\x1f"
                                        "demo"}};
  EXPECT_EQ(round_trip(*system_, batch), batch);
  auto stored_streams = round_trip(*system_, std::vector<stored_stream>{{"demo", "a"}, {"demo", "b"}});
  EXPECT_EQ(stored_streams, (std::vector<stored_stream>{{"demo", "a"}, {"demo", "b"}}));

  auto info = round_trip(*system_, cluster_info{.self = "node-1",
                                                .version = 4,
                                                .members = {{.record = node, .actor_id = 77, .self = true}},
                                                .streams = {{"demo", "live", "node-1", "node-2"}}});
  EXPECT_EQ(info.self, "node-1");
  EXPECT_EQ(info.version, 4u);
  ASSERT_EQ(info.members.size(), 1u);
  EXPECT_EQ(info.members[0].record, node);
  EXPECT_EQ(info.members[0].actor_id, 77u);
  ASSERT_EQ(info.streams.size(), 1u);
  EXPECT_EQ(info.streams[0].replica, "node-2");
  auto placements =
      round_trip(*system_, std::vector<stream_placement>{{"demo", "a", "n1", ""}, {"demo", "b", "n2", "n1"}});
  ASSERT_EQ(placements.size(), 2u);
  EXPECT_EQ(placements[1].owner, "n2");
}

TEST_F(MessagesTest, EveryMessageTypeIsRegistered) {
  for (const char* name : {"live_origin::storage::object_body",
                           "live_origin::storage::record_batch",
                           "live_origin::storage::stored_stream",
                           "live_origin::storage::storage_actor",
                           "live_origin::actors::stored_object",
                           "live_origin::actors::object_write",
                           "live_origin::actors::write_reply",
                           "live_origin::actors::object_read",
                           "live_origin::actors::read_reply",
                           "live_origin::actors::stream_settings",
                           "live_origin::actors::stream_status",
                           "live_origin::actors::pipeline_mask",
                           "live_origin::actors::pipeline_stats",
                           "live_origin::actors::stream_info",
                           "live_origin::actors::tenant_info",
                           "live_origin::actors::origin_info",
                           "live_origin::actors::stream_actor",
                           "live_origin::actors::tenant_supervisor_actor",
                           "live_origin::actors::origin_supervisor_actor",
                           "live_origin::cluster::node_record",
                           "live_origin::cluster::remote_read",
                           "live_origin::cluster::cluster_member",
                           "live_origin::cluster::stream_placement",
                           "live_origin::cluster::cluster_info",
                           "live_origin::cluster::cluster_actor"})
    EXPECT_TRUE(system_->types().make_value(name)) << name;
}

}  // namespace
}  // namespace live_origin::actors
