#include "cluster/stream_proxy.hpp"

#include <spdlog/spdlog.h>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <functional>
#include <map>
#include <unordered_map>

#include "actors/counted.hpp"
#include "actors/tenant_supervisor.hpp"
#include "model/content_digest.hpp"

namespace live_origin::cluster {

namespace {

// The proxy speaks the stream actor's interface.
using actors::abort_atom;
using actors::abort_atom_v;
using actors::counted;
using actors::crash_atom;
using actors::crash_atom_v;
using actors::expire_atom;
using actors::expire_atom_v;
using actors::info_atom;
using actors::info_atom_v;
using actors::mask_atom;
using actors::mask_atom_v;
using actors::object_read;
using actors::object_write;
using actors::pipeline_mask;
using actors::read_reply;
using actors::read_reply_for;
using actors::release_atom;
using actors::release_atom_v;
using actors::settings_atom;
using actors::settings_atom_v;
using actors::stream_actor;
using actors::stream_info;
using actors::stream_settings;
using actors::stream_status;
using actors::sweep_atom;
using actors::sweep_atom_v;
using actors::upload_atom;
using actors::upload_atom_v;
using actors::write_reply;
using actors::write_reply_for;
using caf::delete_atom;
using caf::delete_atom_v;
using caf::get_atom;
using caf::get_atom_v;
using caf::open_atom;
using caf::open_atom_v;
using caf::put_atom;
using caf::put_atom_v;
using storage::object_body;

struct cached_body {
  std::uint64_t digest = 0;
  object_body body;
  std::uint64_t order = 0;  // its key in cache_order
};

struct proxy_state {
  static inline const char* name = "stream-proxy";
  std::string tenant;
  std::string stream;
  std::string owner;
  cluster_actor owner_actor;
  proxy_settings settings;
  std::optional<stream_actor> remote;  // the owner's stream actor, once asked for
  bool opening = false;
  std::vector<std::pair<std::function<void(const stream_actor&)>, std::function<void(const caf::error&)>>>
      waiting_for_remote;
  // Requests in flight to the owner, each with what answers it when the owner's node is lost.
  std::unordered_map<std::uint64_t, std::function<void()>> in_flight;
  std::uint64_t next_request = 0;
  std::uint64_t next_transfer = 0;
  std::map<std::string, cached_body> cache;
  std::map<std::uint64_t, std::string> cache_order;  // oldest first
  std::uint64_t last_cached = 0;
  std::size_t cached_bytes = 0;
  std::uint64_t writes = 0;
  std::uint64_t reads = 0;
  std::uint64_t messages_handled = 0;  // counted by actors::counted
  std::chrono::steady_clock::time_point last_request = std::chrono::steady_clock::now();

  ~proxy_state() {  // the cache goes with the actor
    settings.cache_totals->bytes.shrink(cached_bytes);
    if (!cache.empty()) settings.cache_totals->caching.fetch_sub(1, std::memory_order_relaxed);
  }
};

using proxy_pointer = stream_actor::stateful_pointer<proxy_state>;

write_reply write_unavailable() { return write_reply_for(model::write_outcome::store_failed); }

read_reply read_unavailable(const proxy_state& st) {
  return read_reply_for(model::read_outcome::unavailable, st.settings.cache);
}

// Registers a request in flight; `lost` answers it if the owner goes down first. Returns its id.
std::uint64_t track(proxy_pointer self, std::function<void()> lost) {
  auto id = ++self->state.next_request;
  self->state.in_flight.emplace(id, std::move(lost));
  return id;
}

// True (once) when the request is still waiting for its answer.
bool settle(proxy_pointer self, std::uint64_t id) { return self->state.in_flight.erase(id) > 0; }

// The owner's node is gone (or the proxy is retired): answer everything in flight, then end.
void fail_all_and_quit(proxy_pointer self, const caf::error& reason) {
  auto in_flight = std::move(self->state.in_flight);
  self->state.in_flight.clear();
  for (auto& [id, lost] : in_flight) lost();
  for (auto& [ok, failed] : self->state.waiting_for_remote) failed(reason);
  self->state.waiting_for_remote.clear();
  self->quit(reason);
}

// Runs `ok` with the owner's stream actor (asked for once), or `failed` when the owner cannot give it.
// Only a write (`create`) makes the owner create a stream it does not have.
void with_remote(proxy_pointer self, std::function<void(const stream_actor&)> ok,
                 std::function<void(const caf::error&)> failed, bool create = false) {
  auto& st = self->state;
  if (st.remote) return ok(*st.remote);
  st.waiting_for_remote.emplace_back(std::move(ok), std::move(failed));
  if (st.opening) return;
  st.opening = true;
  self->request(st.owner_actor, st.settings.request_timeout, open_atom_v, st.tenant, st.stream, create)
      .then(
          [self](stream_actor& actor) {
            auto& state = self->state;
            state.opening = false;
            state.remote = actor;
            self->monitor(actor);
            auto waiting = std::move(state.waiting_for_remote);
            state.waiting_for_remote.clear();
            for (auto& [ok_, failed_] : waiting) ok_(actor);
          },
          [self](caf::error& error) {
            auto& state = self->state;
            state.opening = false;
            spdlog::warn("stream /{}/{}: its owner {} did not open it: {}", state.tenant, state.stream, state.owner,
                         caf::to_string(error));
            auto waiting = std::move(state.waiting_for_remote);
            state.waiting_for_remote.clear();
            for (auto& [ok_, failed_] : waiting) failed_(error);
          });
}

void forget(proxy_state& st, const std::string& object) {
  auto found = st.cache.find(object);
  if (found == st.cache.end()) return;
  st.cached_bytes -= found->second.body.size();
  st.settings.cache_totals->bytes.shrink(found->second.body.size());
  st.cache_order.erase(found->second.order);
  st.cache.erase(found);
  if (st.cache.empty()) st.settings.cache_totals->caching.fetch_sub(1, std::memory_order_relaxed);
}

void forget_oldest(proxy_state& st) {
  auto oldest = st.cache_order.begin()->second;
  forget(st, oldest);
}

// Keeps a body for the next GET, within this stream's bound and its equal share of the process's (the
// oldest go first; while the others still hold more than their share, the body may not be kept).
void remember(proxy_state& st, const std::string& object, std::uint64_t digest, object_body body) {
  forget(st, object);
  auto& totals = *st.settings.cache_totals;
  auto sharers = totals.caching.load(std::memory_order_relaxed) + (st.cache.empty() ? 1 : 0);
  auto bound = model::fair_share(st.settings.cache_bytes, totals.bytes.limit(), sharers);
  auto size = body.size();
  if (size > bound) return;
  while (st.cached_bytes + size > bound) forget_oldest(st);
  while (!totals.bytes.try_grow(size)) {
    if (st.cache_order.empty()) return;
    forget_oldest(st);
  }
  if (st.cache.empty()) totals.caching.fetch_add(1, std::memory_order_relaxed);
  st.cached_bytes += size;
  st.cache_order.emplace(++st.last_cached, object);
  st.cache.emplace(object, cached_body{digest, std::move(body), st.last_cached});
}

// A GET's answer is complete: keep a 200's bytes for the next GET, drop them once the owner says anything else.
void finish_read(proxy_pointer self, const std::string& object, read_reply reply,
                 caf::typed_response_promise<read_reply> promise, std::uint64_t id) {
  if (!settle(self, id)) return;
  if (reply.status == 200)
    remember(self->state, object, reply.object.digest, reply.object.body);
  else
    forget(self->state, object);
  promise.deliver(std::move(reply));
}

// A body larger than a chunk waits in the owner's outbox; it comes over in pieces, one request each.
struct body_fetch {
  std::string object;
  read_reply reply;
  std::uint64_t transfer = 0;
  std::uint64_t size = 0;
  std::string bytes;
};

void fetch_next(proxy_pointer self, const std::shared_ptr<body_fetch>& fetch,
                caf::typed_response_promise<read_reply> promise, std::uint64_t id) {
  auto& st = self->state;
  if (fetch->bytes.size() >= fetch->size) {
    if (model::content_digest(fetch->bytes) != fetch->reply.object.digest) {
      spdlog::error("stream /{}/{}: {} fetched from {} does not match its digest; answering 503", st.tenant, st.stream,
                    fetch->object, st.owner);
      if (settle(self, id)) promise.deliver(read_unavailable(st));
      return;
    }
    fetch->reply.object.body = object_body::adopt(std::move(fetch->bytes));
    return finish_read(self, fetch->object, std::move(fetch->reply), promise, id);
  }
  self->request(st.owner_actor, st.settings.request_timeout, fetch_atom_v, fetch->transfer,
                static_cast<std::uint64_t>(fetch->bytes.size()))
      .then(
          [self, fetch, promise, id](object_body& piece) mutable {
            if (piece.size() == 0 || fetch->bytes.size() + piece.size() > fetch->size) {
              spdlog::error("stream /{}/{}: {} could not be fetched from {}", self->state.tenant, self->state.stream,
                            fetch->object, self->state.owner);
              if (settle(self, id)) promise.deliver(read_unavailable(self->state));
              return;
            }
            fetch->bytes.append(piece.view());
            fetch_next(self, fetch, promise, id);
          },
          [self, promise, id](caf::error&) mutable {
            if (settle(self, id)) promise.deliver(read_unavailable(self->state));
          });
}

caf::result<read_reply> read(proxy_pointer self, object_read request) {
  auto& st = self->state;
  ++st.reads;
  st.last_request = std::chrono::steady_clock::now();
  auto promise = self->make_response_promise<read_reply>();
  auto id = track(self, [self, promise]() mutable { promise.deliver(read_unavailable(self->state)); });
  request.token ^= st.settings.token_tag;
  auto cached = st.cache.find(request.object);
  std::uint64_t cached_digest = cached == st.cache.end() ? 0 : cached->second.digest;
  auto object = request.object;
  self->request(st.owner_actor, st.settings.hold_timeout, get_atom_v, st.tenant, st.stream, request, cached_digest)
      .then(
          [self, object, promise, id](remote_read& answer) mutable {
            auto& state = self->state;
            if (answer.cached) {
              auto found = state.cache.find(object);
              if (found == state.cache.end() || found->second.digest != answer.reply.object.digest) {
                if (settle(self, id)) promise.deliver(read_unavailable(state));  // evicted meanwhile: ask again
                return;
              }
              answer.reply.object.body = found->second.body;
              state.settings.cache_totals->hits.fetch_add(1, std::memory_order_relaxed);
              return finish_read(self, object, std::move(answer.reply), promise, id);
            }
            if (answer.unknown_stream) {
              // No node has this stream (a GET for a name nobody published): answer, and keep no proxy
              // for it unless something else is under way.
              finish_read(self, object, std::move(answer.reply), promise, id);
              if (state.in_flight.empty() && state.cache.empty() && !state.remote) self->quit(caf::exit_reason::normal);
              return;
            }
            if (answer.transfer == 0) return finish_read(self, object, std::move(answer.reply), promise, id);
            auto fetch = std::make_shared<body_fetch>(
                body_fetch{object, std::move(answer.reply), answer.transfer, answer.size, {}});
            fetch->bytes.reserve(answer.size);
            fetch_next(self, fetch, promise, id);
          },
          [self, promise, id](caf::error&) mutable {
            if (settle(self, id)) promise.deliver(read_unavailable(self->state));
          });
  return promise;
}

caf::result<write_reply> write(proxy_pointer self, object_write request) {
  auto& st = self->state;
  st.last_request = std::chrono::steady_clock::now();
  ++st.writes;
  auto promise = self->make_response_promise<write_reply>();
  auto id = track(self, [promise]() mutable { promise.deliver(write_unavailable()); });
  auto answer = [self, promise, id](write_reply& reply) mutable {
    if (settle(self, id)) promise.deliver(reply);
  };
  auto fail = [self, promise, id](const caf::error&) mutable {
    if (settle(self, id)) promise.deliver(write_unavailable());
  };
  with_remote(
      self,
      [self, request, answer, fail](const stream_actor& remote) mutable {
        auto& state = self->state;
        // The upload was announced to this proxy; the owner knows it as the one its actor was told of.
        if (request.announced_to == self->id()) request.announced_to = remote.id();
        if (request.body.size() <= state.settings.chunk_bytes) {
          self->request(remote, state.settings.request_timeout, put_atom_v, request).then(answer, fail);
          return;
        }
        // Larger bodies go in pieces to the owner's cluster actor, which hands the PUT to its stream actor.
        auto transfer = ++state.next_transfer;
        auto body = request.body;
        request.body = {};
        auto total = static_cast<std::uint64_t>(body.size());
        for (std::size_t offset = 0; offset < body.size(); offset += state.settings.chunk_bytes) {
          auto piece = object_body::adopt(std::string(body.view().substr(offset, state.settings.chunk_bytes)));
          self->request(state.owner_actor, state.settings.request_timeout, chunk_atom_v, transfer, total, piece)
              .then([](bool) {}, [](caf::error&) {});  // the PUT after them fails if a piece is missing
        }
        self->request(state.owner_actor, state.settings.request_timeout, put_atom_v, state.tenant, state.stream,
                      request, transfer)
            .then(answer, fail);
      },
      fail, true);
  return promise;
}

// A message the owner's stream actor answers with `Reply`; an error when it cannot be reached. Never
// request_receiver_down: that would make the HTTP side wait for a successor of this proxy, which is alive.
template <class Reply, class... Ts>
caf::result<Reply> ask_remote(proxy_pointer self, Ts... message) {
  auto promise = self->make_response_promise<Reply>();
  auto unreachable = [] { return caf::make_error(caf::sec::no_route_to_receiving_node); };
  auto id = track(self, [promise, unreachable]() mutable { promise.deliver(unreachable()); });
  with_remote(
      self,
      [self, promise, id, unreachable, message...](const stream_actor& remote) mutable {
        self->request(remote, self->state.settings.request_timeout, message...)
            .then(
                [self, promise, id](Reply& reply) mutable {
                  if (settle(self, id)) promise.deliver(std::move(reply));
                },
                [self, promise, id, unreachable](caf::error& error) mutable {
                  if (!settle(self, id)) return;
                  promise.deliver(error == caf::sec::request_receiver_down ? unreachable() : std::move(error));
                });
      },
      [self, promise, id, unreachable](const caf::error& error) mutable {
        if (!settle(self, id)) return;
        // No node has the stream (a DELETE of a name nobody published): say so, and keep no proxy for it.
        if (error != caf::sec::remote_lookup_failed) {
          promise.deliver(unreachable());
          return;
        }
        promise.deliver(caf::make_error(caf::sec::remote_lookup_failed));
        if (self->state.in_flight.empty() && self->state.cache.empty()) self->quit(caf::exit_reason::normal);
      });
  return promise;
}

template <class... Ts>
void tell_remote(proxy_pointer self, Ts... message) {
  with_remote(
      self, [self, message...](const stream_actor& remote) { self->send(remote, message...); },
      [](const caf::error&) {});
}

// How often a proxy looks whether it has been idle for `idle_end`.
std::chrono::milliseconds idle_check_interval(const proxy_settings& settings) {
  return std::clamp(settings.idle_end / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(10'000));
}

stream_actor::behavior_type proxy_behavior(proxy_pointer self, std::string tenant, std::string stream,
                                           std::string owner, cluster_actor owner_actor, proxy_settings settings) {
  auto& st = self->state;
  st.tenant = std::move(tenant);
  st.stream = std::move(stream);
  st.owner = std::move(owner);
  st.owner_actor = std::move(owner_actor);
  st.settings = std::move(settings);
  self->monitor(st.owner_actor);
  self->set_down_handler([self](caf::down_msg& down) {
    auto& state = self->state;
    if (down.source == state.owner_actor.address()) {
      spdlog::warn("stream /{}/{}: lost the connection to its owner {}; {} request(s) in flight answered 503",
                   state.tenant, state.stream, state.owner, state.in_flight.size());
      return fail_all_and_quit(self, caf::exit_reason::normal);
    }
    if (state.remote && down.source == state.remote->address()) state.remote.reset();  // restarted there: ask again
  });
  self->set_exit_handler([self](caf::exit_msg& exit) { fail_all_and_quit(self, exit.reason); });
  self->delayed_send(self, idle_check_interval(st.settings), sweep_atom_v);
  return {
      counted(self, [=](put_atom, const object_write& request) { return write(self, request); }),
      counted(self, [=](get_atom, const object_read& request) { return read(self, request); }),
      counted(self, [=](delete_atom,
                        const std::string& object) { return ask_remote<write_reply>(self, delete_atom_v, object); }),
      counted(self,
              [=](upload_atom, const std::string& object) {
                with_remote(
                    self, [self, object](const stream_actor& remote) { self->send(remote, upload_atom_v, object); },
                    [](const caf::error&) {}, true);
              }),
      counted(self, [=](abort_atom, const std::string& object) { tell_remote(self, abort_atom_v, object); }),
      counted(self,
              [=](release_atom, const std::string& object, std::uint64_t token) {
                tell_remote(self, release_atom_v, object, token ^ self->state.settings.token_tag);
              }),
      counted(self, [=](expire_atom, const std::string&, std::uint64_t) {}),  // holds live at the owner
      counted(self,
              [=](sweep_atom) {
                // A stream nobody asks for here any more (it ended, or viewers moved): the proxy ends with its cache;
                // the next request opens a new one.
                auto& state = self->state;
                if (state.in_flight.empty() && state.waiting_for_remote.empty() &&
                    std::chrono::steady_clock::now() - state.last_request >= state.settings.idle_end) {
                  spdlog::info("stream /{}/{}: no requests here for {} ms; its proxy ends", state.tenant, state.stream,
                               state.settings.idle_end.count());
                  return self->quit(caf::exit_reason::normal);
                }
                self->delayed_send(self, idle_check_interval(state.settings), sweep_atom_v);
              }),
      counted(self,
              [=](settings_atom, const stream_settings& changes) {
                return ask_remote<stream_status>(self, settings_atom_v, changes);
              }),
      counted(self, [=](settings_atom) { return ask_remote<stream_status>(self, settings_atom_v); }),
      counted(self,
              [=](mask_atom, const pipeline_mask& mask) { return ask_remote<stream_status>(self, mask_atom_v, mask); }),
      counted(self,
              [=](mask_atom, delete_atom, const pipeline_mask& mask) {
                return ask_remote<stream_status>(self, mask_atom_v, delete_atom_v, mask);
              }),
      counted(self,
              [=](info_atom) -> caf::result<stream_info> {
                // The owner's actor, with the node it runs on: /actors shows the remote actor behind this proxy.
                auto promise = self->make_response_promise<stream_info>();
                auto& state = self->state;
                auto own = stream_info{.name = state.stream,
                                       .actor_id = self->id(),
                                       .mailbox = self->mailbox().size(),
                                       .writes = state.writes,
                                       .reads = state.reads,
                                       .held_requests = state.in_flight.size(),
                                       .messages_handled = state.messages_handled,
                                       .responsive = false,
                                       .node = state.owner};
                with_remote(
                    self,
                    [self, promise, own](const stream_actor& remote) mutable {
                      // Within the tenant's own wait for its streams (info_timeout).
                      self->request(remote, actors::info_timeout / 2, info_atom_v)
                          .then(
                              [self, promise](stream_info& info) mutable {
                                info.node = self->state.owner;
                                promise.deliver(std::move(info));
                              },
                              [promise, own](caf::error&) mutable { promise.deliver(own); });
                    },
                    [promise, own](const caf::error&) mutable { promise.deliver(own); });
                return promise;
              }),
      counted(self, [=](crash_atom) { tell_remote(self, crash_atom_v); }),
  };
}

}  // namespace

stream_actor spawn_stream_proxy(caf::actor_system& system, std::string tenant, std::string stream, std::string owner,
                                cluster_actor owner_actor, proxy_settings settings) {
  return system.spawn(proxy_behavior, std::move(tenant), std::move(stream), std::move(owner), std::move(owner_actor),
                      settings);
}

}  // namespace live_origin::cluster
