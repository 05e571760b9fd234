#include "model/endpoint_url.hpp"

#include <charconv>

namespace live_origin::model {

std::optional<endpoint_url> parse_endpoint_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (!url.starts_with(scheme)) return std::nullopt;
  url.remove_prefix(scheme.size());
  if (url.ends_with('/')) url.remove_suffix(1);
  auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || url.find('/') != std::string_view::npos) return std::nullopt;
  auto host = url.substr(0, colon), port = url.substr(colon + 1);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);  // [::1]
  unsigned number = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (host.empty() || error != std::errc{} || end != port.data() + port.size() || number == 0 || number > 65535)
    return std::nullopt;
  return endpoint_url{std::string(host), std::string(port)};
}

}  // namespace live_origin::model
