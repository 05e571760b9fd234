#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace live_origin::model {

// An IP network in CIDR form ("10.0.0.0/8", "2001:db8::/32"); IPv4 is kept as IPv4-mapped IPv6.
struct ip_network {
  std::array<std::uint8_t, 16> address{};
  unsigned prefix_bits = 0;  // of the 128-bit (mapped) address
};

std::optional<ip_network> parse_network(std::string_view cidr);

// `address` is 16 bytes (IPv6, or IPv4-mapped IPv6).
bool contains(const ip_network& network, const std::array<std::uint8_t, 16>& address);

// Who may GET from the delivery listener: everyone when the list is empty (CDNs pull), else only the
// listed networks.
bool client_allowed(const std::vector<ip_network>& allowed, const std::array<std::uint8_t, 16>& address);

}  // namespace live_origin::model
