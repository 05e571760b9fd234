#pragma once

#include <cstdint>
#include <string_view>

#include "model/object_kind.hpp"

namespace live_origin::model {

// The newest media segment a manifest version lists, read from its bytes where they say:
// - an HLS media playlist (#EXTM3U): the number of its last media segment URI (named as the tenant's
//   naming rules name segments; a query string and a scheme://host prefix are ignored);
// - an HLS playlist that lists no media segment (a multivariant playlist, an empty media playlist): -1;
// - a DASH MPD whose SegmentTemplates use $Number$ with a SegmentTimeline: startNumber + the timeline's
//   segments - 1, the least over its templates (what every representation lists).
// Bytes that do not say (a DASH $Number$ template without a timeline, whose segments follow from the clock,
// or anything else) count as listing `pipeline_newest`, the pipeline's newest media segment when the
// version was written: as much as it can list.
std::int64_t listed_segment(std::string_view manifest, const naming_rules& naming, std::int64_t pipeline_newest);

}  // namespace live_origin::model
