#include <gtest/gtest.h>

#include "model/selection.hpp"

namespace live_origin::model {
namespace {

const candidate_view clean{true, defects::none, false};
const candidate_view absent{false, defects::none, false};
const candidate_view short_one{true, defects::short_segment, false};
const candidate_view missing_one{true, defects::missing, false};
const candidate_view jumpy{true, defects::discontinuity, false};
const candidate_view masked_clean{true, defects::none, true};

std::optional<std::size_t> pick(std::vector<candidate_view> candidates, std::optional<std::size_t> served = {},
                                bool may_arrive = false) {
  auto result = select_candidate(candidates, served, may_arrive);
  EXPECT_FALSE(result.wait_for_clean);
  return result.chosen;
}

TEST(Defects, ParsesTheHeaderCaseInsensitively) {
  EXPECT_EQ(parse_defects(""), defects::none);
  EXPECT_EQ(parse_defects("  "), defects::none);
  EXPECT_EQ(parse_defects("short"), defects::short_segment);
  EXPECT_EQ(parse_defects("Short, MISSING"), defects::short_segment | defects::missing);
  EXPECT_EQ(parse_defects("discontinuity,short,missing"),
            defects::discontinuity | defects::short_segment | defects::missing);
  EXPECT_EQ(parse_defects("short, short"), defects::short_segment);
  EXPECT_EQ(parse_defects("Slate, CORRUPT"), defects::slate | defects::corrupt);
}

TEST(Defects, UnknownTokensAreRefused) {
  EXPECT_FALSE(parse_defects("broken"));
  EXPECT_FALSE(parse_defects("short,"));
  EXPECT_FALSE(parse_defects(",short"));
  EXPECT_FALSE(parse_defects("short missing"));
}

TEST(Defects, FormatIsStableAndRoundTrips) {
  EXPECT_EQ(format_defects(defects::none), "");
  EXPECT_EQ(format_defects(defects::missing | defects::discontinuity), "discontinuity, missing");
  EXPECT_EQ(format_defects(defects::corrupt | defects::short_segment | defects::slate), "short, slate, corrupt");
  for (defect_set set = 0; set < 32; ++set) EXPECT_EQ(parse_defects(format_defects(set)), set);
}

TEST(Defects, BadnessRanksMoreDefectsThenMissingShortDiscontinuity) {
  EXPECT_LT(badness(defects::discontinuity), badness(defects::short_segment));
  EXPECT_LT(badness(defects::short_segment), badness(defects::missing));
  EXPECT_LT(badness(defects::missing), badness(defects::discontinuity | defects::short_segment));
  EXPECT_LT(badness(defects::discontinuity | defects::short_segment),
            badness(defects::short_segment | defects::missing));
}

TEST(Defects, SlateIsWorseThanAnyRealContentAndCorruptIsWorst) {
  const defect_set every_content_defect = defects::discontinuity | defects::short_segment | defects::missing;
  EXPECT_LT(badness(defects::discontinuity), badness(defects::slate));
  EXPECT_LT(badness(defects::short_segment), badness(defects::slate));
  EXPECT_LT(badness(every_content_defect), badness(defects::slate));
  EXPECT_LT(badness(defects::slate | every_content_defect), badness(defects::corrupt));
  EXPECT_LT(badness(defects::corrupt), badness(defects::corrupt | defects::short_segment));
}

TEST(Selection, ASlateLosesToARealSegmentWithDefects) {
  const candidate_view slate_one{true, defects::slate, false};
  const candidate_view corrupt_one{true, defects::corrupt, false};
  EXPECT_EQ(pick({slate_one, short_one}), 1u);
  EXPECT_EQ(pick({corrupt_one, slate_one}), 1u);
}

TEST(Selection, FirstCleanCandidateInOrderWins) {
  EXPECT_EQ(pick({clean, clean}), 0u);
  EXPECT_EQ(pick({short_one, clean}), 1u);
  EXPECT_EQ(pick({absent, clean}), 1u);
  EXPECT_EQ(pick({clean, short_one}), 0u);
  EXPECT_EQ(pick({absent, absent, clean}), 2u);
}

TEST(Selection, NothingPresentChoosesNothing) {
  EXPECT_EQ(pick({absent, absent}), std::nullopt);
  EXPECT_EQ(pick({}), std::nullopt);
}

TEST(Selection, MaskedCandidatesAreSkipped) {
  EXPECT_EQ(pick({masked_clean, clean}), 1u);
  EXPECT_EQ(pick({masked_clean, short_one}), 1u);
  EXPECT_EQ(pick({masked_clean, absent}), std::nullopt);
  EXPECT_EQ(pick({masked_clean}), std::nullopt);
}

TEST(Selection, AllDefectiveServesTheLeastBadNeverNothing) {
  EXPECT_EQ(pick({missing_one, short_one}), 1u);
  EXPECT_EQ(pick({short_one, jumpy}), 1u);
  EXPECT_EQ(pick({short_one, short_one}), 0u) << "a tie goes to the earlier pipeline";
  EXPECT_EQ(pick({missing_one}), 0u);
  EXPECT_EQ(pick({missing_one, absent}), 0u) << "nobody else can still deliver";
}

TEST(Selection, DefectiveWaitsWhileACleanOneMayStillArrive) {
  auto wait = select_candidate({short_one, absent}, std::nullopt, true);
  EXPECT_TRUE(wait.wait_for_clean);
  EXPECT_FALSE(wait.chosen);
  // Every pipeline delivered (defective): nothing to wait for.
  EXPECT_FALSE(select_candidate({short_one, missing_one}, std::nullopt, true).wait_for_clean);
  // The only other pipeline is masked: nothing to wait for.
  EXPECT_FALSE(select_candidate({short_one, {false, defects::none, true}}, std::nullopt, true).wait_for_clean);
  // Past the retry budget: serve what there is.
  EXPECT_EQ(pick({short_one, absent}, std::nullopt, false), 0u);
  // A clean one is never held back.
  EXPECT_EQ(pick({absent, clean}, std::nullopt, true), 1u);
}

TEST(Selection, ServedCandidateKeepsBeingServed) {
  EXPECT_EQ(pick({clean, short_one}, 1u), 1u) << "CDNs cached the defective bytes already";
  EXPECT_EQ(pick({absent, short_one}, 1u), 1u);
}

TEST(Selection, MaskingTheServedCandidateChangesTheChoice) {
  EXPECT_EQ(pick({clean, {true, defects::none, true}}, 1u), 0u);
  EXPECT_EQ(pick({short_one, {true, defects::none, true}}, 1u), 0u);
}

TEST(Defects, KindsAreNamedInBitOrder) {
  EXPECT_EQ(defect_kind_name(0), "discontinuity");
  EXPECT_EQ(defect_kind_name(4), "corrupt");
  EXPECT_EQ(defect_kind_name(defect_kind_count), "");
  for (std::size_t kind = 0; kind < defect_kind_count; ++kind)
    EXPECT_EQ(parse_defects(defect_kind_name(kind)), static_cast<defect_set>(1u << kind));
}

}  // namespace
}  // namespace live_origin::model
