#include "http/representation.hpp"

#include "model/text.hpp"

#include <fmt/format.h>
#include <boost/beast/http/field.hpp>

#include <array>
#include <charconv>
#include <ctime>

namespace live_origin::http {
namespace {

using model::trim_whitespace;

constexpr std::array<std::string_view, 7> weekdays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::optional<std::uint64_t> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string_view opaque_tag(std::string_view tag) {
  tag = trim_whitespace(tag);
  if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
  return tag;
}

void set_validators(response_message& message, const representation& rep) {
  message.set(beast_http::field::etag, rep.etag);
  message.set(beast_http::field::last_modified, format_http_date(rep.last_modified_ms));
}

bool not_modified(const request_header& header, const representation& rep) {
  auto if_none_match = header[beast_http::field::if_none_match];
  if (!if_none_match.empty()) return if_none_match_matches(if_none_match, rep.etag);
  auto if_modified_since = header[beast_http::field::if_modified_since];
  if (if_modified_since.empty()) return false;
  auto since = parse_http_date(if_modified_since);
  return since && rep.last_modified_ms / 1000 <= *since;
}

// If-Range: the range applies only if the validator still matches (strong comparison for tags).
bool range_still_valid(const request_header& header, const representation& rep) {
  auto if_range = trim_whitespace(header[beast_http::field::if_range]);
  if (if_range.empty()) return true;
  if (if_range.front() == '"') return if_range == rep.etag;
  auto date = parse_http_date(if_range);
  return date && *date == rep.last_modified_ms / 1000;
}

}  // namespace

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  if (trim_whitespace(header) == "*") return true;
  auto wanted = opaque_tag(etag);
  while (!header.empty()) {
    auto comma = header.find(',');
    if (opaque_tag(header.substr(0, comma)) == wanted) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

range_request parse_range(std::string_view header, std::uint64_t length) {
  header = trim_whitespace(header);
  constexpr std::string_view unit = "bytes=";
  if (header.size() < unit.size() || header.substr(0, unit.size()) != unit) return {};
  auto spec = trim_whitespace(header.substr(unit.size()));
  if (spec.find(',') != std::string_view::npos) return {};  // multi-range: serve the whole object
  auto dash = spec.find('-');
  if (dash == std::string_view::npos) return {};
  auto first_text = trim_whitespace(spec.substr(0, dash));
  auto last_text = trim_whitespace(spec.substr(dash + 1));
  if (first_text.empty()) {  // suffix: the last N bytes
    auto suffix = parse_number(last_text);
    if (!suffix) return {};
    if (*suffix == 0 || length == 0) return {range_kind::unsatisfiable, {}};
    auto count = std::min(*suffix, length);
    return {range_kind::single, {length - count, length - 1}};
  }
  auto first = parse_number(first_text);
  if (!first) return {};
  std::uint64_t last = length == 0 ? 0 : length - 1;
  if (!last_text.empty()) {
    auto parsed = parse_number(last_text);
    if (!parsed || *parsed < *first) return {};  // syntactically invalid: ignore the header
    last = std::min(*parsed, last);
  }
  if (*first >= length) return {range_kind::unsatisfiable, {}};
  return {range_kind::single, {*first, last}};
}

std::string format_http_date(std::int64_t unix_ms) {
  std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", weekdays[static_cast<std::size_t>(tm.tm_wday)],
                     tm.tm_mday, months[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  text = trim_whitespace(text);
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT") return std::nullopt;
  auto number = [&](std::size_t at, std::size_t width) { return parse_number(text.substr(at, width)); };
  auto day = number(5, 2), year = number(12, 4), hour = number(17, 2), minute = number(20, 2), second = number(23, 2);
  if (!day || !year || !hour || !minute || !second) return std::nullopt;
  if (text[7] != ' ' || text[11] != ' ' || text[16] != ' ' || text[19] != ':' || text[22] != ':') return std::nullopt;
  auto month = std::find(months.begin(), months.end(), text.substr(8, 3));
  if (month == months.end()) return std::nullopt;
  std::tm tm{};
  tm.tm_mday = static_cast<int>(*day);
  tm.tm_mon = static_cast<int>(month - months.begin());
  tm.tm_year = static_cast<int>(*year) - 1900;
  tm.tm_hour = static_cast<int>(*hour);
  tm.tm_min = static_cast<int>(*minute);
  tm.tm_sec = static_cast<int>(*second);
  if (tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

response serve_representation(const request_header& header, const representation& rep) {
  if (not_modified(header, rep)) {
    response answer;
    answer.message.result(beast_http::status::not_modified);
    set_validators(answer.message, rep);
    return answer;
  }
  const auto length = static_cast<std::uint64_t>(rep.bytes->size());
  auto range = header.method() == beast_http::verb::get && range_still_valid(header, rep)
                   ? parse_range(header[beast_http::field::range], length)
                   : range_request{};
  if (range.kind == range_kind::unsatisfiable) {
    auto answer = text_response(beast_http::status::range_not_satisfiable, "range not satisfiable\n");
    answer.message.set(beast_http::field::content_range, fmt::format("bytes */{}", length));
    return answer;
  }
  auto answer = bytes_response(beast_http::status::ok, rep.bytes, rep.content_type);
  set_validators(answer.message, rep);
  answer.message.set(beast_http::field::accept_ranges, "bytes");
  if (range.kind == range_kind::single) {
    auto count = range.range.last - range.range.first + 1;
    answer.message.result(beast_http::status::partial_content);
    answer.message.body() = boost::beast::span<const char>(rep.bytes->data() + range.range.first, count);
    answer.message.content_length(count);
    answer.message.set(beast_http::field::content_range,
                       fmt::format("bytes {}-{}/{}", range.range.first, range.range.last, length));
  }
  return answer;
}

}  // namespace live_origin::http
