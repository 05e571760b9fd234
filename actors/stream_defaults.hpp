#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "model/object_kind.hpp"
#include "model/read_policy.hpp"
#include "model/timeline.hpp"
#include "model/write_policy.hpp"

namespace live_origin::actors {

// What a new stream actor starts with: its tenant's timeline and policies, and the process-wide bounds.
struct stream_defaults {
  std::int64_t segment_duration_ms = 2000;
  model::live_policy policy;
  std::optional<std::uint64_t> start_number;          // unset: the first segment seen
  std::optional<std::int64_t> availability_start_ms;  // unset: learned from the first segment
  model::delete_policy on_delete = model::delete_policy::expire;
  model::naming_rules naming;
  model::cache_policy cache;
  std::size_t max_held_per_stream = 10'000;
  std::size_t max_held_total = 100'000;
  std::size_t shed_mailbox_messages = 1'000;
  // Held requests across all streams of the process (the bound above applies to it).
  std::shared_ptr<std::atomic<std::size_t>> held_total = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace live_origin::actors
