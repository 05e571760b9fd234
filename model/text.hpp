#pragma once

// Small text helpers for header values, shared by model/ and http/ (model/ cannot use Beast's).

#include <algorithm>
#include <cctype>
#include <string_view>

namespace live_origin::model {

// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// ASCII case-insensitive equality (header tokens, auth schemes).
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace live_origin::model
