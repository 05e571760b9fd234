#include "model/object_kind.hpp"

#include <charconv>

namespace live_origin::model {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool matches_any(const std::vector<std::string>& patterns, std::string_view file_name) {
  for (const auto& pattern : patterns)
    if (glob_match(pattern, file_name)) return true;
  return false;
}

}  // namespace

std::string_view to_string(object_kind kind) {
  switch (kind) {
    case object_kind::manifest:
      return "manifest";
    case object_kind::init_segment:
      return "init";
    case object_kind::media_segment:
      return "segment";
    case object_kind::plain:
      return "plain";
  }
  return "unknown";
}

bool glob_match(std::string_view pattern, std::string_view text) {
  // Iterative matcher with one backtrack point for the last '*': linear in practice, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

object_class classify_object(std::string_view object, const naming_rules& rules) {
  auto slash = object.rfind('/');
  std::size_t file_start = slash == std::string_view::npos ? 0 : slash + 1;
  std::string_view file_name = object.substr(file_start);
  if (matches_any(rules.plain_patterns, file_name)) return {object_kind::plain, 0, {}};
  if (matches_any(rules.manifest_patterns, file_name)) return {object_kind::manifest, 0, {}};
  if (matches_any(rules.init_patterns, file_name)) return {object_kind::init_segment, 0, {}};

  auto dot = file_name.rfind('.');
  std::string_view stem = dot == std::string_view::npos ? file_name : file_name.substr(0, dot);
  std::size_t end = stem.size();
  while (end > 0 && !is_digit(stem[end - 1])) --end;
  if (end == 0) return {object_kind::plain, 0, {}};
  std::size_t begin = end;
  while (begin > 0 && is_digit(stem[begin - 1])) --begin;
  std::uint64_t number = 0;
  auto digits = stem.substr(begin, end - begin);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return {object_kind::plain, 0, {}};
  std::string track(object.substr(0, file_start + begin));
  track += object.substr(file_start + end);
  return {object_kind::media_segment, number, std::move(track)};
}

}  // namespace live_origin::model
