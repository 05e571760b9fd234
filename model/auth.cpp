#include "model/auth.hpp"

#include "model/text.hpp"

namespace live_origin::model {
namespace {

// The token of "Bearer <token>" (scheme case-insensitive), or nullopt.
std::optional<std::string_view> bearer_token(std::string_view authorization) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() <= scheme.size() || !iequals(authorization.substr(0, scheme.size()), scheme))
    return std::nullopt;
  auto token = authorization.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

std::string_view to_string(auth_outcome outcome) {
  switch (outcome) {
    case auth_outcome::allowed:
      return "allowed";
    case auth_outcome::missing_token:
      return "missing_token";
    case auth_outcome::bad_token:
      return "bad_token";
    case auth_outcome::not_loopback:
      return "not_loopback";
    case auth_outcome::pipeline_mismatch:
      return "token_pipeline_mismatch";
  }
  return "unknown";
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Runs over the longer input whatever the contents; only the lengths' equality is not hidden.
  std::size_t length = a.size() > b.size() ? a.size() : b.size();
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < length; ++i) {
    auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    difference |= static_cast<unsigned char>(x ^ y);
  }
  return difference == 0;
}

ingest_authorization authorize_ingest(const std::vector<ingest_token>& tokens, std::string_view authorization,
                                      bool peer_is_loopback, std::string_view requested_pipeline) {
  if (tokens.empty()) return {peer_is_loopback ? auth_outcome::allowed : auth_outcome::not_loopback, std::nullopt};
  auto token = bearer_token(authorization);
  if (!token) return {auth_outcome::missing_token, std::nullopt};
  const ingest_token* match = nullptr;
  for (const auto& candidate : tokens)  // no early exit: every token is compared
    if (constant_time_equal(candidate.token, *token) && !match) match = &candidate;
  if (!match) return {auth_outcome::bad_token, std::nullopt};
  if (match->pipeline && !requested_pipeline.empty() && requested_pipeline != *match->pipeline)
    return {auth_outcome::pipeline_mismatch, match->pipeline};
  return {auth_outcome::allowed, match->pipeline};
}

auth_outcome authorize_admin(const std::optional<std::string>& admin_token, std::string_view authorization,
                             bool peer_is_loopback) {
  if (!admin_token) return peer_is_loopback ? auth_outcome::allowed : auth_outcome::not_loopback;
  auto token = bearer_token(authorization);
  if (!token) return auth_outcome::missing_token;
  return constant_time_equal(*admin_token, *token) ? auth_outcome::allowed : auth_outcome::bad_token;
}

}  // namespace live_origin::model
