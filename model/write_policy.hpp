#pragma once

#include <cstdint>
#include <string_view>

namespace live_origin::model {

// What a write does to the object it names.
enum class write_outcome : std::uint8_t {
  created,           // nothing was stored under the name: 201
  unchanged,         // the same bytes again, e.g. a packager's retry or the second pipeline: 204
  replaced,          // different bytes for a mutable object (a manifest update): 204
  refused_gone,      // a segment already declared gone (a 410 was served): 409
  refused_served,    // different bytes for a segment already served (CDNs cached it): 409
  refused_quota,     // storing it would take the tenant past its stored-bytes quota: 429
  store_failed,      // durable storage did not take it in time: 503, nothing kept
  refused_no_lease,  // this node's etcd lease may have run out, so another may own the stream: 503, nothing kept
  delete_scheduled,  // a DELETE: the object expires later (or, by the tenant's policy, stays): 204
};

// What the stream knows about the name being written.
struct write_facts {
  const std::string_view* stored = nullptr;  // the stored bytes, null when nothing is stored or not at hand
  std::uint64_t stored_digest = 0;
  bool immutable = false;         // a media segment that has been served: its bytes may not change
  bool declared_gone = false;     // a media segment a 410 was served for
  bool stored_elsewhere = false;  // stored, but the bytes are only in durable storage: the digest decides
};

// Decides a write. Digests are compared first; equal digests are confirmed byte for byte, so a hash
// collision can never make the origin drop a real update.
write_outcome classify_write(const write_facts& facts, std::string_view incoming, std::uint64_t incoming_digest);

// The HTTP status a packager gets for each outcome (WebDAV semantics: 201 new, 204 otherwise).
std::uint16_t status_for(write_outcome outcome);

std::string_view to_string(write_outcome outcome);

// What DELETE means for a tenant. It never removes at once: CDNs and late viewers still need the object.
enum class delete_policy {
  expire,  // the object leaves when its DVR window has passed since the DELETE
  ignore,  // DELETE is acknowledged and changes nothing (segments still expire with the timeline)
};

}  // namespace live_origin::model
