#include "cluster/etcd_client.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <utility>

namespace live_origin::cluster::etcd {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// An answer etcd sends from a member that cannot serve it now (no leader, shutting down): another may.
bool try_another_member(http::status status) {
  return status == http::status::service_unavailable || status == http::status::bad_gateway ||
         status == http::status::gateway_timeout;
}

// One call: each member at most once, starting with the preferred one, until one answers.
class attempt : public std::enable_shared_from_this<attempt> {
 public:
  attempt(net::any_io_executor executor, std::vector<endpoint> members, std::chrono::milliseconds timeout,
          std::shared_ptr<std::atomic<std::size_t>> preferred, request call,
          std::function<void(answer<std::string>)> done)
      : resolver_(executor),
        stream_(executor),
        members_(std::move(members)),
        first_(preferred->load()),
        timeout_(timeout),
        preferred_(std::move(preferred)),
        done_(std::move(done)) {
    request_.method(http::verb::post);
    request_.target(std::string(call.path));
    request_.set(http::field::content_type, "application/json");
    request_.body() = std::move(call.body);
  }

  void start() { try_member(); }

 private:
  const endpoint& member() const { return members_[(first_ + tried_) % members_.size()]; }

  void try_member() {
    request_.set(http::field::host, member().host + ":" + member().port);
    request_.prepare_payload();
    stream_.expires_after(timeout_);
    resolver_.async_resolve(
        member().host, member().port,
        [self = shared_from_this()](beast::error_code error, const tcp::resolver::results_type& found) {
          if (error) return self->next_member(error.message());
          self->stream_.async_connect(found, [self](beast::error_code failed, const tcp::endpoint&) {
            if (failed) return self->next_member(failed.message());
            self->send();
          });
        });
  }

  void send() {
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error) return self->next_member(error.message());
      http::async_read(self->stream_, self->buffer_, self->response_,
                       [self](beast::error_code failed, std::size_t) { self->on_answer(failed); });
    });
  }

  void on_answer(beast::error_code error) {
    if (error) return next_member(error.message());
    if (try_another_member(response_.result()))
      return next_member("answered " + std::to_string(response_.result_int()) + ": " + response_.body());
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    *preferred_ = (first_ + tried_) % members_.size();
    done_(std::move(response_.body()));
  }

  void next_member(const std::string& why) {
    errors_ += (errors_.empty() ? "" : "; ") + member().host + ":" + member().port + " " + why;
    stream_.close();
    if (++tried_ == members_.size()) return done_(failure{"no etcd member answered: " + errors_});
    response_ = {};
    buffer_.clear();
    try_member();
  }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  std::vector<endpoint> members_;
  std::size_t first_;
  std::size_t tried_ = 0;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<std::atomic<std::size_t>> preferred_;  // the client's: the member that answered last
  std::function<void(answer<std::string>)> done_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  std::string errors_;
};

// Parses a body with `parse` and hands the result (or the failure before it) to `done`.
template <typename Result, typename Parse>
std::function<void(answer<std::string>)> parsed_by(Parse parse, client::callback<Result> done) {
  return [parse = std::move(parse), done = std::move(done)](answer<std::string> body) {
    if (auto* failed = std::get_if<failure>(&body)) return done(std::move(*failed));
    done(parse(std::get<std::string>(body)));
  };
}

}  // namespace

client::client(net::any_io_executor executor, std::vector<endpoint> members, std::chrono::milliseconds timeout)
    : executor_(std::move(executor)),
      members_(std::move(members)),
      timeout_(timeout),
      preferred_(std::make_shared<std::atomic<std::size_t>>(0)) {}

void client::send(request call, std::function<void(answer<std::string>)> done) {
  if (members_.empty()) return net::post(executor_, [done = std::move(done)] { done(failure{"no etcd member"}); });
  std::make_shared<attempt>(executor_, members_, timeout_, preferred_, std::move(call), std::move(done))->start();
}

void client::grant_lease(std::int64_t ttl_s, callback<lease_grant> done) {
  send(etcd::grant_lease(ttl_s), parsed_by<lease_grant>(parse_lease_grant, std::move(done)));
}

void client::keep_alive(std::int64_t lease, callback<lease_renewal> done) {
  send(etcd::keep_alive(lease), parsed_by<lease_renewal>(parse_keep_alive, std::move(done)));
}

void client::revoke_lease(std::int64_t lease, callback<bool> done) {
  send(etcd::revoke_lease(lease), parsed_by<bool>(parse_revoke, std::move(done)));
}

void client::claim(const std::string& key, const std::string& value, std::int64_t lease, callback<claim_outcome> done) {
  send(etcd::claim(key, value, lease),
       parsed_by<claim_outcome>(
           [key, value, lease](std::string_view body) { return parse_claim(body, key, value, lease); },
           std::move(done)));
}

void client::release(const std::string& key, std::int64_t create_revision, callback<bool> done) {
  send(etcd::release(key, create_revision), parsed_by<bool>(parse_release, std::move(done)));
}

void client::get_prefix(const std::string& prefix, callback<range_result> done) {
  send(etcd::get_prefix(prefix), parsed_by<range_result>(parse_range, std::move(done)));
}

}  // namespace live_origin::cluster::etcd
