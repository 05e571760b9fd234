#include <gtest/gtest.h>

#include <ctime>
#include <future>
#include <vector>

#include "http/date_header.hpp"
#include "http/representation.hpp"

namespace live_origin::http {
namespace {

representation sample() {
  return {std::make_shared<const std::string>("0123456789"), "\"abc\"", 1'700'000'000'000, "video/mp4"};
}

request_header get(std::initializer_list<std::pair<beast_http::field, std::string>> fields,
                   beast_http::verb verb = beast_http::verb::get) {
  request_header header;
  header.method(verb);
  for (const auto& [name, value] : fields) header.set(name, value);
  return header;
}

std::string_view body_of(const response& answer) {
  return {answer.message.body().data(), answer.message.body().size()};
}

TEST(Range, ParsesTheSingleRangeForms) {
  EXPECT_EQ(parse_range("bytes=0-4", 10).range, (byte_range{0, 4}));
  EXPECT_EQ(parse_range("bytes=5-", 10).range, (byte_range{5, 9}));
  EXPECT_EQ(parse_range("bytes=-3", 10).range, (byte_range{7, 9}));
  EXPECT_EQ(parse_range("bytes=-30", 10).range, (byte_range{0, 9}));
  EXPECT_EQ(parse_range("bytes=8-100", 10).range, (byte_range{8, 9}));
  EXPECT_EQ(parse_range("bytes=3-3", 10).kind, range_kind::single);
}

TEST(Range, UnsatisfiableAndIgnoredForms) {
  EXPECT_EQ(parse_range("bytes=10-", 10).kind, range_kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=-0", 10).kind, range_kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=0-", 0).kind, range_kind::unsatisfiable);
  EXPECT_EQ(parse_range("bytes=5-2", 10).kind, range_kind::none);
  EXPECT_EQ(parse_range("bytes=0-1,4-5", 10).kind, range_kind::none);
  EXPECT_EQ(parse_range("items=0-1", 10).kind, range_kind::none);
  EXPECT_EQ(parse_range("bytes=a-b", 10).kind, range_kind::none);
  EXPECT_EQ(parse_range("bytes=99999999999999999999-", 10).kind, range_kind::none);
  EXPECT_EQ(parse_range("", 10).kind, range_kind::none);
}

TEST(Validators, IfNoneMatchUsesWeakComparison) {
  EXPECT_TRUE(if_none_match_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match_matches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match_matches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match_matches("*", "\"abc\""));
  EXPECT_FALSE(if_none_match_matches("\"abd\"", "\"abc\""));
}

TEST(HttpDate, FormatsAndParsesImfFixdate) {
  EXPECT_EQ(format_http_date(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  EXPECT_FALSE(parse_http_date("garbage"));
}

TEST(Serve, PlainGetIsTheWholeObjectWithValidators) {
  auto answer = serve_representation(get({}), sample());
  EXPECT_EQ(answer.message.result_int(), 200);
  EXPECT_EQ(body_of(answer), "0123456789");
  EXPECT_EQ(answer.message[beast_http::field::etag], "\"abc\"");
  EXPECT_EQ(answer.message[beast_http::field::content_type], "video/mp4");
  EXPECT_EQ(answer.message[beast_http::field::content_length], "10");
  EXPECT_EQ(answer.message[beast_http::field::last_modified], "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(answer.message[beast_http::field::accept_ranges], "bytes");
}

TEST(Serve, BodyIsAViewOfTheStoredBytes) {
  auto rep = sample();
  auto answer = serve_representation(get({}), rep);
  EXPECT_EQ(answer.message.body().data(), rep.bytes->data());
  EXPECT_EQ(answer.owner.get(), rep.bytes.get());
}

TEST(Serve, MatchingIfNoneMatchIs304WithoutBody) {
  auto answer = serve_representation(get({{beast_http::field::if_none_match, "\"abc\""}}), sample());
  EXPECT_EQ(answer.message.result_int(), 304);
  EXPECT_EQ(answer.message.body().size(), 0u);
  EXPECT_EQ(answer.message[beast_http::field::etag], "\"abc\"");
}

TEST(Serve, IfNoneMatchWinsOverIfModifiedSince) {
  auto answer = serve_representation(get({{beast_http::field::if_none_match, "\"other\""},
                                          {beast_http::field::if_modified_since, "Tue, 14 Nov 2023 22:13:20 GMT"}}),
                                     sample());
  EXPECT_EQ(answer.message.result_int(), 200);
}

TEST(Serve, IfModifiedSinceAtOrAfterLastModifiedIs304) {
  EXPECT_EQ(
      serve_representation(get({{beast_http::field::if_modified_since, "Tue, 14 Nov 2023 22:13:20 GMT"}}), sample())
          .message.result_int(),
      304);
  EXPECT_EQ(
      serve_representation(get({{beast_http::field::if_modified_since, "Tue, 14 Nov 2023 22:13:19 GMT"}}), sample())
          .message.result_int(),
      200);
}

TEST(Serve, RangeIs206WithContentRange) {
  auto answer = serve_representation(get({{beast_http::field::range, "bytes=2-5"}}), sample());
  EXPECT_EQ(answer.message.result_int(), 206);
  EXPECT_EQ(body_of(answer), "2345");
  EXPECT_EQ(answer.message[beast_http::field::content_range], "bytes 2-5/10");
  EXPECT_EQ(answer.message[beast_http::field::content_length], "4");
}

TEST(Serve, UnsatisfiableRangeIs416WithLength) {
  auto answer = serve_representation(get({{beast_http::field::range, "bytes=20-"}}), sample());
  EXPECT_EQ(answer.message.result_int(), 416);
  EXPECT_EQ(answer.message[beast_http::field::content_range], "bytes */10");
}

TEST(Serve, IfRangeWithAStaleTagServesTheWholeObject) {
  auto stale = serve_representation(
      get({{beast_http::field::range, "bytes=2-5"}, {beast_http::field::if_range, "\"old\""}}), sample());
  EXPECT_EQ(stale.message.result_int(), 200);
  auto fresh = serve_representation(
      get({{beast_http::field::range, "bytes=2-5"}, {beast_http::field::if_range, "\"abc\""}}), sample());
  EXPECT_EQ(fresh.message.result_int(), 206);
}

TEST(Serve, HeadIgnoresRange) {
  auto answer = serve_representation(get({{beast_http::field::range, "bytes=2-5"}}, beast_http::verb::head), sample());
  EXPECT_EQ(answer.message.result_int(), 200);
  EXPECT_EQ(answer.message[beast_http::field::content_length], "10");
}

TEST(DateHeader, IsTheCurrentSecondAsAnImfFixdate) {
  auto before = static_cast<std::int64_t>(std::time(nullptr));
  auto date = parse_http_date(http_date_now());
  auto after = static_cast<std::int64_t>(std::time(nullptr));
  ASSERT_TRUE(date) << http_date_now();
  EXPECT_GE(*date, before);
  EXPECT_LE(*date, after);
}

TEST(DateHeader, TheCacheGivesEveryThreadTheRightSecond) {
  EXPECT_EQ(http_date_at(784111777000), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http_date_at(784111777999), "Sun, 06 Nov 1994 08:49:37 GMT");
  EXPECT_EQ(http_date_at(784111778000), "Sun, 06 Nov 1994 08:49:38 GMT");
  // Threads moving through the seconds at their own pace, as I/O threads do around a second's boundary.
  std::vector<std::future<int>> threads;
  for (int t = 0; t < 4; ++t)
    threads.push_back(std::async(std::launch::async, [t] {
      int wrong = 0;
      for (std::int64_t i = 0; i < 4000; ++i) {
        auto unix_ms = 1'700'000'000'000 + (i / (t + 1)) * 250;
        if (http_date_at(unix_ms) != format_http_date(unix_ms)) ++wrong;
      }
      return wrong;
    }));
  for (auto& thread : threads) EXPECT_EQ(thread.get(), 0);
}

}  // namespace
}  // namespace live_origin::http
