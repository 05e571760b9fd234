#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <list>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "http/date_header.hpp"

namespace live_origin::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

class session;

// Members are ordered so that `io` is destroyed before what sessions use: destroying the io_context
// destroys the sessions still parked in it, and their destructors touch `sessions` and `open`.
struct server::core {
  listener_settings settings;
  std::shared_ptr<handler> request_handler;
  std::shared_ptr<listener_metrics> metrics;
  std::shared_ptr<spdlog::logger> access_log;
  std::atomic<std::size_t> open{0};
  std::atomic<bool> draining{false};
  std::mutex sessions_mutex;
  std::list<std::weak_ptr<session>> sessions;  // for drain; each session erases its own entry
  net::io_context io{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  tcp::acceptor acceptor{io};
  net::steady_timer accept_retry{io};
  std::vector<std::thread> threads;

  core(listener_settings s, std::shared_ptr<handler> h, std::shared_ptr<listener_metrics> m)
      : settings(std::move(s)), request_handler(std::move(h)), metrics(std::move(m)) {
    access_log = spdlog::get("access");
    if (!access_log) access_log = spdlog::default_logger();
  }

  void do_accept();
};

namespace {

// nginx's status for a request whose client went away before the answer; never sent, only recorded.
constexpr unsigned client_closed_request = 499;

constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

bool expects_continue(const request_header& header) {
  auto expect = header[beast_http::field::expect];
  return beast::iequals(expect, "100-continue");
}

// A protocol violation by the peer (bad method, bad chunk, ...), as opposed to the peer going away.
bool is_malformed(beast::error_code ec) {
  static const auto& http_category = beast_http::make_error_code(beast_http::error::bad_method).category();
  return ec && ec.category() == http_category && ec != beast_http::error::end_of_stream &&
         ec != beast_http::error::partial_message;
}

}  // namespace

// One connection. Every asynchronous step is a named member; the session reads a request, hands it to
// the handler, writes the answer and loops, and handles each error where it occurs.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket&& socket, server::core* core)
      : socket_(std::move(socket)), deadline_(socket_.get_executor()), core_(core) {
    core_->open.fetch_add(1);
  }

  ~session() {
    {
      std::lock_guard lock(core_->sessions_mutex);
      core_->sessions.erase(registration_);
    }
    core_->open.fetch_sub(1);
  }

  void start(bool over_capacity) {
    {
      std::lock_guard lock(core_->sessions_mutex);
      registration_ = core_->sessions.insert(core_->sessions.end(), weak_from_this());
    }
    beast::error_code ignored;
    peer_.address = socket_.remote_endpoint(ignored).address();
    socket_.non_blocking(true, ignored);  // affects only the synchronous peek in watch_peer()
    // Answers are written whole; Nagle would hold the tail of a large body until the peer ACKs.
    socket_.set_option(tcp::no_delay(true), ignored);
    net::dispatch(socket_.get_executor(), [self = shared_from_this(), over_capacity] {
      if (over_capacity) {
        self->keep_alive_ = false;
        self->respond(text_response(beast_http::status::service_unavailable, "too many connections\n",
                                    model::rejection::connection_limit));
      } else {
        self->wait_for_request();
      }
    });
  }

  net::any_io_executor executor() { return socket_.get_executor(); }

  // Runs on the strand: an idle connection closes now, a busy one after its current response.
  void drain() {
    draining_ = true;
    if (phase_ == phase::idle) close();
  }

 private:
  enum class phase { idle, reading, handling, writing };

  const listener_settings& settings() const { return core_->settings; }

  void wait_for_request() {
    phase_ = phase::idle;
    if (draining_) return close();
    if (buffer_.size() > 0) return read_header();
    arm_deadline(settings().limits.keepalive_timeout);
    socket_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&session::on_first_bytes, shared_from_this()));
  }

  void on_first_bytes(beast::error_code ec, std::size_t bytes) {
    if (ec) return close();  // keep-alive timeout, peer closed, or drained
    buffer_.commit(bytes);
    read_header();
  }

  void read_header() {
    phase_ = phase::reading;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(settings().limits.max_header_bytes));
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());  // checked after routing
    arm_deadline(settings().limits.header_timeout);
    beast_http::async_read_header(socket_, buffer_, *parser_,
                                  beast::bind_front_handler(&session::on_header, shared_from_this()));
  }

  void on_header(beast::error_code ec, std::size_t) {
    started_ = clock_type::now();
    method_.clear();  // a request refused before its header is parsed is not the previous one
    target_.clear();
    tenant_.clear();
    keep_alive_ = false;
    if (ec == beast_http::error::header_limit)
      return respond(text_response(beast_http::status::request_header_fields_too_large, "header too large\n",
                                   model::rejection::header_too_large));
    if (timed_out(ec))
      return respond(
          text_response(beast_http::status::request_timeout, "header timeout\n", model::rejection::header_timeout));
    if (is_malformed(ec))
      return respond(
          text_response(beast_http::status::bad_request, "malformed request\n", model::rejection::malformed_request));
    if (ec) return close();

    const auto& header = parser_->get().base();
    method_ = std::string(header.method_string());
    target_ = std::string(header.target());
    tenant_ = core_->request_handler->tenant_label(target_);
    auto routed = core_->request_handler->route(header, peer_);
    if (auto* answer = std::get_if<response>(&routed)) {
      keep_alive_ = parser_->keep_alive();
      if (parser_->is_done()) return respond(std::move(*answer));
      auto content_length = parser_->content_length();
      if (expects_continue(header) || (content_length && *content_length > settings().body_limit)) {
        keep_alive_ = false;  // the body is not coming, or too big to read through: close after answering
        return respond(std::move(*answer));
      }
      return discard_body_then_respond(std::move(*answer));
    }
    continuation_ = std::move(std::get<handler::continuation>(routed));
    auto content_length = parser_->content_length();
    if (content_length && *content_length > settings().body_limit) {
      abort_request();
      return respond(
          text_response(beast_http::status::payload_too_large, "body too large\n", model::rejection::body_too_large));
    }
    parser_->body_limit(settings().body_limit);
    if (expects_continue(header) && !parser_->is_done()) {
      arm_deadline(settings().limits.send_idle_timeout);
      return net::async_write(socket_, net::buffer(continue_line.data(), continue_line.size()),
                              beast::bind_front_handler(&session::on_continue_sent, shared_from_this()));
    }
    read_body();
  }

  void on_continue_sent(beast::error_code ec, std::size_t) {
    if (ec) {
      abort_request();
      record(client_closed_request, model::rejection::incomplete_body, 0);
      return close();
    }
    read_body();
  }

  // The body will never complete: let the handler undo what it announced (an upload in flight).
  void abort_request() {
    if (continuation_.aborted) continuation_.aborted();
    continuation_ = {};
  }

  // An answer decided from the header while the body is still coming (a refusal): read the body, drop
  // it, then answer and keep the connection. Closing instead would reset a publisher still sending: ffmpeg
  // with -http_persistent 1 then abandons its whole session. Bounded like any body (size and idle time).
  void discard_body_then_respond(response answer) {
    deferred_answer_.emplace(std::move(answer));
    if (parser_->chunked()) {
      parser_->body_limit(settings().body_limit);
      parser_->on_chunk_body(drop_chunk_);
      return discard_chunked_body();
    }
    discard_left_ = parser_->content_length().value_or(0);
    discard_content();
  }

  void discard_chunked_body() {
    if (parser_->is_done()) return respond_deferred();
    arm_deadline(settings().limits.body_idle_timeout);
    beast_http::async_read_some(socket_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                  if (ec) return self->end_discard(ec);
                                  self->discard_chunked_body();
                                });
  }

  void discard_content() {
    auto buffered = std::min<std::uint64_t>(discard_left_, buffer_.size());
    buffer_.consume(static_cast<std::size_t>(buffered));
    discard_left_ -= buffered;
    if (discard_left_ == 0) return respond_deferred();
    arm_deadline(settings().limits.body_idle_timeout);
    auto room = static_cast<std::size_t>(std::min<std::uint64_t>(discard_left_, 65536));
    socket_.async_read_some(buffer_.prepare(room),
                            [self = shared_from_this()](beast::error_code ec, std::size_t bytes) {
                              self->buffer_.commit(bytes);
                              if (ec) return self->end_discard(ec);
                              self->discard_content();
                            });
  }

  // The body being dropped did not arrive whole: answer what went wrong with it as read_body() would;
  // if the peer went away, record the answer it would have got.
  void end_discard(beast::error_code ec) {
    std::optional<response> instead;
    if (timed_out(ec))
      instead = text_response(beast_http::status::request_timeout, "body timeout\n", model::rejection::body_timeout);
    else if (ec == beast_http::error::body_limit)
      instead =
          text_response(beast_http::status::payload_too_large, "body too large\n", model::rejection::body_too_large);
    else if (is_malformed(ec))
      instead = text_response(beast_http::status::bad_request, "malformed body\n", model::rejection::malformed_body);
    if (instead) {
      deferred_answer_.reset();
      keep_alive_ = false;
      return respond(std::move(*instead));
    }
    record(deferred_answer_->message.result_int(), deferred_answer_->rejection, 0);
    deferred_answer_.reset();
    close();
  }

  void respond_deferred() {
    auto answer = std::move(*deferred_answer_);
    deferred_answer_.reset();
    respond(std::move(answer));
  }

  void read_body() {
    if (parser_->is_done()) return handle_request();
    arm_deadline(settings().limits.body_idle_timeout);  // idle bound: LL uploads trickle for seconds
    beast_http::async_read_some(socket_, buffer_, *parser_,
                                beast::bind_front_handler(&session::on_body, shared_from_this()));
  }

  void on_body(beast::error_code ec, std::size_t) {
    if (ec) abort_request();
    if (ec == beast_http::error::body_limit)
      return respond(
          text_response(beast_http::status::payload_too_large, "body too large\n", model::rejection::body_too_large));
    if (timed_out(ec))
      return respond(
          text_response(beast_http::status::request_timeout, "body timeout\n", model::rejection::body_timeout));
    if (is_malformed(ec))
      return respond(
          text_response(beast_http::status::bad_request, "malformed body\n", model::rejection::malformed_body));
    if (ec) {
      // The peer went away mid-body (a packager killed mid-segment): nothing is stored. Nobody reads an
      // answer, but operators must see it, as nginx logs 499.
      record(client_closed_request, model::rejection::incomplete_body, 0);
      return close();
    }
    read_body();
  }

  void handle_request() {
    phase_ = phase::handling;
    ++requests_;
    disarm_deadline();  // the answer may wait on an actor; the bridge bounds that wait
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    head_ = message.method() == beast_http::verb::head;
    core_->metrics->count_body_in(message.body().size());
    auto done = std::move(continuation_.complete);
    continuation_ = {};
    // The responder keeps this session alive until it answers; the session only watches it.
    responder respond([self = shared_from_this()](response answer) {
      net::post(self->socket_.get_executor(),
                [self, answer = std::move(answer)]() mutable { self->respond(std::move(answer)); });
    });
    pending_ = respond.watch();
    done(std::move(message), std::move(respond));
    watch_peer();
  }

  // While an answer is awaited (possibly held for seconds), notice a client that goes away so its
  // held request can be released. Bytes of a pipelined next request are left in the socket.
  void watch_peer() {
    socket_.async_wait(tcp::socket::wait_read, [self = shared_from_this(), request = requests_](beast::error_code ec) {
      if (ec || self->phase_ != phase::handling || request != self->requests_) return;  // answered meanwhile
      char probe;
      beast::error_code receive_ec;
      // Non-blocking peek (the socket is in non-blocking mode): never stalls this I/O thread.
      auto bytes = self->socket_.receive(net::buffer(&probe, 1), tcp::socket::message_peek, receive_ec);
      if (receive_ec == net::error::would_block || receive_ec == net::error::try_again) return self->watch_peer();
      if (bytes > 0) return;  // a pipelined request: it waits its turn
      // End of stream: the client is gone, or half-closed after its request (ffmpeg does that after every
      // upload). Release what it holds; the answer is still recorded and sent in case it reads.
      self->peer_gone_ = true;
      if (self->pending_) self->pending_->abandon();
    });
  }

  void respond(response answer) {
    if (phase_ == phase::handling) {
      beast::error_code ignored;
      socket_.cancel(ignored);  // stop watching for the client going away
      pending_.reset();
    }
    auto status = answer.message.result_int();
    if (!socket_.is_open() || status == client_closed_request) {  // nobody to write to
      phase_ = phase::writing;  // done with this connection: no watcher may act on it any more
      record(status, answer.rejection, 0);
      return close();
    }
    phase_ = phase::writing;
    answer_.emplace(std::move(answer));
    auto& message = answer_->message;
    message.version(11);
    message.set(beast_http::field::server, "live-origin");
    message.set(beast_http::field::date, http_date_now());  // every answer, refusals and held ones included
    message.keep_alive(keep_alive_ && !peer_gone_ && !draining_ && !core_->draining.load());
    body_bytes_ = head_ ? 0 : message.body().size();
    if (head_) message.body() = {};  // Content-Length stays: HEAD describes the GET answer
    serializer_.emplace(message);
    write_some();
  }

  void write_some() {
    arm_deadline(settings().limits.send_idle_timeout);
    beast_http::async_write_some(socket_, *serializer_,
                                 beast::bind_front_handler(&session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) {
      spdlog::debug("{}: writing the answer to {} {} failed: {}", settings().name, method_, target_, ec.message());
      record(answer_->message.result_int(), answer_->rejection, 0);
      return close();
    }
    if (!serializer_->is_done()) return write_some();
    finish_request();
  }

  void finish_request() {
    record(answer_->message.result_int(), answer_->rejection, body_bytes_);
    bool keep_alive = answer_->message.keep_alive();
    serializer_.reset();
    answer_.reset();
    parser_.reset();
    head_ = false;
    if (!keep_alive) return close();
    wait_for_request();
  }

  // Every request ends here exactly once, answered or not: metrics, the refusal log, the access log.
  // A client gone before its answer still gets the status the origin decided (ffmpeg never reads it).
  void record(unsigned status, std::optional<model::rejection> rejection, std::size_t body_bytes) {
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - started_).count();
    core_->metrics->count_response(method_, status, tenant_, body_bytes, static_cast<double>(micros) / 1e6);
    if (rejection) {
      core_->metrics->count_rejection(*rejection);
      spdlog::log(settings().refusal_log_level, "{}: refused {} {} with {} ({})", settings().name, method_, target_,
                  status, model::to_string(*rejection));
    }
    if (settings().access_log)
      core_->access_log->info("{} {} {} {} {} {}", settings().name, method_, target_, status, body_bytes, micros);
  }

  void close() {
    disarm_deadline();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    socket_.close(ignored);
  }

  // One deadline per I/O step. On expiry the pending operation is cancelled but the socket stays
  // open, so a timed-out request can still be answered 408. A generation count discards the
  // expiry of a deadline that was re-armed meanwhile (all on this connection's strand).
  void arm_deadline(std::chrono::milliseconds after) {
    timed_out_ = false;
    deadline_.expires_after(after);
    deadline_.async_wait([self = shared_from_this(), generation = ++deadline_generation_](beast::error_code ec) {
      if (ec || generation != self->deadline_generation_) return;
      self->timed_out_ = true;
      beast::error_code ignored;
      self->socket_.cancel(ignored);
    });
  }

  void disarm_deadline() {
    ++deadline_generation_;
    deadline_.cancel();
  }

  bool timed_out(beast::error_code ec) const { return timed_out_ && ec == net::error::operation_aborted; }

  tcp::socket socket_;
  net::steady_timer deadline_;
  std::uint64_t deadline_generation_ = 0;
  bool timed_out_ = false;
  beast::flat_buffer buffer_;
  server::core* core_;  // outlives every session (see server::core)
  std::list<std::weak_ptr<session>>::iterator registration_;
  std::optional<beast_http::request_parser<beast_http::string_body>> parser_;
  handler::continuation continuation_;
  std::optional<response> deferred_answer_;  // while its request's body is being dropped
  std::uint64_t discard_left_ = 0;           // body bytes still to drop (Content-Length bodies)
  // Consumes chunk data without storing it (Beast keeps a reference: it lives as long as the session).
  std::function<std::size_t(std::uint64_t, std::string_view, beast::error_code&)> drop_chunk_ =
      [](std::uint64_t, std::string_view data, beast::error_code&) { return data.size(); };
  std::optional<responder::watch_handle> pending_;  // while an answer is awaited
  peer_info peer_;
  std::uint64_t requests_ = 0;  // requests handled on this connection; tells stale callbacks apart
  std::optional<response> answer_;
  std::optional<beast_http::serializer<false, beast_http::span_body<const char>>> serializer_;
  phase phase_ = phase::idle;
  bool keep_alive_ = true;
  bool head_ = false;
  bool draining_ = false;
  bool peer_gone_ = false;  // end of stream seen while the answer was awaited
  std::size_t body_bytes_ = 0;
  clock_type::time_point started_ = clock_type::now();
  std::string method_;
  std::string target_;
  std::string tenant_;  // the metrics label of the current request
};

void server::core::do_accept() {
  acceptor.async_accept(net::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
    if (ec) {
      // Out of descriptors or similar: log, back off briefly, keep the listener alive.
      spdlog::error("{}: accept failed: {}", settings.name, ec.message());
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](beast::error_code wait_ec) {
        if (!wait_ec) do_accept();
      });
      return;
    }
    bool over_capacity = open.load() >= static_cast<std::size_t>(settings.listener.max_connections);
    metrics->count_connection(over_capacity);
    std::make_shared<session>(std::move(socket), this)->start(over_capacity);
    do_accept();
  });
}

server::server(listener_settings settings, std::shared_ptr<handler> handler, std::shared_ptr<listener_metrics> metrics)
    : core_(std::make_unique<core>(std::move(settings), std::move(handler), std::move(metrics))) {}

server::~server() { stop(); }

void server::start() {
  auto& c = *core_;
  const auto& address = c.settings.listener.address;
  beast::error_code ec;
  auto ip = net::ip::make_address(address.host, ec);
  if (ec) throw std::runtime_error(c.settings.name + " listener: '" + address.host + "' is not an IP address");
  tcp::endpoint endpoint{ip, address.port};
  auto fail = [&](const char* step) {
    throw std::runtime_error(c.settings.name + " listener: cannot " + step + " " + address.to_string() + ": " +
                             ec.message());
  };
  c.acceptor.open(endpoint.protocol(), ec);
  if (ec) fail("open");
  c.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) fail("set SO_REUSEADDR on");
  c.acceptor.bind(endpoint, ec);
  if (ec) fail("bind");
  c.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) fail("listen on");
  c.work.emplace(c.io.get_executor());
  c.do_accept();
  for (int i = 0; i < c.settings.listener.threads; ++i) c.threads.emplace_back([&c] { c.io.run(); });
  spdlog::info("{} listener on {}", c.settings.name,
               this->endpoint().address().to_string() + ":" + std::to_string(this->endpoint().port()));
}

tcp::endpoint server::endpoint() const {
  beast::error_code ec;
  return core_->acceptor.local_endpoint(ec);
}

void server::begin_drain() {
  auto* c = core_.get();
  c->draining = true;
  net::post(c->io, [c] {
    beast::error_code ignored;
    c->acceptor.close(ignored);
    c->accept_retry.cancel();
  });
  std::vector<std::shared_ptr<session>> open_sessions;
  {
    std::lock_guard lock(c->sessions_mutex);
    for (auto& weak : c->sessions)
      if (auto s = weak.lock()) open_sessions.push_back(std::move(s));
  }
  // Outside the lock: the last reference to a session may go here, and its destructor takes the lock.
  for (auto& s : open_sessions) net::post(s->executor(), [s] { s->drain(); });
}

std::size_t server::open_connections() const { return core_->open.load(); }

void server::stop() {
  auto& c = *core_;
  if (c.threads.empty()) return;
  c.work.reset();
  c.io.stop();
  for (auto& thread : c.threads) thread.join();
  c.threads.clear();
}

}  // namespace live_origin::http
