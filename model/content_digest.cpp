#include "model/content_digest.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <fmt/format.h>

namespace live_origin::model {

std::uint64_t content_digest(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

std::string entity_tag(std::uint64_t digest) { return fmt::format("\"{:016x}\"", digest); }

}  // namespace live_origin::model
