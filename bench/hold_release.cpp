// Measures how fast held GETs are answered when their segment lands: N clients hold a GET for the next
// segment, one PUT publishes it, and each GET's latency is the time from the PUT's last byte leaving
// the publisher to that GET's last byte arriving. Run through bench/hold_release, which starts the origin.
//
// Usage: hold_release_bench DELIVERY_PORT INGEST_PORT ADMIN_PORT HOLDS BODY_BYTES ROUNDS

#include <utility>  // before Asio: Boost 1.74 awaitable.hpp needs std::exchange under C++20

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

std::string request_once(const tcp::endpoint& endpoint, http::verb verb, const std::string& target,
                         const std::string& body = {}) {
  net::io_context io;
  beast::tcp_stream stream(io);
  stream.connect(endpoint);
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response.body();
}

std::int64_t unix_now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

struct held_get {
  explicit held_get(net::io_context& io) : stream(io) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  clock_type::time_point done;
};

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  auto index = static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
  return values[std::min(index, values.size() - 1)];
}

}  // namespace

int run(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: hold_release_bench DELIVERY_PORT INGEST_PORT ADMIN_PORT HOLDS BODY_BYTES ROUNDS\n";
    return 2;
  }
  auto address = net::ip::make_address("127.0.0.1");
  tcp::endpoint delivery{address, static_cast<unsigned short>(std::stoi(argv[1]))};
  tcp::endpoint ingest{address, static_cast<unsigned short>(std::stoi(argv[2]))};
  tcp::endpoint admin{address, static_cast<unsigned short>(std::stoi(argv[3]))};
  const int holds = std::stoi(argv[4]);
  const std::string body(static_cast<std::size_t>(std::stoul(argv[5])), 'x');
  const int rounds = std::stoi(argv[6]);

  std::vector<double> all_latencies_us;
  for (int round = 0; round < rounds; ++round) {
    // A fresh stream per round whose next segment (11) is due in ~10 s: every GET for it is held.
    auto stream = "/demo/hold" + std::to_string(round);
    auto availability = unix_now_ms() - std::int64_t{11} * 10'000 - 500;  // segment 10 was due 0.5 s ago
    request_once(admin, http::verb::put, "/streams" + stream,
                 "{\"segment_duration_ms\": 10000, \"start_number\": 0, \"availability_start_ms\": " +
                     std::to_string(availability) + "}");
    auto target = stream + "/seg-11.m4s";
    request_once(ingest, http::verb::put, stream + "/seg-10.m4s", body);  // the track exists

    net::io_context io;
    std::vector<std::unique_ptr<held_get>> gets;
    for (int i = 0; i < holds; ++i) {
      auto get = std::make_unique<held_get>(io);
      get->stream.connect(delivery);
      http::request<http::empty_body> request{http::verb::get, target, 11};
      request.set(http::field::host, "127.0.0.1");
      http::write(get->stream, request);
      http::async_read(get->stream, get->buffer, get->response, [g = get.get()](beast::error_code ec, std::size_t) {
        if (!ec) g->done = clock_type::now();
      });
      gets.push_back(std::move(get));
    }
    // Wait until the stream actor holds every GET (polling the admin API, bounded).
    for (int attempt = 0; attempt < 5000; ++attempt) {
      auto status = request_once(admin, http::verb::get, "/streams" + stream);
      if (status.find("\"held_requests\": " + std::to_string(holds)) != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }

    beast::tcp_stream publisher(io);
    publisher.connect(ingest);
    http::request<http::string_body> put{http::verb::put, target, 11};
    put.set(http::field::host, "127.0.0.1");
    put.body() = body;
    put.prepare_payload();
    http::write(publisher, put);
    auto published = clock_type::now();
    io.run_for(std::chrono::seconds(30));

    int answered = 0;
    for (auto& get : gets) {
      if (get->response.result_int() != 200 || get->response.body().size() != body.size()) continue;
      ++answered;
      all_latencies_us.push_back(std::chrono::duration<double, std::micro>(get->done - published).count());
    }
    if (answered != holds) {
      std::cerr << "round " << round << ": only " << answered << " of " << holds << " GETs got the segment\n";
      return 1;
    }
  }
  std::printf("holds=%d body=%zu rounds=%d samples=%zu p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n", holds,
              body.size(), rounds, all_latencies_us.size(), percentile(all_latencies_us, 0.5),
              percentile(all_latencies_us, 0.9), percentile(all_latencies_us, 0.99), percentile(all_latencies_us, 1.0));
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "hold_release_bench: " << e.what() << "\n";
    return 1;
  }
}
