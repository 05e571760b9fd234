#pragma once

#include <cstdint>
#include <optional>

#include "model/media_inspector.hpp"
#include "model/object_kind.hpp"
#include "model/timeline.hpp"
#include "model/write_policy.hpp"

namespace live_origin::model {

// How a tenant's streams behave: what a new stream of the tenant starts with.
struct stream_profile {
  std::int64_t segment_duration_ms = 2000;
  live_policy policy;
  std::optional<std::uint64_t> start_number;          // unset: the first segment seen
  std::optional<std::int64_t> availability_start_ms;  // unset: learned from the first segment
  delete_policy on_delete = delete_policy::expire;
  naming_rules naming;
  inspection_settings inspection;  // which checks the origin runs on uploaded segments
};

}  // namespace live_origin::model
