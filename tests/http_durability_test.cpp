// Durable storage seen through HTTP: what a new process finds in the data directory is served as before,
// and a damaged record is reported and skipped, never served.

#include <gtest/gtest.h>

#include "actors/object_store.hpp"
#include "model/content_digest.hpp"
#include "model/stored_record.hpp"
#include "support/http_client.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

TEST(Durability, ANewProcessServesWhatTheLastOneAcknowledged) {
  temp_dir data;
  auto use_data = [&](config::origin_config& c) { c.data_dir = (data.path() / "data").string(); };
  {
    running_origin first(use_data);
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::put, "/demo/live1/seg-7.m4s", "seven", {{"X-Origin-Pipeline", "b"}}).status,
              201);
    ASSERT_EQ(fetch(first.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n").status, 201);
    ASSERT_EQ(fetch(first.delivery(), bhttp::verb::get, "/demo/live1/seg-7.m4s").status, 200);
  }
  running_origin second(use_data);
  auto segment = fetch(second.delivery(), bhttp::verb::get, "/demo/live1/seg-7.m4s");
  EXPECT_EQ(segment.status, 200);
  EXPECT_EQ(segment.body, "seven");
  EXPECT_EQ(segment.header("x-origin-pipeline"), "b");
  EXPECT_EQ(segment.header("etag"), model::entity_tag(model::content_digest("seven")));
  EXPECT_EQ(fetch(second.delivery(), bhttp::verb::get, "/demo/live1/stream.m3u8").body, "#EXTM3U\n");
  EXPECT_EQ(fetch(second.ingest(), bhttp::verb::put, "/demo/live1/seg-7.m4s", "changed", {{"X-Origin-Pipeline", "b"}}).status,
            409)
      << "it was served before the restart: its bytes stay fixed";
}

TEST(Durability, ADamagedRecordIsSkippedNotServed) {
  temp_dir data;
  auto store_dir = (data.path() / "data" / "store").string();
  std::filesystem::create_directories(data.path() / "data");
  {
    auto store = actors::open_rocksdb_store(store_dir, actors::durability::process);
    auto good = model::encode_object_record({"seg-1.m4s", "a", model::content_digest("one"), 1, 0, "one"});
    auto damaged = model::encode_object_record({"seg-2.m4s", "a", model::content_digest("two"), 1, 0, "two"});
    damaged.back() ^= 0x01;  // a flipped bit in the body
    store->put(model::object_record_key("demo", "live1", "seg-1.m4s", "a"), good);
    store->put(model::object_record_key("demo", "live1", "seg-2.m4s", "a"), damaged);
  }
  running_origin origin([&](config::origin_config& c) { c.data_dir = (data.path() / "data").string(); });
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s").body, "one");
  auto damaged = fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/seg-2.m4s");
  EXPECT_NE(damaged.status, 200) << damaged.body;
}

}  // namespace
}  // namespace live_origin::test
