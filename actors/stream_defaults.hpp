#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/read_policy.hpp"
#include "model/stream_profile.hpp"

namespace live_origin::actors {

// What a new stream actor starts with: its tenant's timeline and policies, and the process-wide bounds.
struct stream_defaults {
  model::stream_profile profile;
  model::cache_policy cache;
  std::vector<std::string> pipelines{"a", "b"};  // pipeline ids in selection order
  std::int64_t manifest_fresh_segments = 3;      // a manifest older than this many segment durations is stale
  std::size_t max_held_per_stream = 10'000;
  std::size_t max_held_total = 100'000;
  std::size_t shed_mailbox_messages = 1'000;
  // Held requests across all streams of the process (the bound above applies to it).
  std::shared_ptr<std::atomic<std::size_t>> held_total = std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace live_origin::actors
