#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace live_origin::model {

// Stream-event notifications (X-Origin-Event on a PUT) and their header-safe form.
constexpr std::size_t max_event_bytes = 256;           // one notification's text; longer: 400
constexpr std::size_t max_events_per_write = 8;        // X-Origin-Event headers on one PUT; more: 400
constexpr std::size_t max_events_header_bytes = 4096;  // X-Origin-Events keeps the most recent that fit

// Percent-encodes every byte outside the RFC 3986 unreserved set plus "!$&'()*+;=:@/ ", so a
// notification never contains ',' (the list separator in X-Origin-Events), '%' unencoded, or control bytes.
std::string encode_event(std::string_view text);

// An acceptable notification: 1..max_event_bytes bytes.
bool is_valid_event(std::string_view text);

}  // namespace live_origin::model
