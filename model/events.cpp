#include "model/events.hpp"

#include <fmt/format.h>

namespace live_origin::model {
namespace {

bool is_safe(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ';':
    case '=':
    case ':':
    case '@':
    case '/':
    case ' ':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string encode_event(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_safe(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

bool is_valid_event(std::string_view text) { return !text.empty() && text.size() <= max_event_bytes; }

}  // namespace live_origin::model
