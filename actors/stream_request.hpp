#pragma once

#include <caf/error.hpp>
#include <caf/sec.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "actors/interfaces.hpp"

namespace live_origin::actors {

// How a request that finds no actor for its stream opens one: a write creates the stream; a read or a
// DELETE opens it only if it exists (else the request's error is caf::sec::remote_lookup_failed).
enum class stream_open { create, existing };

// Sends `message...` from `self` to a stream's actor as the caller knows it (`known`; none: ask `tenant`
// to open it). When that actor has ended (it failed and its successor is loading from storage, or it was
// retired), the tenant supervisor is asked for the stream's current actor - the open waits while it
// starts - and the message goes there once more. A request during a restart thus waits, bounded by
// `timeout` per step, instead of failing. `on_reply(Reply&&)` or `on_error(const caf::error&)` runs once.
template <class Reply, class Self, class OnReply, class OnError, class... Ts>
void request_stream(Self* self, const tenant_supervisor_actor& tenant, const std::string& stream,
                    const std::optional<stream_actor>& known, stream_open open, std::chrono::milliseconds timeout,
                    OnReply on_reply, OnError on_error, const Ts&... message) {
  auto reply = [on_reply](Reply& answer) mutable { on_reply(std::move(answer)); };
  auto fail = [on_error](caf::error& error) mutable { on_error(error); };
  auto send_to = [=](stream_actor& actor) mutable {
    self->request(actor, timeout, message...).then(reply, [=](caf::error& error) mutable {
      if (error != caf::sec::request_receiver_down) return on_error(error);
      self->request(tenant, timeout, open_atom_v, stream, actor)
          .then(
              [=](stream_actor& successor) mutable { self->request(successor, timeout, message...).then(reply, fail); },
              fail);
    });
  };
  if (known) {
    auto actor = *known;
    return send_to(actor);
  }
  if (open == stream_open::create)
    self->request(tenant, timeout, open_atom_v, stream).then(send_to, fail);
  else
    self->request(tenant, timeout, open_atom_v, stream, false).then(send_to, fail);
}

}  // namespace live_origin::actors
