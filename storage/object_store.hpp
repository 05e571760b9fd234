#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace live_origin::storage {

// When an acknowledged write is safe: "process" survives a crash of this process (the write-ahead log is in
// the kernel's page cache), "power" also a power loss (the log is synced before the write returns).
enum class durability { process, power };

// What a lookup found: the value, no such record, or that the store could not say (an I/O error, logged).
struct lookup {
  std::optional<std::string> value;
  bool failed = false;
};

// Durable key-value records (see model/stored_record.hpp for the keys and values). Only storage actors
// call it: its calls do disk I/O and may block.
class object_store {
 public:
  virtual ~object_store() = default;
  // Durable as the store's durability says when it returns true; false names no reason (it is logged).
  virtual bool put(std::string_view key, std::string_view value) = 0;
  virtual bool erase(std::string_view key) = 0;
  // All of `puts` and `erases` or none of it, in one write-ahead-log record (and one sync).
  virtual bool write(const std::vector<std::pair<std::string_view, std::string_view>>& puts,
                     const std::vector<std::string_view>& erases) = 0;
  virtual lookup get(std::string_view key) = 0;
  // Every record whose key starts with `prefix`, in key order. False when the scan stopped on an error
  // (logged): what was visited is then not all there is.
  virtual bool scan(std::string_view prefix,
                    const std::function<void(std::string_view key, std::string_view value)>& visit) = 0;
};

// RocksDB under `directory` (created if needed), large values in blob files, writes collected in memtables
// of `write_buffer_bytes` (the write-ahead log holds what they have not flushed yet). Throws std::runtime_error naming
// the directory and RocksDB's reason when it cannot be opened.
std::unique_ptr<object_store> open_rocksdb_store(const std::string& directory, durability mode,
                                                 std::uint64_t write_buffer_bytes = 64ull << 20);

}  // namespace live_origin::storage
