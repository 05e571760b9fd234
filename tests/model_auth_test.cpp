#include <gtest/gtest.h>

#include "model/auth.hpp"

namespace live_origin::model {
namespace {

const std::vector<ingest_token> tokens{{"secret-a", std::string("a")}, {"secret-any", std::nullopt}};

TEST(Auth, TenantWithoutTokensAcceptsLoopbackOnly) {
  EXPECT_EQ(authorize_ingest({}, "", true, "").outcome, auth_outcome::allowed);
  EXPECT_EQ(authorize_ingest({}, "Bearer x", false, "").outcome, auth_outcome::not_loopback);
}

TEST(Auth, MissingOrMalformedTokenIsMissing) {
  EXPECT_EQ(authorize_ingest(tokens, "", true, "").outcome, auth_outcome::missing_token);
  EXPECT_EQ(authorize_ingest(tokens, "Basic c2VjcmV0", true, "").outcome, auth_outcome::missing_token);
  EXPECT_EQ(authorize_ingest(tokens, "Bearer ", true, "").outcome, auth_outcome::missing_token);
}

TEST(Auth, WrongTokenIsBadEvenFromLoopback) {
  EXPECT_EQ(authorize_ingest(tokens, "Bearer secret-b", true, "").outcome, auth_outcome::bad_token);
  EXPECT_EQ(authorize_ingest(tokens, "Bearer secret-an", true, "").outcome, auth_outcome::bad_token);
  EXPECT_EQ(authorize_ingest(tokens, "Bearer secret-anyy", true, "").outcome, auth_outcome::bad_token);
}

TEST(Auth, RightTokenFromAnywhere) {
  auto any = authorize_ingest(tokens, "bearer  secret-any ", false, "b");
  EXPECT_EQ(any.outcome, auth_outcome::allowed);
  EXPECT_FALSE(any.pipeline);
}

TEST(Auth, PipelineBoundTokenNamesItsPipelineAndRefusesAnother) {
  auto bound = authorize_ingest(tokens, "Bearer secret-a", false, "");
  EXPECT_EQ(bound.outcome, auth_outcome::allowed);
  EXPECT_EQ(bound.pipeline, "a");
  EXPECT_EQ(authorize_ingest(tokens, "Bearer secret-a", false, "a").outcome, auth_outcome::allowed);
  EXPECT_EQ(authorize_ingest(tokens, "Bearer secret-a", false, "b").outcome, auth_outcome::pipeline_mismatch);
}

TEST(Auth, AdminTokenOrLoopback) {
  EXPECT_EQ(authorize_admin(std::nullopt, "", true), auth_outcome::allowed);
  EXPECT_EQ(authorize_admin(std::nullopt, "", false), auth_outcome::not_loopback);
  EXPECT_EQ(authorize_admin(std::string("adm"), "", true), auth_outcome::missing_token);
  EXPECT_EQ(authorize_admin(std::string("adm"), "Bearer nope", true), auth_outcome::bad_token);
  EXPECT_EQ(authorize_admin(std::string("adm"), "Bearer adm", false), auth_outcome::allowed);
}

TEST(Auth, ConstantTimeEqualIsEquality) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal(std::string_view("a\0", 2), "a"));
}

}  // namespace
}  // namespace live_origin::model
