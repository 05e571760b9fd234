#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace live_origin::model {

// A 64-bit digest of an object's bytes (XXH3). Identical bytes from either pipeline, on any node and
// across restarts, get the same digest, so it serves as the strong ETag and as the first check for
// "the same bytes again" on a repeated PUT.
std::uint64_t content_digest(std::string_view bytes);

// The strong entity tag for a digest, quoted as HTTP wants it: "0123456789abcdef".
std::string entity_tag(std::uint64_t digest);

}  // namespace live_origin::model
