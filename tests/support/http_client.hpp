#pragma once

// A small blocking HTTP/1.1 client for tests, plus raw-socket helpers for requests no well-behaved
// client would send. Every operation has a deadline so a broken server fails a test instead of hanging it.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace live_origin::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

constexpr std::chrono::seconds io_deadline{20};

struct http_reply {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
  bool has_header(const std::string& lower_name) const { return headers.count(lower_name) > 0; }
};

using header_list = std::vector<std::pair<std::string, std::string>>;

// One keep-alive connection.
class http_connection {
 public:
  explicit http_connection(const tcp::endpoint& endpoint) : stream_(io_) {
    stream_.expires_after(io_deadline);
    stream_.connect(endpoint);
  }

  // Sends a request. With `chunked`, the body goes out in `chunk_size` pieces as chunked encoding.
  void send(bhttp::verb verb, const std::string& target, const std::string& body = {}, const header_list& headers = {},
            bool chunked = false, std::size_t chunk_size = 64 << 10) {
    bhttp::request<bhttp::empty_body> head{verb, target, 11};
    head.set(bhttp::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) head.insert(name, value);  // repeated names are sent repeatedly
    stream_.expires_after(io_deadline);
    if (!chunked) {
      if (!body.empty() || verb == bhttp::verb::put || verb == bhttp::verb::post) head.content_length(body.size());
      bhttp::request_serializer<bhttp::empty_body> sr{head};
      bhttp::write_header(stream_, sr);
      if (!body.empty()) net::write(stream_, net::buffer(body));
      return;
    }
    head.chunked(true);
    bhttp::request_serializer<bhttp::empty_body> sr{head};
    bhttp::write_header(stream_, sr);
    for (std::size_t at = 0; at < body.size(); at += chunk_size)
      net::write(stream_, bhttp::make_chunk(net::buffer(body.data() + at, std::min(chunk_size, body.size() - at))));
    net::write(stream_, bhttp::make_chunk_last());
  }

  http_reply receive(bool head_request = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.skip(head_request);
    stream_.expires_after(io_deadline);
    bhttp::read(stream_, buffer_, parser);
    auto message = parser.release();
    http_reply reply;
    reply.status = message.result_int();
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = std::string(field.value());
    }
    reply.keep_alive = message.keep_alive();
    reply.body = std::move(message.body());
    return reply;
  }

  http_reply request(bhttp::verb verb, const std::string& target, const std::string& body = {},
                     const header_list& headers = {}, bool chunked = false) {
    send(verb, target, body, headers, chunked);
    return receive(verb == bhttp::verb::head);
  }

  void write_raw(std::string_view bytes) {
    stream_.expires_after(io_deadline);
    net::write(stream_, net::buffer(bytes.data(), bytes.size()));
  }

  // Reads until the server closes the connection (or the deadline passes); returns what arrived.
  std::string read_until_close(std::chrono::milliseconds deadline = io_deadline) {
    std::string out;
    if (buffer_.size() > 0) {
      out += beast::buffers_to_string(buffer_.data());
      buffer_.consume(buffer_.size());
    }
    stream_.expires_after(deadline);
    beast::error_code ec;
    char chunk[8192];
    while (true) {
      auto n = stream_.read_some(net::buffer(chunk), ec);
      out.append(chunk, n);
      if (ec) break;
    }
    last_error_ = ec;
    return out;
  }

  // True when the server closed the connection (as opposed to the read timing out).
  bool closed_by_peer() const { return last_error_ == net::error::eof || last_error_ == net::error::connection_reset; }

  beast::tcp_stream& stream() { return stream_; }

 private:
  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  beast::error_code last_error_;
};

// One request on a fresh connection.
inline http_reply fetch(const tcp::endpoint& endpoint, bhttp::verb verb, const std::string& target,
                        const std::string& body = {}, const header_list& headers = {}, bool chunked = false) {
  http_connection connection(endpoint);
  return connection.request(verb, target, body, headers, chunked);
}

// Sends raw bytes on a fresh connection and returns everything the server sent until it closed.
inline std::string raw_exchange(const tcp::endpoint& endpoint, std::string_view bytes) {
  http_connection connection(endpoint);
  connection.write_raw(bytes);
  return connection.read_until_close();
}

// The status code of a raw HTTP response text ("HTTP/1.1 400 ..." -> 400), 0 when there is none.
inline unsigned raw_status(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return static_cast<unsigned>(std::stoi(response.substr(9, 3)));
}

}  // namespace live_origin::test
