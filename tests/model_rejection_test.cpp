#include <gtest/gtest.h>

#include <set>
#include <string>

#include "model/metrics.hpp"
#include "model/rejection.hpp"

namespace live_origin::model {
namespace {

TEST(Rejection, EveryReasonHasItsOwnNameAsTheMetricLabel) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < rejection_count; ++i) {
    auto name = to_string(static_cast<rejection>(i));
    EXPECT_NE(name, "unknown") << i;
    EXPECT_TRUE(names.insert(name).second) << name;
  }
  EXPECT_EQ(to_string(rejection::malformed_request), "malformed_request");
  EXPECT_EQ(to_string(rejection::no_cluster), "no_cluster");
}

TEST(Rejection, RefusalsFromTheModelKeepTheirNames) {
  EXPECT_EQ(rejection_for(path_error::dot_segment), rejection::dot_segment);
  EXPECT_EQ(to_string(rejection_for(path_error::missing_object)), to_string(path_error::missing_object));
  EXPECT_EQ(rejection_for(quota_refusal::request_rate), rejection::quota_request_rate);
  EXPECT_EQ(to_string(rejection_for(quota_refusal::stored_bytes)), to_string(quota_refusal::stored_bytes));
  EXPECT_EQ(rejection_for(auth_outcome::allowed), std::nullopt);
  EXPECT_EQ(rejection_for(auth_outcome::pipeline_mismatch), rejection::token_pipeline_mismatch);
  EXPECT_EQ(rejection_for(write_outcome::created), std::nullopt);
  EXPECT_EQ(rejection_for(write_outcome::delete_scheduled), std::nullopt);
  EXPECT_EQ(rejection_for(write_outcome::refused_served), rejection::segment_already_served);
  EXPECT_EQ(rejection_for(write_outcome::store_failed), rejection::store_failed);
}

// Each 503 a stream gives names why: shedding, the hold bound, a lost owner, or storage.
TEST(Rejection, EachUnavailableReadNamesItsOwnReason) {
  EXPECT_EQ(rejection_for(read_outcome::serve), std::nullopt);
  EXPECT_EQ(rejection_for(read_outcome::hold), std::nullopt);
  EXPECT_EQ(rejection_for(read_outcome::gone), std::nullopt);
  EXPECT_EQ(rejection_for(read_outcome::shed), rejection::shed_dvr);
  EXPECT_EQ(rejection_for(read_outcome::hold_limit), rejection::hold_limit);
  EXPECT_EQ(rejection_for(read_outcome::unavailable), rejection::owner_unavailable);
  EXPECT_EQ(rejection_for(read_outcome::store_unavailable), rejection::storage_unavailable);
  cache_policy cache;
  for (auto outcome : {read_outcome::hold_limit, read_outcome::store_unavailable}) {
    auto headers = answer_for({outcome}, object_kind::media_segment, cache);
    EXPECT_EQ(headers.status, 503);
    EXPECT_EQ(headers.cache_control, "public, max-age=1");
  }
}

TEST(Metrics, FamiliesComeFromTheTableWithTheirLabelsInOrder) {
  std::string out;
  prometheus_writer metrics(out);
  metrics.family(metric::segments_served_total);
  metrics.sample({"demo", "b"}, 7);
  metrics.family(metric::streams);
  metrics.sample({}, 3);
  metrics.family(metric::http_request_duration_seconds);
  metrics.histogram_sample("_bucket", {"delivery"}, "0.5", 2);
  metrics.histogram_sample("_sum", {"delivery"}, "", 0.25);
  EXPECT_EQ(out,
            "# HELP live_origin_segments_served_total Media segments by tenant and the pipeline whose candidate was "
            "served first.\n"
            "# TYPE live_origin_segments_served_total counter\n"
            "live_origin_segments_served_total{tenant=\"demo\",pipeline=\"b\"} 7\n"
            "# HELP live_origin_streams Stream actors currently running.\n"
            "# TYPE live_origin_streams gauge\n"
            "live_origin_streams 3\n"
            "# HELP live_origin_http_request_duration_seconds From a request's header to its answer's last byte.\n"
            "# TYPE live_origin_http_request_duration_seconds histogram\n"
            "live_origin_http_request_duration_seconds_bucket{listener=\"delivery\",le=\"0.5\"} 2\n"
            "live_origin_http_request_duration_seconds_sum{listener=\"delivery\"} 0.25\n");
}

TEST(Metrics, EveryFamilyHasAUniquePrefixedName) {
  std::set<std::string_view> names;
  for (const auto& family : metric_families) {
    EXPECT_EQ(family.name.substr(0, 12), "live_origin_") << family.name;
    EXPECT_FALSE(family.help.empty()) << family.name;
    EXPECT_TRUE(names.insert(family.name).second) << family.name;
  }
}

}  // namespace
}  // namespace live_origin::model
