#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/write_fence.hpp"
#include "model/clock.hpp"
#include "model/quota.hpp"
#include "model/read_policy.hpp"
#include "model/selection.hpp"
#include "model/stream_profile.hpp"

namespace live_origin::actors {

// What a new stream actor starts with: its tenant's timeline and policies, and the process-wide bounds.
struct stream_defaults {
  // Where stream actors read the time (tests hand in one that follows simulated time).
  std::shared_ptr<const model::wall_clock> clock = model::system_wall_clock();
  // Writes are accepted only while it is open (a node holding an etcd lease); null: always.
  std::shared_ptr<const write_fence> fence;
  model::stream_profile profile;
  model::cache_policy cache;
  std::vector<std::string> pipelines{"a", "b"};  // pipeline ids in selection order
  std::int64_t manifest_fresh_segments = 3;      // a manifest older than this many segment durations is stale
  std::size_t max_held_per_stream = 10'000;
  std::size_t max_held_total = 100'000;
  std::size_t shed_mailbox_messages = 1'000;
  // How long a write waits for storage before the packager gets a 503, and a read at most (it stays below
  // the HTTP side's request timeout, so the answer is the stream's rather than the bridge's: config checks).
  std::chrono::milliseconds storage_timeout{4000};
  // Held requests across all streams of the process (the bound above applies to it).
  std::shared_ptr<std::atomic<std::size_t>> held_total = std::make_shared<std::atomic<std::size_t>>(0);
  // The hot window: segment bytes kept in memory, per stream and across the process; older durable
  // segments are read back from storage when asked for.
  std::uint64_t hot_bytes_per_stream = 256ull << 20;
  std::uint64_t hot_bytes_total = 2ull << 30;
  std::shared_ptr<std::atomic<std::uint64_t>> hot_total = std::make_shared<std::atomic<std::uint64_t>>(0);
  // How holds ended, across the process (for /metrics).
  struct hold_outcomes {
    std::atomic<std::uint64_t> released{0};   // answered when the object landed (or a change decided them)
    std::atomic<std::uint64_t> timed_out{0};  // answered at their deadline
    std::atomic<std::uint64_t> abandoned{0};  // the client went away first
  };
  std::shared_ptr<hold_outcomes> hold_ends = std::make_shared<hold_outcomes>();
  // Per tenant, shared by its supervisor and streams, read by /metrics, kept across config reloads.
  struct tenant_counters {
    explicit tenant_counters(std::size_t pipelines)
        : received(pipelines), served(pipelines), derived_defects(pipelines * model::defect_kind_count) {}
    model::tenant_usage stored;  // bytes and objects stored now; the stored-bytes quota
    // Segments per pipeline, indexed like `pipelines` (a failover shows as the served count moving on).
    std::vector<std::atomic<std::uint64_t>> received;  // first upload of a segment by this pipeline
    std::vector<std::atomic<std::uint64_t>> served;    // segments whose first 200 came from this pipeline
    std::atomic<std::uint64_t> restarts{0};            // stream actors restarted after a failure
    // Defects the origin's own inspection found, per pipeline and kind: [pipeline * defect_kind_count + kind].
    std::vector<std::atomic<std::uint64_t>> derived_defects;
  };
  std::shared_ptr<tenant_counters> tenant = std::make_shared<tenant_counters>(pipelines.size());
};

}  // namespace live_origin::actors
