#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace live_origin::model {

// An ingest credential of a tenant: `Authorization: Bearer <token>`, optionally bound to one pipeline.
struct ingest_token {
  std::string token;
  std::optional<std::string> pipeline;  // set: the token may publish only as this pipeline
};

enum class auth_outcome {
  allowed,
  missing_token,      // the tenant has tokens and none was sent: 401
  bad_token,          // a token that is not the tenant's: 403
  not_loopback,       // the tenant has no tokens, so only loopback peers may publish: 403
  pipeline_mismatch,  // a pipeline-bound token with another X-Origin-Pipeline: 403
};

std::string_view to_string(auth_outcome outcome);

struct ingest_authorization {
  auth_outcome outcome = auth_outcome::allowed;
  std::optional<std::string> pipeline;  // the token's pipeline, used when the PUT names none
};

// Decides whether a write may go ahead (PRODUCT.md "Ingest": auth). Tokens are compared in constant time,
// every one of them, so the answer's timing says nothing about which token or how much of it matched.
ingest_authorization authorize_ingest(const std::vector<ingest_token>& tokens, std::string_view authorization,
                                      bool peer_is_loopback, std::string_view requested_pipeline);

// The same rule for the admin listener: its one token, or loopback peers only when it has none.
auth_outcome authorize_admin(const std::optional<std::string>& admin_token, std::string_view authorization,
                             bool peer_is_loopback);

bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace live_origin::model
