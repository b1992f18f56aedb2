// Categorical features of a current profile counted on its reference
// (CategoricalProfile::reference_aligned): what the builder lists, that shards merge to the
// one-pass profile, and what validation checks.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/core/profile/builder.h"
#include "server/core/profile/merge.h"
#include "server/core/profile/validate.h"

namespace greengate::profile {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

DataProfile Build(ProfileBuilder builder, const std::vector<std::string>& values, std::size_t begin,
                  std::size_t end) {
  for (std::size_t i = begin; i < end; ++i) {
    EXPECT_TRUE(builder.AddRow({&values[i], 1}).ok());
  }
  return builder.Finish();
}

DataProfile Reference(const std::vector<std::string>& values, int64_t top_k) {
  ProfileBuilderOptions options;
  options.max_categories = top_k;
  return Build(*ProfileBuilder::Create({{"c", FeatureKind::kCategorical}}, options), values, 0,
               values.size());
}

DataProfile Current(const DataProfile& reference, const std::vector<std::string>& values,
                    std::size_t begin, std::size_t end, int64_t top_k) {
  ProfileBuilderOptions options = ReferenceOptions(reference);
  options.max_categories = top_k;
  return Build(*ProfileBuilder::ForReference(reference, options), values, begin, end);
}

// Reference: "r0".."r9" with 10 - i rows each (55 rows). Current: the reference's categories
// but "r9", and new ones "n0".."n3" with 4 - i rows each, interleaved.
std::vector<std::string> ReferenceValues() {
  std::vector<std::string> out;
  for (int i = 0; i < 10; ++i) {
    for (int k = 0; k < 10 - i; ++k) out.push_back(absl::StrCat("r", i));
  }
  return out;
}

std::vector<std::string> CurrentValues() {
  std::vector<std::string> out;
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 9; ++i) out.push_back(absl::StrCat("r", i));
    if (round < 4) {
      for (int n = 0; n < 4 - round; ++n) out.push_back(absl::StrCat("n", n));
    }
  }
  return out;
}

TEST(AlignedCategoriesTest, ListsEveryReferenceCategoryAndTheTopUnseenOnes) {
  const DataProfile reference = Reference(ReferenceValues(), 1000);  // lists all: other 0
  const DataProfile current = Current(reference, CurrentValues(), 0, CurrentValues().size(), 2);
  const CategoricalProfile& c = current.features[0].categorical();
  EXPECT_TRUE(c.reference_aligned);
  EXPECT_EQ(c.counts.size(), 12u);  // r0..r9 and the two most frequent new ones
  EXPECT_EQ(c.counts.at("r9"), 0);
  EXPECT_EQ(c.counts.at("r0"), 10);
  EXPECT_THAT(c.unseen, ElementsAre("n0", "n1"));
  EXPECT_EQ(c.counts.at("n0"), 4);
  EXPECT_EQ(c.counts.at("n1"), 3);
  EXPECT_EQ(c.other, 2 + 1);  // n2, n3
  EXPECT_TRUE(ValidateAgainstReference(reference, current, "current").ok());
}

TEST(AlignedCategoriesTest, ShardsMergeToTheOnePassProfile) {
  const std::vector<std::string> values = CurrentValues();
  for (int64_t ref_top_k : {1000, 4}) {  // reference listing all (other 0), and folding
    SCOPED_TRACE(ref_top_k);
    const DataProfile reference = Reference(ReferenceValues(), ref_top_k);
    const DataProfile one_pass = Current(reference, values, 0, values.size(), 10);
    std::vector<DataProfile> shards;
    for (std::size_t begin = 0; begin < values.size(); begin += 25) {
      shards.push_back(Current(reference, values, begin, std::min(values.size(), begin + 25), 10));
    }
    absl::StatusOr<DataProfile> merged = MergeAll(shards, {.max_categories = 10});
    ASSERT_TRUE(merged.ok()) << merged.status();
    const CategoricalProfile& m = merged->features[0].categorical();
    const CategoricalProfile& o = one_pass.features[0].categorical();
    EXPECT_TRUE(m.reference_aligned);
    EXPECT_EQ(m.counts, o.counts);
    EXPECT_EQ(m.unseen, o.unseen);
    EXPECT_EQ(m.other, o.other);
    EXPECT_EQ(merged->options, one_pass.options);
    EXPECT_TRUE(ValidateAgainstReference(reference, *merged, "merged").ok());
  }
}

TEST(AlignedCategoriesTest, MergeRejectsShardsCountedDifferently) {
  const std::vector<std::string> values = CurrentValues();
  const DataProfile reference = Reference(ReferenceValues(), 1000);
  const DataProfile aligned = Current(reference, values, 0, 40, 10);
  DataProfile unaligned = aligned;
  CategoricalProfile& u = std::get<CategoricalProfile>(unaligned.features[0].kind);
  u.reference_aligned = false;
  u.unseen.clear();
  EXPECT_THAT(std::string(Merge(aligned, unaligned).status().message()),
              HasSubstr("features[0].categorical: a was counted on a reference and the other "
                        "was not"));
  const DataProfile other_reference = Current(Reference({"x", "y"}, 1000), {"x", "z"}, 0, 2, 10);
  DataProfile renamed = other_reference;
  renamed.features[0].name = std::string("c");  // a literal here trips gcc 12 -Wrestrict
  EXPECT_THAT(std::string(Merge(aligned, renamed).status().message()),
              HasSubstr("counted on references that list different categories"));
}

// Shards made with different options would merge into a profile whose recorded options none
// of them had; seeds may differ.
TEST(AlignedCategoriesTest, MergeRejectsShardsMadeWithDifferentOptions) {
  const std::vector<std::string> values = CurrentValues();
  const DataProfile reference = Reference(ReferenceValues(), 1000);
  const DataProfile a = Current(reference, values, 0, 40, 10);
  DataProfile reseeded = Current(reference, values, 40, 80, 10);
  reseeded.options->seed = 77;
  EXPECT_TRUE(Merge(a, reseeded).ok());
  const DataProfile other_top_k = Current(reference, values, 40, 80, 20);
  EXPECT_THAT(std::string(MergeAll({a, other_top_k}).status().message()),
              HasSubstr("shards[1].options: top_k 20, tracked_categories 10000, sample_size "
                        "1000, joint_sample_rows 0, bins 0 differ from shards[0]'s top_k 10,"));
}

struct Broken {
  std::string name;
  void (*change)(CategoricalProfile&);
  bool folded_reference;
  std::string error;
};

TEST(AlignedCategoriesTest, ValidationChecksTheAlignment) {
  const std::vector<Broken> cases = {
      {"reference category dropped", [](CategoricalProfile& c) { c.counts.erase("r9"); }, false,
       "current.features[0].categorical.counts: category 'r9' of the reference is not counted"},
      {"new category not named unseen", [](CategoricalProfile& c) { c.unseen.erase("n0"); }, false,
       "category 'n0' is neither a reference category nor named in unseen"},
      {"unseen on a folding reference",
       [](CategoricalProfile& c) {
         c.counts["n9"] = 0;
         c.unseen.insert("n9");
       },
       true, "current.features[0].categorical.unseen: lists 'n9', but the reference folded"},
  };
  for (const Broken& b : cases) {
    SCOPED_TRACE(b.name);
    const DataProfile reference = Reference(ReferenceValues(), b.folded_reference ? 4 : 1000);
    DataProfile current = Current(reference, CurrentValues(), 0, CurrentValues().size(), 10);
    b.change(std::get<CategoricalProfile>(current.features[0].kind));
    ASSERT_TRUE(ValidateProfile(current, "current").ok());
    EXPECT_THAT(std::string(ValidateAgainstReference(reference, current, "current").message()),
                HasSubstr(b.error));
  }
}

TEST(AlignedCategoriesTest, ProfileOnItsOwnChecksUnseenAndOptions) {
  const DataProfile reference = Reference(ReferenceValues(), 1000);
  DataProfile current = Current(reference, CurrentValues(), 0, CurrentValues().size(), 10);
  DataProfile not_listed = current;
  std::get<CategoricalProfile>(not_listed.features[0].kind).unseen.insert("zz");
  EXPECT_THAT(std::string(ValidateProfile(not_listed, "p").message()),
              HasSubstr("p.features[0].categorical.unseen['zz']: is not in counts"));
  DataProfile unaligned = current;
  std::get<CategoricalProfile>(unaligned.features[0].kind).reference_aligned = false;
  EXPECT_THAT(std::string(ValidateProfile(unaligned, "p").message()),
              HasSubstr("p.features[0].categorical.unseen: must be empty unless"));
  DataProfile bad_options = current;
  bad_options.options->top_k = 0;
  EXPECT_EQ(ValidateProfile(bad_options, "p").message(),
            "p.options.top_k: must be in [1, 100000], got 0");
}

// A current profile of an older client keeps its own top categories: it passes and is
// compared as before.
TEST(AlignedCategoriesTest, ProfilesOfOlderClientsStillPass) {
  const DataProfile reference = Reference(ReferenceValues(), 4);
  DataProfile old = Reference(CurrentValues(), 4);
  old.options.reset();
  EXPECT_FALSE(old.features[0].categorical().reference_aligned);
  EXPECT_THAT(old.features[0].categorical().unseen, IsEmpty());
  EXPECT_TRUE(ValidateAgainstReference(reference, old, "current").ok());
}

}  // namespace
}  // namespace greengate::profile
