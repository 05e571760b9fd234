#include <gtest/gtest.h>

#include "model/object_path.hpp"

namespace live_origin::model {
namespace {

constexpr std::size_t limit = 2048;

object_path parsed(std::string_view target) {
  auto result = parse_object_path(target, limit);
  EXPECT_TRUE(std::holds_alternative<object_path>(result)) << target;
  return std::holds_alternative<object_path>(result) ? std::get<object_path>(result) : object_path{};
}

path_error refused(std::string_view target, std::size_t max = limit) {
  auto result = parse_object_path(target, max);
  EXPECT_TRUE(std::holds_alternative<path_error>(result)) << target << " was accepted";
  return std::holds_alternative<path_error>(result) ? std::get<path_error>(result) : path_error::not_absolute;
}

TEST(ObjectPath, SplitsTenantStreamAndObject) {
  EXPECT_EQ(parsed("/demo/live1/chunk-stream0-00042.m4s"), (object_path{"demo", "live1", "chunk-stream0-00042.m4s"}));
}

TEST(ObjectPath, ObjectMayContainRenditionFolders) {
  EXPECT_EQ(parsed("/demo/live1/video/1080p/42.m4s"), (object_path{"demo", "live1", "video/1080p/42.m4s"}));
}

TEST(ObjectPath, QueryStringIsIgnored) {
  EXPECT_EQ(parsed("/demo/live1/stream.m3u8?_HLS_msn=4"), (object_path{"demo", "live1", "stream.m3u8"}));
}

TEST(ObjectPath, PercentEncodedSafeCharactersAreDecoded) {
  EXPECT_EQ(parsed("/demo/live1/a%2Db%7e.ts"), (object_path{"demo", "live1", "a-b~.ts"}));
  EXPECT_EQ(parsed("/de%6Do/live1/x.ts").tenant, "demo");
}

TEST(ObjectPath, NamesUseTheDocumentedAlphabet) {
  EXPECT_EQ(parsed("/a.b_c-D9/S_1.x-y/o").stream, "S_1.x-y");
  EXPECT_EQ(parsed("/" + std::string(64, 't') + "/s/o").tenant, std::string(64, 't'));
  EXPECT_EQ(refused("/" + std::string(65, 't') + "/s/o"), path_error::bad_tenant_name);
  EXPECT_EQ(refused("/demo/" + std::string(65, 's') + "/o"), path_error::bad_stream_name);
  EXPECT_EQ(refused("/de~mo/s/o"), path_error::bad_tenant_name);
  EXPECT_EQ(refused("/demo/s+1/o"), path_error::bad_stream_name);
}

TEST(ObjectPath, DotSegmentsAreRefusedRawOrEncoded) {
  EXPECT_EQ(refused("/demo/live1/../secret"), path_error::dot_segment);
  EXPECT_EQ(refused("/demo/live1/./x.ts"), path_error::dot_segment);
  EXPECT_EQ(refused("/../live1/x.ts"), path_error::dot_segment);
  EXPECT_EQ(refused("/demo/%2e%2e/x.ts"), path_error::dot_segment);
  EXPECT_EQ(refused("/demo/live1/%2E%2e/x.ts"), path_error::dot_segment);
  EXPECT_EQ(refused("/demo/live1/a/.%2E"), path_error::dot_segment);
  EXPECT_EQ(refused("/./live1/x"), path_error::dot_segment);
}

TEST(ObjectPath, EncodedSeparatorsAreRefused) {
  EXPECT_EQ(refused("/demo/live1/..%2Fetc%2Fpasswd"), path_error::encoded_separator);
  EXPECT_EQ(refused("/demo/live1/a%2fb"), path_error::encoded_separator);
  EXPECT_EQ(refused("/demo/live1/a%5Cb"), path_error::encoded_separator);
}

TEST(ObjectPath, EmptySegmentsAreRefused) {
  EXPECT_EQ(refused("//live1/x.ts"), path_error::empty_segment);
  EXPECT_EQ(refused("/demo//x.ts"), path_error::empty_segment);
  EXPECT_EQ(refused("/demo/live1/a//b.ts"), path_error::empty_segment);
  EXPECT_EQ(refused("/demo/live1/dir/"), path_error::empty_segment);
}

TEST(ObjectPath, ControlBytesAreRefusedRawOrEncoded) {
  EXPECT_EQ(refused(std::string_view("/demo/live1/a\0b", 15)), path_error::control_byte);
  EXPECT_EQ(refused("/demo/live1/a%00b"), path_error::control_byte);
  EXPECT_EQ(refused("/demo/live1/a%0d%0aSet-Cookie"), path_error::control_byte);
  EXPECT_EQ(refused("/demo/live1/a\x01"
                    "b"),
            path_error::control_byte);
  EXPECT_EQ(refused("/demo/live1/a%7Fb"), path_error::control_byte);
}

TEST(ObjectPath, BadPercentEncodingIsRefused) {
  EXPECT_EQ(refused("/demo/live1/a%"), path_error::bad_percent_encoding);
  EXPECT_EQ(refused("/demo/live1/a%4"), path_error::bad_percent_encoding);
  EXPECT_EQ(refused("/demo/live1/a%zz"), path_error::bad_percent_encoding);
  EXPECT_EQ(refused("/demo/live1/%%41"), path_error::bad_percent_encoding);
}

TEST(ObjectPath, CharactersOutsideThePathAlphabetAreRefused) {
  EXPECT_EQ(refused("/demo/live1/a b.ts"), path_error::bad_object_name);
  EXPECT_EQ(refused("/demo/live1/a%20b.ts"), path_error::bad_object_name);
  EXPECT_EQ(refused("/demo/live1/a\\b.ts"), path_error::bad_object_name);
  EXPECT_EQ(refused("/demo/live1/<script>"), path_error::bad_object_name);
  EXPECT_EQ(refused("/demo/live1/caf\xc3\xa9.ts"), path_error::bad_object_name);
  EXPECT_EQ(refused("/demo/live1/caf%C3%A9.ts"), path_error::bad_object_name);
}

TEST(ObjectPath, OverLongTargetsAreRefusedBeforeDecoding) {
  std::string target = "/demo/live1/" + std::string(3000, 'a');
  EXPECT_EQ(refused(target), path_error::too_long);
  EXPECT_EQ(refused("/demo/live1/abc", 10), path_error::too_long);
  EXPECT_EQ(parsed("/demo/live1/" + std::string(limit - 12, 'a')).object.size(), limit - 12);
}

TEST(ObjectPath, TenantStreamAndObjectAreAllRequired) {
  EXPECT_EQ(refused("/demo/live1"), path_error::missing_object);
  EXPECT_EQ(refused("/demo/live1/"), path_error::missing_object);
  EXPECT_EQ(refused("/demo"), path_error::missing_object);
  EXPECT_EQ(refused("/"), path_error::empty_segment);
}

TEST(ObjectPath, TargetMustBeAnAbsolutePath) {
  EXPECT_EQ(refused(""), path_error::not_absolute);
  EXPECT_EQ(refused("*"), path_error::not_absolute);
  EXPECT_EQ(refused("demo/live1/x.ts"), path_error::not_absolute);
  EXPECT_EQ(refused("http://evil/demo/live1/x.ts"), path_error::not_absolute);
  EXPECT_EQ(refused("?/demo/live1/x.ts"), path_error::not_absolute);
}

TEST(ObjectPath, EveryReasonHasAName) {
  for (auto error :
       {path_error::not_absolute, path_error::too_long, path_error::bad_percent_encoding, path_error::encoded_separator,
        path_error::control_byte, path_error::empty_segment, path_error::dot_segment, path_error::bad_tenant_name,
        path_error::bad_stream_name, path_error::bad_object_name, path_error::missing_object})
    EXPECT_NE(to_string(error), "unknown");
}

TEST(Names, DotAndDotDotAreNotNames) {
  EXPECT_FALSE(is_valid_name("."));
  EXPECT_FALSE(is_valid_name(".."));
  EXPECT_FALSE(is_valid_name(""));
  EXPECT_TRUE(is_valid_name("..."));
  EXPECT_TRUE(is_valid_name("live.1"));
}

}  // namespace
}  // namespace live_origin::model
