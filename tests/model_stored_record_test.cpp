#include <gtest/gtest.h>

#include "model/stored_record.hpp"

namespace live_origin::model {
namespace {

TEST(StoredRecord, ObjectRoundTripsWithItsBytes) {
  std::string body("\x00\x01segment bytes\xff", 16);  // a NUL first: the literal alone would stop there
  body.push_back('\0');
  object_record record{"video/1080p/chunk-00042.m4s", "b", 0x0123456789abcdefULL, 1795673909178, 5, body};
  auto encoded = encode_object_record(record);
  auto decoded = decode_object_record(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->object, record.object);
  EXPECT_EQ(decoded->pipeline, "b");
  EXPECT_EQ(decoded->digest, record.digest);
  EXPECT_EQ(decoded->stored_at_ms, record.stored_at_ms);
  EXPECT_EQ(decoded->defects, 5);
  EXPECT_EQ(decoded->body, body);
}

TEST(StoredRecord, AnyDamageIsRecognised) {
  auto encoded = encode_object_record({"a.m4s", "a", 1, 2, 0, "0123456789"});
  for (std::size_t at = 0; at < encoded.size(); ++at) {
    auto damaged = encoded;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x40);
    EXPECT_FALSE(decode_object_record(damaged)) << "a flipped bit at byte " << at << " went unnoticed";
  }
  for (std::size_t size = 0; size < encoded.size(); ++size)
    EXPECT_FALSE(decode_object_record(std::string_view(encoded).substr(0, size))) << "torn at " << size;
  EXPECT_FALSE(decode_object_record(encoded + "x")) << "trailing bytes";
  EXPECT_FALSE(decode_object_record(encode_timeline_record({2000, 1, 3}))) << "another record kind";
}

TEST(StoredRecord, CandidateRecordHoldsEverythingButTheBytes) {
  std::string body(5000, 'x');
  object_record record{"video/chunk-00042.m4s", "b", 0x0123456789abcdefULL, 1795673909178, 3, body};
  auto encoded = encode_candidate_record(record);
  EXPECT_LT(encoded.size(), 200u) << "the bytes are not in it";
  auto decoded = decode_candidate_record(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->object, record.object);
  EXPECT_EQ(decoded->pipeline, "b");
  EXPECT_EQ(decoded->digest, record.digest);
  EXPECT_EQ(decoded->stored_at_ms, record.stored_at_ms);
  EXPECT_EQ(decoded->defects, 3);
  EXPECT_EQ(decoded->size, 5000u);
  EXPECT_TRUE(decoded->body.empty());
  for (std::size_t at = 0; at < encoded.size(); ++at) {
    auto damaged = encoded;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x02);
    EXPECT_FALSE(decode_candidate_record(damaged)) << "byte " << at;
  }
  for (std::size_t size = 0; size < encoded.size(); ++size)
    EXPECT_FALSE(decode_candidate_record(std::string_view(encoded).substr(0, size))) << "torn at " << size;
  EXPECT_FALSE(decode_candidate_record(encode_object_record(record))) << "a body record is not a candidate record";
  EXPECT_FALSE(decode_object_record(encoded)) << "nor the other way round";
}

TEST(StoredRecord, TimelineRoundTrips) {
  timeline line{2000, 897836954, 1795673909178};
  auto decoded = decode_timeline_record(encode_timeline_record(line));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, line);
  auto damaged = encode_timeline_record(line);
  damaged.back() ^= 1;
  EXPECT_FALSE(decode_timeline_record(damaged));
}

TEST(StoredRecord, KeysGroupByStreamAndParseBack) {
  auto prefix = stream_key_prefix("demo", "live1");
  auto object = candidate_record_key("demo", "live1", "video/1.m4s", "a");
  auto line = timeline_record_key("demo", "live1");
  auto served = served_marker_key("demo", "live1", "video/1.m4s");
  for (const auto& key : {object, line, served}) {
    EXPECT_EQ(key.compare(0, prefix.size(), prefix), 0) << key;
    EXPECT_EQ(key.compare(0, all_streams_prefix.size(), all_streams_prefix), 0) << key;
  }
  EXPECT_NE(candidate_record_key("demo", "live10", "1.m4s", "a").compare(0, prefix.size(), prefix), 0)
      << "live10 is not inside live1";
  auto body = body_record_key("demo", "live1", "video/1.m4s", "a");
  EXPECT_NE(body.compare(0, all_streams_prefix.size(), all_streams_prefix), 0)
      << "scanning what streams resume from never reads a body";
  EXPECT_NE(body, body_record_key("demo", "live1", "video/1.m4s", "b"));
  EXPECT_FALSE(parse_record_key(body));
  auto parsed = parse_record_key(object);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->what, record_key::kind::object);
  EXPECT_EQ(parsed->tenant, "demo");
  EXPECT_EQ(parsed->stream, "live1");
  EXPECT_EQ(parsed->object, "video/1.m4s");
  EXPECT_EQ(parsed->pipeline, "a");
  EXPECT_EQ(parse_record_key(line)->what, record_key::kind::timeline);
  EXPECT_EQ(parse_record_key(served)->object, "video/1.m4s");
  EXPECT_FALSE(parse_record_key("garbage"));
  EXPECT_FALSE(parse_record_key(prefix + "o\x1f"));
}

TEST(StoredRecord, StreamStateRoundTripsAndDamageIsRecognised) {
  stream_state_record state;
  state.policy = {3000, 60'000, 5000, 4};
  state.force_shedding = true;
  state.pipeline_order = {"b", "a"};
  state.masks = {{"a", 100, 120}};
  state.events = {{41, "ad-start"}, {42, "ad end%2C 30s"}};
  state.gone = {"chunk-00007.m4s"};
  state.deletes = {{"stream.m3u8", 1795673909178}};
  auto encoded = encode_stream_state_record(state);
  auto decoded = decode_stream_state_record(encoded);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->policy.retry_budget_ms, 3000);
  EXPECT_EQ(decoded->policy.live_window_segments, 4u);
  EXPECT_TRUE(decoded->force_shedding);
  EXPECT_EQ(decoded->pipeline_order, state.pipeline_order);
  ASSERT_EQ(decoded->masks.size(), 1u);
  EXPECT_EQ(decoded->masks[0].pipeline, "a");
  EXPECT_EQ(decoded->masks[0].to, 120u);
  EXPECT_EQ(decoded->events, state.events);
  EXPECT_EQ(decoded->gone, state.gone);
  EXPECT_EQ(decoded->deletes, state.deletes);
  for (std::size_t at = 0; at < encoded.size(); ++at) {
    auto damaged = encoded;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    EXPECT_FALSE(decode_stream_state_record(damaged)) << "byte " << at;
  }
  EXPECT_EQ(parse_record_key(stream_state_key("demo", "live1"))->what, record_key::kind::state);
}

}  // namespace
}  // namespace live_origin::model
