#include "model/object_path.hpp"

#include <optional>

namespace live_origin::model {
namespace {

constexpr std::size_t max_name_bytes = 64;

std::optional<int> hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// RFC 3986 pchar without '%' (already decoded): unreserved, sub-delims, ':' and '@'.
// Anything else (space, quotes, '<', '\', bytes >= 0x80) has no business in a segment name.
bool is_object_char(char c) {
  if (is_name_char(c)) return true;
  switch (c) {
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
    case ':':
    case '@':
      return true;
    default:
      return false;
  }
}

// Decodes one path segment; separators were split off before decoding, so a decoded '/' or '\'
// is an attempt to smuggle one past the router.
std::variant<std::string, path_error> decode_segment(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return path_error::bad_percent_encoding;
      auto high = hex_value(raw[i + 1]);
      auto low = hex_value(raw[i + 2]);
      if (!high || !low) return path_error::bad_percent_encoding;
      c = static_cast<char>(*high * 16 + *low);
      i += 2;
      if (c == '/' || c == '\\') return path_error::encoded_separator;
    }
    if (is_control(static_cast<unsigned char>(c))) return path_error::control_byte;
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string_view to_string(path_error error) {
  switch (error) {
    case path_error::not_absolute:
      return "not_absolute";
    case path_error::too_long:
      return "too_long";
    case path_error::bad_percent_encoding:
      return "bad_percent_encoding";
    case path_error::encoded_separator:
      return "encoded_separator";
    case path_error::control_byte:
      return "control_byte";
    case path_error::empty_segment:
      return "empty_segment";
    case path_error::dot_segment:
      return "dot_segment";
    case path_error::bad_tenant_name:
      return "bad_tenant_name";
    case path_error::bad_stream_name:
      return "bad_stream_name";
    case path_error::bad_object_name:
      return "bad_object_name";
    case path_error::missing_object:
      return "missing_object";
  }
  return "unknown";
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_name_bytes || name == "." || name == "..") return false;
  for (char c : name)
    if (!is_name_char(c)) return false;
  return true;
}

path_parse_result parse_object_path(std::string_view target, std::size_t max_target_bytes) {
  if (target.size() > max_target_bytes) return path_error::too_long;
  if (auto query = target.find('?'); query != std::string_view::npos) target = target.substr(0, query);
  if (target.empty() || target.front() != '/') return path_error::not_absolute;

  object_path path;
  int index = 0;
  std::string_view rest = target.substr(1);
  while (true) {
    auto slash = rest.find('/');
    std::string_view raw = rest.substr(0, slash);
    if (raw.empty())
      return index == 2 && slash == std::string_view::npos ? path_error::missing_object : path_error::empty_segment;
    auto decoded = decode_segment(raw);
    if (auto* error = std::get_if<path_error>(&decoded)) return *error;
    auto& segment = std::get<std::string>(decoded);
    if (segment == "." || segment == "..") return path_error::dot_segment;
    if (index == 0) {
      if (!is_valid_name(segment)) return path_error::bad_tenant_name;
      path.tenant = std::move(segment);
    } else if (index == 1) {
      if (!is_valid_name(segment)) return path_error::bad_stream_name;
      path.stream = std::move(segment);
    } else {
      for (char c : segment)
        if (!is_object_char(c)) return path_error::bad_object_name;
      if (!path.object.empty()) path.object.push_back('/');
      path.object += segment;
    }
    ++index;
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  if (index < 3) return path_error::missing_object;
  return path;
}

}  // namespace live_origin::model
