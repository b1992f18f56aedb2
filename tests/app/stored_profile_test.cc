// StoredProfileSource and ProfileFromStored: a reference profile written to the store in
// pieces, and read back from every form the store has held (binary, base64, JSON).

#include "server/app/stored_profile.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "server/mapping/stored_json.h"
#include "tests/service/test_profiles.h"

namespace greengate::app {
namespace {

using mapping::ToStoredJson;

// What StoredProfileSource writes, gathered from its pieces.
absl::StatusOr<std::string> Gather(const v1::DataProfile& profile, size_t* largest_piece) {
  const StoredProfileSource source(profile);
  std::string bytes;
  *largest_piece = 0;
  const absl::Status status = source.WriteTo([&](absl::string_view piece) {
    bytes.append(piece.data(), piece.size());
    *largest_piece = std::max(*largest_piece, piece.size());
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (static_cast<int64_t>(bytes.size()) != source.size()) {
    return absl::InternalError(absl::StrCat(bytes.size(), " bytes, size() ", source.size()));
  }
  return bytes;
}

TEST(StoredProfileTest, WritesTheProtobufInPiecesAndReadsEveryForm) {
  const v1::DataProfile profile = greengate::testing::MakeProfile(30000, 0.5, 7);
  size_t largest_piece = 0;
  const absl::StatusOr<std::string> bytes = Gather(profile, &largest_piece);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(*bytes == profile.SerializeAsString());
  EXPECT_GT(bytes->size(), 400000u);  // 2 x 30,000 doubles
  EXPECT_LE(largest_piece, 64u << 10);

  // The first error of the sink ends the writing and is returned.
  int pieces = 0;
  const absl::Status full = StoredProfileSource(profile).WriteTo([&](absl::string_view) {
    ++pieces;
    return absl::ResourceExhaustedError("disk full");
  });
  EXPECT_EQ(full, absl::ResourceExhaustedError("disk full"));
  EXPECT_EQ(pieces, 1);

  store::ReferenceRow row;
  row.profile = *bytes;
  v1::DataProfile back;
  ASSERT_TRUE(ProfileFromStored(row, &back).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(back, profile));
  row.profile_is_text = true;
  for (const std::string& text : {absl::Base64Escape(*bytes), ToStoredJson(profile)}) {
    row.profile = text;
    v1::DataProfile from_text;
    ASSERT_TRUE(ProfileFromStored(row, &from_text).ok()) << text.substr(0, 20);
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_text, profile));
  }

  const std::string base64 = absl::Base64Escape(*bytes);
  for (const auto& [text, damaged] :
       std::vector<std::pair<bool, std::string>>{{false, bytes->substr(0, bytes->size() / 2)},
                                                 {true, base64.substr(0, base64.size() / 2)},
                                                 {true, "not base64!"},
                                                 {true, "{oops"}}) {
    row.profile_is_text = text;
    row.profile = damaged;
    v1::DataProfile p;
    EXPECT_EQ(ProfileFromStored(row, &p).code(), absl::StatusCode::kDataLoss)
        << damaged.substr(0, 20);
  }
}

}  // namespace
}  // namespace greengate::app
