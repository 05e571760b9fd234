#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/span_body.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "model/rejection.hpp"

namespace live_origin::http {

namespace beast_http = boost::beast::http;

using request = beast_http::request<beast_http::string_body>;
using request_header = beast_http::request_header<>;
using response_message = beast_http::response<beast_http::span_body<const char>>;

// A response ready for the socket. The body is a view into `owner`'s bytes (a stored object or a
// small string made for this answer), so serving a segment never copies it.
struct response {
  response_message message;
  std::shared_ptr<const void> owner;
  // Set when the request was refused: the reason is counted per listener and logged.
  std::optional<model::rejection> rejection;
};

// A small text answer (errors, health checks). Bodies of error answers stay tiny on purpose:
// packagers never read them, and leftovers on a kept-alive connection confuse some clients.
response text_response(beast_http::status status, std::string_view text,
                       std::optional<model::rejection> rejection = std::nullopt,
                       std::string_view content_type = "text/plain; charset=utf-8");

// A response whose body is `bytes`, shared with whoever else holds them.
response bytes_response(beast_http::status status, std::shared_ptr<const std::string> bytes,
                        std::string_view content_type);

// Hands a response back to the connection that asked. Safe to call from any thread; only the first
// call counts. If every copy is dropped unanswered (an actor died with the request), the connection
// gets a 503 instead of hanging.
class responder {
  struct state;

 public:
  explicit responder(std::function<void(response)> deliver);
  void operator()(response answer) const;

  // Registers what to do if the client goes away before the answer (release a held request). Runs at
  // once if it is already gone. One callback per request.
  void on_abandon(std::function<void()> callback) const;
  // Called by the connection when its client went away. The answer still comes (the connection
  // records it), so what an abandoned request ended as is never lost.
  void abandon() const;

  // What the connection keeps while it waits: it can abandon the request but does not keep it alive,
  // so a responder dropped unanswered still becomes the 503.
  class watch_handle {
   public:
    void abandon() const;

   private:
    friend class responder;
    std::weak_ptr<state> state_;
  };
  watch_handle watch() const {
    watch_handle handle;
    handle.state_ = state_;
    return handle;
  }

 private:
  struct state {
    std::function<void(response)> deliver;
    std::atomic<bool> answered{false};
    std::mutex mutex;  // guards the two below
    bool abandoned = false;
    std::function<void()> abandon_callback;
    ~state();
  };
  explicit responder(std::shared_ptr<state> shared) : state_(std::move(shared)) {}
  std::shared_ptr<state> state_;
};

// Who sent a request (for loopback-only rules).
struct peer_info {
  boost::asio::ip::address address;
  bool is_loopback() const { return address.is_loopback(); }
  // The address as 16 bytes, IPv4 as IPv4-mapped IPv6 (what model::client_networks matches).
  std::array<std::uint8_t, 16> bytes() const {
    if (address.is_v4())
      return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()).to_bytes();
    return address.to_v6().to_bytes();
  }
};

// What a listener does with requests: a function of the request header, written apart from the I/O.
// It either answers at once (refusals, answers needing no body) or returns the continuation that
// gets the complete request once its body has been read.
class handler {
 public:
  // What happens once the body is read: `complete` gets the request; `aborted` (optional) runs
  // instead when the body never completes (peer gone, timeout, limit, malformed).
  struct continuation {
    std::function<void(request&&, responder)> complete;
    std::function<void()> aborted;

    continuation() = default;
    template <class F>
    requires std::is_invocable_v<F&, request&&, responder> continuation(
        F complete_fn, std::function<void()> aborted_fn = {})  // NOLINT: lambdas convert implicitly
        : complete(std::move(complete_fn)), aborted(std::move(aborted_fn)) {}
  };
  using route_result = std::variant<response, continuation>;

  virtual ~handler() = default;
  virtual route_result route(const request_header& header, const peer_info& peer) = 0;
  // The tenant a request is counted under in /metrics: a configured tenant's name, else empty, so the
  // label set stays bounded whatever clients send.
  virtual std::string tenant_label(std::string_view /*target*/) const { return {}; }
};

}  // namespace live_origin::http
