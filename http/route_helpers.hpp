#pragma once

// Small pieces shared by the three handlers.

#include <fmt/format.h>
#include <caf/error.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/sec.hpp>

#include <optional>
#include <string>
#include <variant>

#include "actors/bridge.hpp"
#include "actors/stream_directory.hpp"
#include "actors/stream_request.hpp"
#include "http/message.hpp"
#include "model/auth.hpp"
#include "model/object_path.hpp"

namespace live_origin::http {

// An answer with no body and no Content-Length (204 must not carry one).
// The first path element of a request target when it names a configured tenant, else empty (the
// metrics label: bounded by the configuration, whatever clients send).
inline std::string configured_tenant(const actors::stream_directory& directory, std::string_view target) {
  if (target.empty() || target.front() != '/') return {};
  auto name = target.substr(1, target.find_first_of("/?", 1) - 1);
  return directory.tenant(name) ? std::string(name) : std::string();
}

inline response empty_response(beast_http::status status) {
  response answer;
  answer.message.result(status);
  if (status != beast_http::status::no_content) answer.message.content_length(0);
  return answer;
}

inline response method_not_allowed(std::string_view allow) {
  auto answer = text_response(beast_http::status::method_not_allowed, "method not allowed\n",
                              model::rejection::method_not_allowed);
  answer.message.set(beast_http::field::allow, allow);
  return answer;
}

inline response bad_path(model::path_error error) {
  return text_response(beast_http::status::bad_request, fmt::format("bad path: {}\n", model::to_string(error)),
                       model::rejection_for(error));
}

// A refused credential: 401 (with a challenge) when none was sent, else 403. Tokens are never echoed.
inline response auth_refusal(model::auth_outcome outcome) {
  if (outcome == model::auth_outcome::missing_token) {
    auto answer =
        text_response(beast_http::status::unauthorized, "bearer token required\n", model::rejection_for(outcome));
    answer.message.set(beast_http::field::www_authenticate, "Bearer realm=\"live-origin\"");
    return answer;
  }
  return text_response(beast_http::status::forbidden, "forbidden\n", model::rejection_for(outcome));
}

// An actor did not answer in time or is gone: the client may retry, nothing was decided.
inline response actor_unavailable(const caf::error& error) {
  bool timed_out = error == caf::sec::request_timeout;
  return text_response(beast_http::status::service_unavailable,
                       timed_out ? "stream busy, retry\n" : "stream unavailable, retry\n",
                       timed_out ? model::rejection::actor_timeout : model::rejection::actor_unavailable);
}

// Sends `message...` to `target` through a bridge actor, bounded by `timeout`. `on_reply(Reply&&)` runs
// on a CAF thread with the typed reply; `on_error(const caf::error&)` when the actor is gone or late.
// Both must end by calling the request's responder (which posts back to the connection).
template <class Reply, class Handle, class OnReply, class OnError, class... Ts>
auto make_ask_job(const Handle& target, std::chrono::milliseconds timeout, OnReply on_reply, OnError on_error,
                  const Ts&... message) {
  return [=](caf::event_based_actor* self) {
    self->request(target, timeout, message...)
        .then([on_reply](Reply& reply) { on_reply(std::move(reply)); },
              [on_error](caf::error& error) { on_error(error); });
  };
}

template <class Reply, class Handle, class OnReply, class OnError, class... Ts>
void ask_actor(actors::bridge_pool& bridges, const Handle& target, std::chrono::milliseconds timeout, OnReply on_reply,
               OnError on_error, const Ts&... message) {
  bridges.post(make_ask_job<Reply>(target, timeout, std::move(on_reply), std::move(on_error), message...));
}

using actors::stream_open;

// actors::request_stream as a bridge job.
template <class Reply, class OnReply, class OnError, class... Ts>
auto make_stream_job(const actors::tenant_supervisor_actor& tenant, const std::string& stream,
                     const std::optional<actors::stream_actor>& known, stream_open open,
                     std::chrono::milliseconds timeout, OnReply on_reply, OnError on_error, const Ts&... message) {
  return [=](caf::event_based_actor* self) {
    actors::request_stream<Reply>(self, tenant, stream, known, open, timeout, on_reply, on_error, message...);
  };
}

// The usual error answer for ask_actor.
inline auto answer_unavailable(const responder& respond) {
  return [respond](const caf::error& error) { respond(actor_unavailable(error)); };
}

}  // namespace live_origin::http
