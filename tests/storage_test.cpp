// The RocksDB store under a temporary data directory: records survive reopening, prefix scans stay
// inside their stream.

#include <gtest/gtest.h>

#include <map>

#include "storage/object_store.hpp"
#include "support/running_origin.hpp"

namespace live_origin::storage {
namespace {

using test::temp_dir;

std::map<std::string, std::string> scan_all(object_store& store, std::string_view prefix) {
  std::map<std::string, std::string> found;
  store.scan(prefix, [&](std::string_view key, std::string_view value) { found.emplace(key, value); });
  return found;
}

TEST(RocksdbStore, RecordsSurviveReopeningInBothDurabilityModes) {
  for (auto mode : {durability::process, durability::power}) {
    temp_dir dir;
    auto path = (dir.path() / "store").string();
    {
      auto store = open_rocksdb_store(path, mode);
      EXPECT_TRUE(store->put("s/a/1", std::string(100'000, 'x')));  // a blob-sized value
      EXPECT_TRUE(store->put("s/a/2", "two"));
      EXPECT_TRUE(store->put("s/b/1", "other stream"));
      EXPECT_TRUE(store->erase("s/a/2"));
    }
    auto store = open_rocksdb_store(path, mode);
    auto found = scan_all(*store, "s/a/");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found["s/a/1"], std::string(100'000, 'x'));
    EXPECT_EQ(scan_all(*store, "s/").size(), 2u);
  }
}

TEST(RocksdbStore, AnUnopenableDirectoryIsAClearError) {
  temp_dir dir;
  auto file = dir.path() / "not-a-directory";
  std::ofstream(file) << "x";
  try {
    open_rocksdb_store(file.string(), durability::process);
    FAIL() << "opened a store inside a file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not-a-directory"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace live_origin::storage
