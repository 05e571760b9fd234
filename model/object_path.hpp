#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

namespace live_origin::model {

// Where an object lives: /{tenant}/{stream}/{object}. `object` may contain '/' (rendition folders).
// All three are percent-decoded and validated; they are safe to use as map keys and file names.
struct object_path {
  std::string tenant;
  std::string stream;
  std::string object;

  friend bool operator==(const object_path&, const object_path&) = default;
};

// Why a request target was refused. Each reason is counted separately by the HTTP layer.
enum class path_error {
  not_absolute,          // does not start with '/'
  too_long,              // longer than the configured limit (before decoding)
  bad_percent_encoding,  // '%' not followed by two hex digits
  encoded_separator,     // %2F or %5C: a '/' or '\' hidden from the router
  control_byte,          // NUL, other C0 controls or DEL, raw or encoded
  empty_segment,         // "//" or a trailing '/'
  dot_segment,           // "." or ".." as a path segment
  bad_tenant_name,       // not [A-Za-z0-9._-]{1,64}
  bad_stream_name,       // not [A-Za-z0-9._-]{1,64}
  bad_object_name,       // a byte outside the object-name alphabet
  missing_object,        // "/{tenant}/{stream}" with no object
};

std::string_view to_string(path_error error);

using path_parse_result = std::variant<object_path, path_error>;

// Parses the path part of a request target (a query string, if any, is ignored).
// `max_target_bytes` bounds the raw target so an attacker cannot make us decode megabytes.
path_parse_result parse_object_path(std::string_view target, std::size_t max_target_bytes);

// Tenant and stream names: [A-Za-z0-9._-]{1,64}, and neither "." nor "..".
bool is_valid_name(std::string_view name);

}  // namespace live_origin::model
