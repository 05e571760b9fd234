// PUT/POST/DELETE on the ingest listener and GET/HEAD on the delivery listener, over loopback.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <ctime>
#include <future>
#include <random>
#include <thread>

#include "actors/stream_directory.hpp"
#include "http/representation.hpp"
#include "support/http_client.hpp"
#include "support/running_origin.hpp"

namespace live_origin::test {
namespace {

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (auto& b : bytes) b = static_cast<char>(random());
  return bytes;
}

class IngestDelivery : public ::testing::Test {
 protected:
  running_origin origin_;
};

struct round_trip_case {
  std::size_t size;
  bool chunked;
  bhttp::verb method;
};

void PrintTo(const round_trip_case& c, std::ostream* out) {
  *out << c.size << " bytes, " << (c.chunked ? "chunked " : "Content-Length ") << bhttp::to_string(c.method);
}

class RoundTrip : public IngestDelivery, public ::testing::WithParamInterface<round_trip_case> {};

TEST_P(RoundTrip, BytesComeBackExactlyWithHeaders) {
  auto [size, chunked, method] = GetParam();
  auto body = random_bytes(size, static_cast<unsigned>(size));
  auto put = fetch(origin_.ingest(), method, "/demo/live1/chunk-00001.m4s", body, {}, chunked);
  EXPECT_EQ(put.status, 201);

  auto get = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/chunk-00001.m4s");
  ASSERT_EQ(get.status, 200);
  EXPECT_TRUE(get.body == body) << "body differs (" << get.body.size() << " vs " << body.size() << " bytes)";
  EXPECT_EQ(get.header("content-length"), std::to_string(size));
  EXPECT_EQ(get.header("content-type"), "video/mp4");
  EXPECT_FALSE(get.header("etag").empty());
  EXPECT_FALSE(get.header("last-modified").empty());

  // The same bytes again (a packager's retry) change nothing.
  auto again = fetch(origin_.ingest(), method, "/demo/live1/chunk-00001.m4s", body, {}, chunked);
  EXPECT_EQ(again.status, 204);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/chunk-00001.m4s").header("etag"),
            get.header("etag"));
}

std::string case_name(const ::testing::TestParamInfo<round_trip_case>& info) {
  return std::to_string(info.param.size) + "B_" + (info.param.chunked ? "chunked_" : "length_") +
         std::string(bhttp::to_string(info.param.method));
}

INSTANTIATE_TEST_SUITE_P(Sizes, RoundTrip,
                         ::testing::Values(round_trip_case{0, false, bhttp::verb::put},
                                           round_trip_case{0, true, bhttp::verb::put},
                                           round_trip_case{1, false, bhttp::verb::put},
                                           round_trip_case{1, true, bhttp::verb::post},
                                           round_trip_case{1 << 20, false, bhttp::verb::post},
                                           round_trip_case{1 << 20, true, bhttp::verb::put},
                                           round_trip_case{20 << 20, false, bhttp::verb::put},
                                           round_trip_case{20 << 20, true, bhttp::verb::post}),
                         case_name);

TEST_F(IngestDelivery, ChunkedUploadInManySmallChunksLikeFfmpeg) {
  auto body = random_bytes(300'000, 7);
  http_connection connection(origin_.ingest());
  connection.send(bhttp::verb::post, "/demo/live1/init-stream0.m4s", body,
                  {{"User-Agent", "Lavf/59.27.100"}, {"Icy-MetaData", "1"}}, true, 1000);
  EXPECT_EQ(connection.receive().status, 201);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/init-stream0.m4s").body, body);
}

TEST_F(IngestDelivery, DifferentBytesReplaceAMutableObject) {
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n#1\n").status, 201);
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/stream.m3u8", "#EXTM3U\n#2\n").status, 204);
  auto get = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/stream.m3u8");
  EXPECT_EQ(get.body, "#EXTM3U\n#2\n");
  EXPECT_EQ(get.header("content-type"), "application/vnd.apple.mpegurl");
}

TEST_F(IngestDelivery, ContentTypeFollowsTheExtension) {
  const std::pair<const char*, const char*> cases[] = {{"a.m4s", "video/mp4"},
                                                       {"init.mp4", "video/mp4"},
                                                       {"s42.ts", "video/mp2t"},
                                                       {"m.mpd", "application/dash+xml"},
                                                       {"p.m3u8", "application/vnd.apple.mpegurl"},
                                                       {"a.aac", "audio/aac"},
                                                       {"a.m4a", "audio/mp4"},
                                                       {"key.bin", "application/octet-stream"}};
  for (auto [name, type] : cases) {
    auto target = std::string("/demo/types/") + name;
    ASSERT_EQ(fetch(origin_.ingest(), bhttp::verb::put, target, "x").status, 201) << name;
    EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, target).header("content-type"), type) << name;
  }
}

TEST_F(IngestDelivery, ObjectNamesMayContainFolders) {
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/video/1080p/42.m4s", "hd").status, 201);
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/video/720p/42.m4s", "sd").status, 201);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/video/1080p/42.m4s").body, "hd");
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/video/720p/42.m4s").body, "sd");
}

TEST_F(IngestDelivery, HeadDescribesTheGetWithoutABody) {
  fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/seg-1.ts", std::string(5000, 'h'));
  http_connection connection(origin_.delivery());
  auto head = connection.request(bhttp::verb::head, "/demo/live1/seg-1.ts");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.header("content-length"), "5000");
  EXPECT_EQ(head.header("content-type"), "video/mp2t");
  EXPECT_TRUE(head.body.empty());
  // The connection is still in step: no stray body bytes were sent after the HEAD answer.
  auto get = connection.request(bhttp::verb::get, "/demo/live1/seg-1.ts");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body.size(), 5000u);
}

TEST_F(IngestDelivery, RangeRequestsGet206And416) {
  fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/seg-1.m4s", "0123456789");
  auto part = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s", {}, {{"Range", "bytes=2-5"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "2345");
  EXPECT_EQ(part.header("content-range"), "bytes 2-5/10");
  auto suffix = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s", {}, {{"Range", "bytes=-3"}});
  EXPECT_EQ(suffix.status, 206);
  EXPECT_EQ(suffix.body, "789");
  auto beyond = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s", {}, {{"Range", "bytes=10-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(beyond.header("content-range"), "bytes */10");
}

TEST_F(IngestDelivery, MatchingETagGets304) {
  fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/seg-1.m4s", "payload");
  auto first = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s");
  auto etag = first.header("etag");
  auto cached = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s", {}, {{"If-None-Match", etag}});
  EXPECT_EQ(cached.status, 304);
  EXPECT_TRUE(cached.body.empty());
  EXPECT_EQ(cached.header("etag"), etag);
  auto changed =
      fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s", {}, {{"If-None-Match", "\"stale\""}});
  EXPECT_EQ(changed.status, 200);
  auto since = fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s", {},
                     {{"If-Modified-Since", first.header("last-modified")}});
  EXPECT_EQ(since.status, 304);
}

TEST_F(IngestDelivery, MissingObjectStreamOrTenantIs404) {
  fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/seg-1.m4s", "x");
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/notes.txt").status, 404);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/stream.m3u8").status, 404);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/nostream/seg-1.m4s").status, 404);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/notenant/live1/seg-1.m4s").status, 404);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/other/live1/seg-1.m4s").status, 404);
}

TEST_F(IngestDelivery, ReadsOfUnknownStreamsSpawnNothing) {
  fetch(origin_.delivery(), bhttp::verb::get, "/demo/ghost/seg-1.m4s");
  EXPECT_EQ(origin_.server().directory().stream_count(), 0u);
}

TEST_F(IngestDelivery, UnknownTenantWriteIs404AndStoresNothing) {
  auto put = fetch(origin_.ingest(), bhttp::verb::put, "/nobody/live1/seg-1.m4s", "x");
  EXPECT_EQ(put.status, 404);
  EXPECT_EQ(origin_.server().directory().stream_count(), 0u);
}

TEST_F(IngestDelivery, DeleteIs204AndTheObjectStaysForLateViewers) {
  fetch(origin_.ingest(), bhttp::verb::put, "/demo/live1/seg-1.m4s", "still here");
  // ffmpeg sends DELETE with a chunked empty body, and both pipelines send it.
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::delete_, "/demo/live1/seg-1.m4s", "", {}, true).status, 204);
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::delete_, "/demo/live1/seg-1.m4s", "", {}, true).status, 204);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/seg-1.m4s").body, "still here");
  EXPECT_EQ(fetch(origin_.ingest(), bhttp::verb::delete_, "/demo/ghost/seg-1.m4s").status, 204);
  EXPECT_EQ(origin_.server().directory().stream_count(), 1u);
}

TEST_F(IngestDelivery, KeepAliveCarriesManyRequests) {
  http_connection ingest(origin_.ingest());
  http_connection delivery(origin_.delivery());
  for (int i = 0; i < 20; ++i) {
    auto target = "/demo/live1/seg-" + std::to_string(i) + ".m4s";
    auto put = ingest.request(bhttp::verb::put, target, "body " + std::to_string(i));
    ASSERT_EQ(put.status, 201);
    EXPECT_TRUE(put.keep_alive);
    auto get = delivery.request(bhttp::verb::get, target);
    ASSERT_EQ(get.status, 200);
    EXPECT_EQ(get.body, "body " + std::to_string(i));
  }
}

TEST_F(IngestDelivery, ExpectContinueGetsAnInterimAnswer) {
  http_connection connection(origin_.ingest());
  connection.write_raw(
      "PUT /demo/live1/big.m4s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  std::string interim;
  char c;
  while (interim.find("\r\n\r\n") == std::string::npos) {
    connection.stream().expires_after(io_deadline);
    connection.stream().read_some(net::buffer(&c, 1));
    interim.push_back(c);
  }
  EXPECT_EQ(raw_status(interim), 100u);
  connection.write_raw("hello");
  EXPECT_EQ(connection.receive().status, 201);
  EXPECT_EQ(fetch(origin_.delivery(), bhttp::verb::get, "/demo/live1/big.m4s").body, "hello");
}

TEST_F(IngestDelivery, HundredClientsWriteAndReadFiftyStreamsByteExact) {
  constexpr int clients = 100;
  constexpr int streams = 50;
  constexpr int segments_per_client = 5;
  auto worker = [&](int client) {
    int failures = 0;
    http_connection ingest(origin_.ingest());
    http_connection delivery(origin_.delivery());
    for (int n = 0; n < segments_per_client; ++n) {
      auto target = "/demo/stream" + std::to_string(client % streams) + "/c" + std::to_string(client) + "-" +
                    std::to_string(n) + ".m4s";
      auto body = random_bytes(1000 + static_cast<std::size_t>(client * 97 + n * 13), client * 1000 + n);
      if (ingest.request(bhttp::verb::put, target, body, {}, n % 2 == 1).status != 201) ++failures;
      auto get = delivery.request(bhttp::verb::get, target);
      if (get.status != 200 || get.body != body) ++failures;
    }
    return failures;
  };
  std::vector<std::future<int>> results;
  for (int client = 0; client < clients; ++client) results.push_back(std::async(std::launch::async, worker, client));
  int failures = 0;
  for (auto& result : results) failures += result.get();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(origin_.server().directory().stream_count(), static_cast<std::size_t>(streams));
}

// RFC 9110 section 6.6.1: an origin with a clock sends Date on every answer, so caches can compute Age. Every
// listener, every status, answers decided by a stream actor, by the HTTP layer alone, and held ones.
TEST_F(IngestDelivery, EveryAnswerCarriesADate) {
  auto expect_date = [](const http_reply& reply, const std::string& what) {
    ASSERT_TRUE(reply.has_header("date")) << what << " (" << reply.status << ")";
    auto date = http::parse_http_date(reply.header("date"));
    ASSERT_TRUE(date) << what << ": '" << reply.header("date") << "' is not an IMF-fixdate";
    EXPECT_NEAR(static_cast<double>(*date), static_cast<double>(std::time(nullptr)), 5.0) << what;
  };
  auto ingest = [&](bhttp::verb verb, const std::string& target, const std::string& body = "x") {
    return fetch(origin_.ingest(), verb, target, body);
  };
  auto delivery = [&](const std::string& target, const header_list& headers = {}) {
    return fetch(origin_.delivery(), bhttp::verb::get, target, {}, headers);
  };
  auto created = ingest(bhttp::verb::put, "/demo/live1/chunk-00001.m4s");
  EXPECT_EQ(created.status, 201);
  expect_date(created, "ingest 201");
  expect_date(ingest(bhttp::verb::put, "/nobody/live1/chunk-00001.m4s"), "ingest 404, unknown tenant");
  expect_date(ingest(bhttp::verb::put, "/demo/live1/%zz.m4s"), "ingest 400, bad percent-encoding");
  expect_date(ingest(bhttp::verb::get, "/demo/live1/chunk-00001.m4s"), "ingest 405");
  auto served = delivery("/demo/live1/chunk-00001.m4s");
  EXPECT_EQ(served.status, 200);
  expect_date(served, "delivery 200");
  auto unchanged = delivery("/demo/live1/chunk-00001.m4s", {{"If-None-Match", served.header("etag")}});
  EXPECT_EQ(unchanged.status, 304);
  expect_date(unchanged, "delivery 304");
  expect_date(delivery("/demo/nostream/chunk-00001.m4s"), "delivery 404, unknown stream");
  expect_date(delivery("/demo/live1/x%00.m4s"), "delivery 400, NUL in the path");
  expect_date(fetch(origin_.delivery(), bhttp::verb::put, "/demo/live1/chunk-00001.m4s", "x"), "delivery 405");
  // A GET for the next segment is held until it lands; its answer is dated when it is sent.
  auto held = std::async(std::launch::async, [&] { return delivery("/demo/live1/chunk-00002.m4s"); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto held_now = [&] {
    auto status = fetch(origin_.admin(), bhttp::verb::get, "/streams/demo/live1");
    return nlohmann::json::parse(status.body, nullptr, false).value("held_requests", 0) == 1;
  };
  while (!held_now() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ingest(bhttp::verb::put, "/demo/live1/chunk-00002.m4s");
  auto released = held.get();
  EXPECT_EQ(released.status, 200);
  expect_date(released, "delivery 200 after a hold");
  expect_date(fetch(origin_.admin(), bhttp::verb::get, "/healthz"), "admin 200");
  expect_date(fetch(origin_.admin(), bhttp::verb::get, "/no/such/route"), "admin 404");
  // Refused by the HTTP layer before any handler: a header block over the limit.
  auto raw =
      raw_exchange(origin_.delivery(),
                   "GET /demo/live1/x.ts HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20000, 'p') + "\r\n\r\n");
  EXPECT_EQ(raw_status(raw), 431u);
  auto date_at = raw.find("\r\nDate: ");
  ASSERT_NE(date_at, std::string::npos) << raw;
  EXPECT_TRUE(http::parse_http_date(raw.substr(date_at + 8, 29))) << raw;
}

}  // namespace
}  // namespace live_origin::test
