#pragma once

#include <cstdint>
#include <string_view>

namespace live_origin::model {

// What a write does to the object it names.
enum class write_outcome {
  created,    // nothing was stored under the name: 201
  unchanged,  // the same bytes again, e.g. a packager's retry: 204, nothing changes
  replaced,   // different bytes for a mutable object (a manifest update): 204
};

// Decides a write against the currently stored bytes (`stored` is null when nothing is stored).
// The digests are compared first; equal digests are confirmed byte for byte, so a hash collision
// can never make the origin drop a real update.
write_outcome classify_write(const std::string_view* stored, std::uint64_t stored_digest, std::string_view incoming,
                             std::uint64_t incoming_digest);

// The HTTP status a packager gets for each outcome (WebDAV semantics: 201 new, 204 otherwise).
std::uint16_t status_for(write_outcome outcome);

std::string_view to_string(write_outcome outcome);

}  // namespace live_origin::model
