#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <stdexcept>

#include "storage/object_store.hpp"

namespace live_origin::storage {

namespace {

class rocksdb_store final : public object_store {
 public:
  rocksdb_store(const std::string& directory, durability mode, std::uint64_t write_buffer_bytes) {
    rocksdb::Options options;
    options.create_if_missing = true;
    // Disk stays flat over a long run: expired segments are deleted, and their space comes back when
    // memtables are flushed and files compacted (blob files with them). Both are paced by the memtable
    // size, and a log file is deleted once the memtables it holds are flushed.
    options.write_buffer_size = write_buffer_bytes;
    // Segments are large and written once: keep them out of the LSM tree, so compaction moves only keys.
    options.enable_blob_files = true;
    options.min_blob_size = 4096;
    options.enable_blob_garbage_collection = true;
    rocksdb::DB* db = nullptr;
    auto status = rocksdb::DB::Open(options, directory, &db);
    if (!status.ok()) throw std::runtime_error("cannot open the store in '" + directory + "': " + status.ToString());
    db_.reset(db);
    write_options_.sync = mode == durability::power;
  }

  bool put(std::string_view key, std::string_view value) override {
    return check("put", key, db_->Put(write_options_, to_slice(key), to_slice(value)));
  }

  bool erase(std::string_view key) override { return check("delete", key, db_->Delete(write_options_, to_slice(key))); }

  bool write(const std::vector<std::pair<std::string_view, std::string_view>>& puts,
             const std::vector<std::string_view>& erases) override {
    rocksdb::WriteBatch batch;
    for (const auto& [key, value] : puts) batch.Put(to_slice(key), to_slice(value));
    for (const auto& key : erases) batch.Delete(to_slice(key));
    auto status = db_->Write(write_options_, &batch);
    if (status.ok()) return true;
    spdlog::error("store: writing {} records and erasing {} failed (first key '{}'): {}", puts.size(), erases.size(),
                  printable(puts.empty() ? (erases.empty() ? std::string_view() : erases.front()) : puts.front().first),
                  status.ToString());
    return false;
  }

  lookup get(std::string_view key) override {
    std::string value;
    auto status = db_->Get(rocksdb::ReadOptions(), to_slice(key), &value);
    if (status.IsNotFound()) return {};
    if (!check("get", key, status)) return {std::nullopt, true};
    return {std::move(value), false};
  }

  bool scan(std::string_view prefix,
            const std::function<void(std::string_view key, std::string_view value)>& visit) override {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(to_slice(prefix)); it->Valid() && it->key().starts_with(to_slice(prefix)); it->Next())
      visit(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()));
    if (it->status().ok()) return true;
    spdlog::error("store: scanning '{}' failed: {}", printable(prefix), it->status().ToString());
    return false;
  }

 private:
  static rocksdb::Slice to_slice(std::string_view text) { return {text.data(), text.size()}; }
  static std::string printable(std::string_view key) {
    std::string out(key);
    for (auto& c : out)
      if (c == '\x1f') c = '/';
    return out;
  }
  static bool check(const char* what, std::string_view key, const rocksdb::Status& status) {
    if (status.ok()) return true;
    spdlog::error("store: {} of '{}' failed: {}", what, printable(key), status.ToString());
    return false;
  }

  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::WriteOptions write_options_;
};

}  // namespace

std::unique_ptr<object_store> open_rocksdb_store(const std::string& directory, durability mode,
                                                 std::uint64_t write_buffer_bytes) {
  return std::make_unique<rocksdb_store>(directory, mode, write_buffer_bytes);
}

}  // namespace live_origin::storage
