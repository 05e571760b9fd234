#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace live_origin::model {

// A service's base URL as the config names it: "http://HOST:PORT" (HOST an IP address, [IPv6] or a name;
// an optional trailing slash, nothing else). etcd members are given this way.
struct endpoint_url {
  std::string host;  // without brackets
  std::string port;
  friend bool operator==(const endpoint_url&, const endpoint_url&) = default;
};

std::optional<endpoint_url> parse_endpoint_url(std::string_view url);

}  // namespace live_origin::model
