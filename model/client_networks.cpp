#include "model/client_networks.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace live_origin::model {

std::optional<ip_network> parse_network(std::string_view cidr) {
  auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string host(cidr.substr(0, slash));
  auto bits_text = cidr.substr(slash + 1);
  unsigned bits = 0;
  auto [end, ec] = std::from_chars(bits_text.data(), bits_text.data() + bits_text.size(), bits);
  if (ec != std::errc() || end != bits_text.data() + bits_text.size() || bits_text.empty()) return std::nullopt;
  ip_network network;
  std::array<std::uint8_t, 4> v4{};
  if (inet_pton(AF_INET, host.c_str(), v4.data()) == 1) {
    if (bits > 32) return std::nullopt;
    network.address[10] = 0xff;
    network.address[11] = 0xff;
    for (int i = 0; i < 4; ++i) network.address[12 + i] = v4[i];
    network.prefix_bits = 96 + bits;
  } else if (inet_pton(AF_INET6, host.c_str(), network.address.data()) == 1) {
    if (bits > 128) return std::nullopt;
    network.prefix_bits = bits;
  } else {
    return std::nullopt;
  }
  return network;
}

bool contains(const ip_network& network, const std::array<std::uint8_t, 16>& address) {
  unsigned bits = network.prefix_bits;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
    unsigned take = bits >= 8 ? 8 : bits;
    auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((network.address[i] & mask) != (address[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

bool client_allowed(const std::vector<ip_network>& allowed, const std::array<std::uint8_t, 16>& address) {
  if (allowed.empty()) return true;
  for (const auto& network : allowed)
    if (contains(network, address)) return true;
  return false;
}

}  // namespace live_origin::model
