// Hostile and oversized input: every refusal is a clear 4xx with a tiny body, is counted, and stores nothing.

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "actors/stream_directory.hpp"
#include "support/http_client.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

using namespace std::chrono_literals;

std::string put_line(std::string_view target) {
  return "PUT " + std::string(target) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc";
}

std::string metrics(const running_origin& origin) { return fetch(origin.admin(), bhttp::verb::get, "/metrics").body; }

bool has_counter(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(HostileNames, AreRefusedWith400AndStoreNothing) {
  running_origin origin;
  const std::pair<std::string, std::string> cases[] = {
      {"/demo/live1/../x.ts", "dot_segment"},
      {"/demo/%2e%2e/x.ts", "dot_segment"},
      {"/demo/live1/%2E%2E/%2E%2E/etc/passwd", "dot_segment"},
      {"/demo//x.ts", "empty_segment"},
      {"/demo/live1/a%00.ts", "control_byte"},
      {"/demo/live1/a%2fb.ts", "encoded_separator"},
      {"/demo/live1/a%zz.ts", "bad_percent_encoding"},
      {"/demo/live1/" + std::string(3000, 'a'), "too_long"},
      {"/demo/live1", "missing_object"},
      {"/de$mo/live1/x.ts", "bad_tenant_name"},
  };
  for (const auto& [target, reason] : cases) {
    auto answer = raw_exchange(origin.ingest(), put_line(target));
    EXPECT_EQ(raw_status(answer), 400u) << target;
    EXPECT_LT(answer.size(), 400u) << "error bodies stay tiny";
    EXPECT_NE(answer.find(reason), std::string::npos) << target << "\n" << answer;
    EXPECT_EQ(raw_status(raw_exchange(origin.delivery(),
                                      "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")),
              400u);
  }
  EXPECT_EQ(origin.server().directory().stream_count(), 0u);
  auto text = metrics(origin);
  EXPECT_TRUE(has_counter(text, "live_origin_http_rejections_total{listener=\"ingest\",reason=\"dot_segment\"} 3"))
      << text;
  EXPECT_TRUE(has_counter(text, "live_origin_http_rejections_total{listener=\"ingest\",reason=\"too_long\"} 1"));
}

TEST(HostileNames, RawNulInTheTargetIsRefused) {
  running_origin origin;
  std::string request = "PUT /demo/live1/a";
  request.push_back('\0');
  request += "b.ts HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx";
  EXPECT_EQ(raw_status(raw_exchange(origin.ingest(), request)), 400u);
  EXPECT_EQ(origin.server().directory().stream_count(), 0u);
}

// ffmpeg -http_persistent 1 writes request after request on one connection without reading answers; a
// connection reset makes it abandon the whole session. A refusal decided from the header therefore drops
// the body and keeps the connection, and the next request on it is served.
TEST(PersistentPublisher, RefusalDropsTheBodyAndKeepsTheConnection) {
  running_origin origin;
  http_connection connection(origin.ingest());
  const std::string body(200'000, 'x');
  for (bool chunked : {false, true}) {
    connection.send(bhttp::verb::put, "/nosuchtenant/live1/1.ts", body, {}, chunked);
    auto refused = connection.receive();
    EXPECT_EQ(refused.status, 404) << "chunked=" << chunked;
    EXPECT_TRUE(refused.keep_alive);
    connection.send(bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n", {}, chunked);
    EXPECT_EQ(connection.receive().status, chunked ? 204 : 201) << "the same connection serves the next request";
  }
  EXPECT_EQ(origin.server().directory().stream_count(), 1u);
  EXPECT_TRUE(has_counter(metrics(origin),
                          "live_origin_http_rejections_total{listener=\"ingest\",reason=\"unknown_tenant\"} 2"));
}

TEST(BodyLimit, ContentLengthOverTheLimitIsRefusedBeforeTheBodyIsSent) {
  running_origin origin;  // default limit: 64 MiB
  http_connection connection(origin.ingest());
  // Announce 100 MiB and send none of it: the answer must come anyway, and the connection close.
  connection.write_raw("PUT /demo/live1/huge.m4s HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n");
  auto answer = connection.read_until_close(5s);
  EXPECT_EQ(raw_status(answer), 413u) << answer;
  EXPECT_TRUE(connection.closed_by_peer());
  EXPECT_EQ(origin.server().directory().stream_count(), 0u);
  EXPECT_TRUE(has_counter(metrics(origin),
                          "live_origin_http_rejections_total{listener=\"ingest\",reason=\"body_too_large\"} 1"));
}

TEST(BodyLimit, ChunkedBodyIsCutOffAsSoonAsItPassesTheLimit) {
  running_origin origin([](config::origin_config& c) { c.http.max_body_bytes = 1 << 20; });
  http_connection connection(origin.ingest());
  connection.write_raw("POST /demo/live1/huge.m4s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  std::string chunk = "10000\r\n" + std::string(0x10000, 'z') + "\r\n";
  boost::system::error_code ec;
  for (int i = 0; i < 20 && !ec; ++i)  // 1.25 MiB in total; the server stops reading past 1 MiB
    net::write(connection.stream(), net::buffer(chunk), ec);
  auto answer = connection.read_until_close(5s);
  EXPECT_EQ(raw_status(answer), 413u) << answer.substr(0, 200);
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/huge.m4s").status, 404);
}

TEST(BodyLimit, BodyAtTheLimitIsAccepted) {
  running_origin origin([](config::origin_config& c) { c.http.max_body_bytes = 1000; });
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/a.m4s", std::string(1000, 'a')).status, 201);
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/b.m4s", std::string(1000, 'b'), {}, true).status,
            201);
  EXPECT_EQ(raw_status(raw_exchange(origin.ingest(),
                                    "PUT /demo/live1/c.m4s HTTP/1.1\r\nHost: x\r\n"
                                    "Content-Length: 1001\r\n\r\n")),
            413u);
}

TEST(HeaderLimit, OversizedHeaderBlockIs431) {
  running_origin origin;
  std::string request =
      "GET /demo/live1/x.ts HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20000, 'p') + "\r\n\r\n";
  auto answer = raw_exchange(origin.delivery(), request);
  EXPECT_EQ(raw_status(answer), 431u);
  EXPECT_TRUE(has_counter(metrics(origin),
                          "live_origin_http_rejections_total{listener=\"delivery\",reason=\"header_too_large\"} 1"));
}

TEST(Methods, OtherMethodsAre405WithAllow) {
  running_origin origin;
  auto ingest = fetch(origin.ingest(), bhttp::verb::get, "/demo/live1/x.ts");
  EXPECT_EQ(ingest.status, 405);
  EXPECT_EQ(ingest.header("allow"), "PUT, POST, DELETE");
  auto patch = fetch(origin.ingest(), bhttp::verb::patch, "/demo/live1/x.ts", "x");
  EXPECT_EQ(patch.status, 405);
  for (auto verb : {bhttp::verb::put, bhttp::verb::post, bhttp::verb::delete_, bhttp::verb::options}) {
    auto write = fetch(origin.delivery(), verb, "/demo/live1/x.ts", "x");
    EXPECT_EQ(write.status, 405) << "delivery must refuse " << bhttp::to_string(verb);
    EXPECT_EQ(write.header("allow"), "GET, HEAD");
  }
  EXPECT_EQ(origin.server().directory().stream_count(), 0u);
}

TEST(Malformed, GarbageGets400AndTheServerKeepsServing) {
  running_origin origin;
  EXPECT_EQ(raw_status(raw_exchange(origin.delivery(), "HELLO\r\n\r\n")), 400u);
  EXPECT_EQ(raw_status(raw_exchange(origin.ingest(),
                                    "PUT /demo/live1/x.ts HTTP/1.1\r\nHost: x\r\n"
                                    "Transfer-Encoding: chunked\r\n\r\nZZZ\r\n")),
            400u);
  EXPECT_EQ(fetch(origin.ingest(), bhttp::verb::put, "/demo/live1/x.ts", "ok").status, 201);
}

TEST(Timeouts, SlowHeaderIsCutOffWith408) {
  running_origin origin([](config::origin_config& c) { c.http.header_timeout = 200ms; });
  http_connection connection(origin.delivery());
  connection.write_raw("GET /demo/live1/x.ts HTTP/1.1\r\nHost: x\r\n");  // never finishes the header
  auto started = std::chrono::steady_clock::now();
  auto answer = connection.read_until_close(5s);
  EXPECT_EQ(raw_status(answer), 408u);
  EXPECT_TRUE(connection.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 4s);
}

TEST(Timeouts, StalledBodyIsCutOffAndNothingIsStored) {
  running_origin origin([](config::origin_config& c) { c.http.body_idle_timeout = 200ms; });
  http_connection connection(origin.ingest());
  connection.write_raw("PUT /demo/live1/x.ts HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly-ten-b");
  auto answer = connection.read_until_close(5s);
  EXPECT_EQ(raw_status(answer), 408u);
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/x.ts").status, 404);
}

TEST(Timeouts, TricklingBodyWithinTheIdleBoundIsAccepted) {
  running_origin origin([](config::origin_config& c) { c.http.body_idle_timeout = 500ms; });
  http_connection connection(origin.ingest());
  connection.write_raw("POST /demo/live1/ll.m4s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  for (int i = 0; i < 4; ++i) {  // like an LL-DASH upload: chunks spread over longer than the idle bound
    std::this_thread::sleep_for(200ms);
    connection.write_raw("5\r\nchunk\r\n");
  }
  connection.write_raw("0\r\n\r\n");
  EXPECT_EQ(connection.receive().status, 201);
  EXPECT_EQ(fetch(origin.delivery(), bhttp::verb::get, "/demo/live1/ll.m4s").body, "chunkchunkchunkchunk");
}

TEST(Timeouts, IdleKeepAliveConnectionIsClosed) {
  running_origin origin([](config::origin_config& c) { c.http.keepalive_timeout = 200ms; });
  http_connection connection(origin.delivery());
  EXPECT_EQ(connection.request(bhttp::verb::get, "/demo/live1/x.ts").status, 404);
  connection.read_until_close(5s);
  EXPECT_TRUE(connection.closed_by_peer());
}

TEST(Connections, OverTheLimitAreAnswered503AndClosed) {
  running_origin origin([](config::origin_config& c) { c.delivery.max_connections = 2; });
  http_connection first(origin.delivery());
  http_connection second(origin.delivery());
  EXPECT_EQ(first.request(bhttp::verb::get, "/demo/live1/x.ts").status, 404);
  EXPECT_EQ(second.request(bhttp::verb::get, "/demo/live1/x.ts").status, 404);
  http_connection third(origin.delivery());
  auto answer = third.read_until_close(5s);
  EXPECT_EQ(raw_status(answer), 503u);
  EXPECT_TRUE(
      has_counter(metrics(origin), "live_origin_http_connections_total{listener=\"delivery\",result=\"refused\"} 1"));
}

TEST(Shutdown, InFlightUploadFinishesAndIdleConnectionsClose) {
  running_origin origin;
  http_connection idle(origin.delivery());
  EXPECT_EQ(idle.request(bhttp::verb::get, "/demo/live1/x.ts").status, 404);

  http_connection upload(origin.ingest());
  upload.write_raw("PUT /demo/live1/last.m4s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n");
  std::this_thread::sleep_for(50ms);  // let the server start reading the body (not a readiness wait)
  auto stopped = std::async(std::launch::async, [&] { return origin.server().shutdown(); });

  idle.read_until_close(5s);
  EXPECT_TRUE(idle.closed_by_peer()) << "idle keep-alive connections close at once on drain";
  upload.write_raw("4\r\nlast\r\n0\r\n\r\n");
  auto answer = upload.receive();
  EXPECT_EQ(answer.status, 201);
  EXPECT_FALSE(answer.keep_alive) << "a draining server closes after the answer";
  EXPECT_TRUE(stopped.get()) << "every connection finished within the grace period";
}

// ffmpeg sends its upload, half-closes and never reads the status (reference/peers.md §1.8). What the
// origin decided must still show in the metrics; an upload cut off mid-body is counted as well.
class PackagerThatHangsUp : public ::testing::Test {
 protected:
  // Polls /metrics until `line` appears or two seconds pass.
  bool metrics_show(const std::string& line) {
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (has_counter(metrics(origin_), line)) return true;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "never appeared: " << line << "\n" << metrics(origin_);
    return false;
  }

  running_origin origin_;
};

TEST_F(PackagerThatHangsUp, RefusalDecidedAfterTheBodyIsStillCounted) {
  const std::string segment = "/demo/live1/chunk-stream0-00007.m4s";
  ASSERT_EQ(fetch(origin_.ingest(), bhttp::verb::put, segment, "first").status, 201);
  ASSERT_EQ(fetch(origin_.delivery(), bhttp::verb::get, segment).status, 200);  // served: now immutable
  {
    http_connection connection(origin_.ingest());
    connection.send(bhttp::verb::post, segment, "different bytes", {}, true);
    connection.stream().socket().shutdown(tcp::socket::shutdown_send);  // as ffmpeg does, then hang up
  }
  EXPECT_TRUE(
      metrics_show("live_origin_http_rejections_total{listener=\"ingest\",reason=\"segment_already_served\"} 1"));
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, segment).body, "first");
}

TEST_F(PackagerThatHangsUp, AcceptedUploadIsCountedAndStored) {
  {
    http_connection connection(origin_.ingest());
    connection.send(bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n", {}, true);
    connection.stream().socket().shutdown(tcp::socket::shutdown_send);
  }
  EXPECT_TRUE(metrics_show(
      "live_origin_http_requests_total{listener=\"ingest\",method=\"PUT\",code=\"201\",tenant=\"demo\"} 1"));
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/stream.m3u8").body, "#EXTM3U\n");
}

TEST_F(PackagerThatHangsUp, UploadCutOffMidBodyIsCountedAndNotStored) {
  {
    http_connection connection(origin_.ingest());
    connection.write_raw(
        "PUT /demo/live1/chunk-stream0-00003.m4s HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
  }  // killed mid-segment: no last chunk
  EXPECT_TRUE(metrics_show("live_origin_http_rejections_total{listener=\"ingest\",reason=\"incomplete_body\"} 1"));
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/chunk-stream0-00003.m4s").status, 404);
}

}  // namespace
}  // namespace live_origin::test
