#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "model/client_networks.hpp"

namespace live_origin::model {
namespace {

std::array<std::uint8_t, 16> v4(const char* text) {
  std::array<std::uint8_t, 16> out{};
  out[10] = out[11] = 0xff;
  inet_pton(AF_INET, text, out.data() + 12);
  return out;
}

std::array<std::uint8_t, 16> v6(const char* text) {
  std::array<std::uint8_t, 16> out{};
  inet_pton(AF_INET6, text, out.data());
  return out;
}

TEST(ClientNetworks, ParsesV4AndV6Cidrs) {
  EXPECT_TRUE(parse_network("10.0.0.0/8"));
  EXPECT_TRUE(parse_network("0.0.0.0/0"));
  EXPECT_TRUE(parse_network("2001:db8::/32"));
  EXPECT_FALSE(parse_network("10.0.0.0"));
  EXPECT_FALSE(parse_network("10.0.0.0/33"));
  EXPECT_FALSE(parse_network("2001:db8::/129"));
  EXPECT_FALSE(parse_network("cdn.example/8"));
  EXPECT_FALSE(parse_network("10.0.0.0/"));
  EXPECT_FALSE(parse_network("10.0.0.0/8x"));
}

TEST(ClientNetworks, MatchesByPrefix) {
  auto net = *parse_network("192.168.16.0/20");
  EXPECT_TRUE(contains(net, v4("192.168.16.1")));
  EXPECT_TRUE(contains(net, v4("192.168.31.255")));
  EXPECT_FALSE(contains(net, v4("192.168.32.0")));
  EXPECT_FALSE(contains(net, v6("2001:db8::1")));
  auto six = *parse_network("2001:db8::/32");
  EXPECT_TRUE(contains(six, v6("2001:db8:ffff::1")));
  EXPECT_FALSE(contains(six, v6("2001:db9::1")));
  EXPECT_FALSE(contains(six, v4("10.0.0.1")));
}

TEST(ClientNetworks, EmptyListAllowsEveryone) {
  EXPECT_TRUE(client_allowed({}, v4("203.0.113.9")));
  std::vector<ip_network> only_ten{*parse_network("10.0.0.0/8")};
  EXPECT_TRUE(client_allowed(only_ten, v4("10.1.2.3")));
  EXPECT_FALSE(client_allowed(only_ten, v4("127.0.0.1")));
}

}  // namespace
}  // namespace live_origin::model
