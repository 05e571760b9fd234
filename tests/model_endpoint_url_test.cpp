#include <gtest/gtest.h>

#include "model/endpoint_url.hpp"

namespace live_origin::model {
namespace {

TEST(EndpointUrl, ReadsHttpHostAndPort) {
  EXPECT_EQ(parse_endpoint_url("http://127.0.0.1:2379"), (endpoint_url{"127.0.0.1", "2379"}));
  EXPECT_EQ(parse_endpoint_url("http://[::1]:2379/"), (endpoint_url{"::1", "2379"}));
  EXPECT_EQ(parse_endpoint_url("http://etcd-1.internal:2379"), (endpoint_url{"etcd-1.internal", "2379"}));
}

TEST(EndpointUrl, RefusesEverythingElse) {
  for (auto url :
       {"", "https://127.0.0.1:2379", "127.0.0.1:2379", "http://127.0.0.1", "http://:2379", "http://127.0.0.1:0",
        "http://127.0.0.1:65536", "http://127.0.0.1:23x9", "http://h:1/v3", "http://[]:1", "http://h:"})
    EXPECT_EQ(parse_endpoint_url(url), std::nullopt) << url;
}

}  // namespace
}  // namespace live_origin::model
