#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace live_origin::http {

// A stored object as HTTP sees it: bytes plus the validators.
struct representation {
  std::shared_ptr<const std::string> bytes;
  std::string etag;  // quoted strong entity tag
  std::int64_t last_modified_ms = 0;
  std::string_view content_type;
};

// The answer to GET or HEAD for a representation, per RFC 9110: 200, or 304 (If-None-Match, else
// If-Modified-Since), or 206/416 for a single `Range: bytes=` range (honouring If-Range). A
// multi-range request is answered 200 with the whole object, which RFC 9110 allows.
response serve_representation(const request_header& header, const representation& rep);

// One byte range resolved against a length: [first, last] inclusive.
struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  friend bool operator==(const byte_range&, const byte_range&) = default;
};

// Parses a Range header value against `length`.
enum class range_kind { none, single, unsatisfiable };
struct range_request {
  range_kind kind = range_kind::none;
  byte_range range;
};
range_request parse_range(std::string_view header, std::uint64_t length);

// True when an If-None-Match value matches `etag` (weak comparison, '*' matches anything).
bool if_none_match_matches(std::string_view header, std::string_view etag);

// HTTP-date (IMF-fixdate) in both directions; parse returns seconds since the epoch.
std::string format_http_date(std::int64_t unix_ms);
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace live_origin::http
