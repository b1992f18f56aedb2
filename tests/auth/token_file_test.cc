#include "server/auth/token_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace greengate::auth {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kToken1[] = "0123456789abcdef0123";
constexpr char kToken2[] = "fedcba9876543210fedc";

TEST(TokenFileTest, ParsesEntriesCommentsAndBlankLines) {
  const std::string text =
      absl::StrCat("# name role token\n\n", "ci pipeline ", kToken1, "\n  alice\treviewer   ",
                   kToken2, "  \n", "ops admin ", std::string(64, 'x'), "\r\n");
  absl::StatusOr<std::vector<TokenEntry>> entries = ParseTokenFile(text, "tokens");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].name, "ci");
  EXPECT_EQ((*entries)[0].role, Role::kPipeline);
  EXPECT_EQ((*entries)[0].line, 3);
  EXPECT_EQ((*entries)[0].token_sha256, HashToken(kToken1));
  EXPECT_EQ((*entries)[1].name, "alice");
  EXPECT_EQ((*entries)[1].role, Role::kReviewer);
  EXPECT_EQ((*entries)[1].token_sha256, HashToken(kToken2));
  EXPECT_EQ((*entries)[2].role, Role::kAdmin);
  EXPECT_EQ((*entries)[2].line, 5);
}

TEST(TokenFileTest, HashIsSha256) {
  // `printf abc | sha256sum` (FIPS 180-2 test vector).
  const Sha256 digest = HashToken("abc");
  const Sha256 expected = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                           0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                           0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  EXPECT_EQ(digest, expected);
}

struct BadFileCase {
  std::string text;
  std::string error;  // expected part of the message
};

TEST(TokenFileTest, RejectsBadFilesNamingTheLine) {
  const std::string t1 = kToken1;
  const std::string t2 = kToken2;
  const BadFileCase cases[] = {
      {"", "tokens: no tokens"},
      {"# only a comment\n\n", "tokens: no tokens"},
      {"ci pipeline\n", "tokens:1: expected '<name> <role> <token> [models=<list>]', got 2 fields"},
      {"# c\nci pipeline " + t1 + " extra\n",
       "tokens:2: the fourth field must be models=<id or prefix*>,..."},
      {"ci pipeline " + t1 + " models=churn extra\n",
       "tokens:1: expected '<name> <role> <token> [models=<list>]', got 5"},
      {"ci pipeline " + t1 + " models=\n", "tokens:1: models: '' is neither a model id"},
      {"ci pipeline " + t1 + " models=Churn\n", "tokens:1: models: 'Churn' is neither"},
      {"ci pipeline " + t1 + " models=a*b\n", "tokens:1: models: 'a*b' is neither"},
      {"ci root " + t1 + "\n", "tokens:1: role 'root': expected pipeline, reviewer or admin"},
      {"ci Admin " + t1 + "\n", "tokens:1: role 'Admin'"},
      {"ci pipeline short\n", "tokens:1: token of 'ci' has 5 characters; at least 16"},
      {"ci pipeline REPLACE-ME-with-openssl-rand-hex-32-output\n",
       "tokens:1: token of 'ci' is the example's placeholder"},
      {"c/i pipeline " + t1 + "\n", "tokens:1: name 'c/i'"},
      {"anonymous admin " + t1 + "\n", "tokens:1: name 'anonymous' is reserved"},
      {"ci pipeline " + t1 + "\nci admin " + t2 + "\n", "tokens:2: name 'ci' appears twice"},
      {"ci pipeline " + t1 + "\nops admin " + t1 + "\n",
       "tokens:2: token of 'ops' is also given to another name"},
  };
  for (const BadFileCase& c : cases) {
    absl::StatusOr<std::vector<TokenEntry>> entries = ParseTokenFile(c.text, "tokens");
    ASSERT_FALSE(entries.ok()) << c.text;
    EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(entries.status().message(), HasSubstr(c.error)) << c.text;
    EXPECT_THAT(entries.status().message(), Not(HasSubstr(t1))) << "leaks the token";
  }
}

class TokenFileOnDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = "/tmp/greengate-auth-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& text, mode_t mode) {
    const std::string path = dir_ + "/tokens";
    std::ofstream(path) << text;
    chmod(path.c_str(), mode);
    return path;
  }
  std::string dir_;
};

TEST_F(TokenFileOnDiskTest, AcceptsOwnerAndGroupReadable) {
  for (mode_t mode : {0600, 0400, 0640, 0440}) {
    const std::string path = Write(absl::StrCat("ci pipeline ", kToken1, "\n"), mode);
    absl::StatusOr<std::vector<TokenEntry>> entries = LoadTokenFile(path);
    ASSERT_TRUE(entries.ok()) << std::oct << mode << ": " << entries.status();
    EXPECT_EQ(entries->size(), 1u);
  }
}

TEST_F(TokenFileOnDiskTest, RefusesFilesOthersMayReadOrWrite) {
  for (mode_t mode : {0644, 0604, 0602, 0666}) {
    const std::string path = Write(absl::StrCat("ci pipeline ", kToken1, "\n"), mode);
    absl::StatusOr<std::vector<TokenEntry>> entries = LoadTokenFile(path);
    ASSERT_FALSE(entries.ok()) << std::oct << mode;
    EXPECT_EQ(entries.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(entries.status().message(), HasSubstr("chmod 600"));
  }
}

TEST_F(TokenFileOnDiskTest, MissingFileAndDirectory) {
  absl::StatusOr<std::vector<TokenEntry>> missing = LoadTokenFile(dir_ + "/nope");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr(dir_ + "/nope"));
  chmod(dir_.c_str(), 0700);
  absl::StatusOr<std::vector<TokenEntry>> directory = LoadTokenFile(dir_);
  EXPECT_EQ(directory.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(TokenFileOnDiskTest, ParseErrorsNameTheFileAndLine) {
  const std::string path = Write(absl::StrCat("# tokens\nci pipeline\n"), 0600);
  absl::StatusOr<std::vector<TokenEntry>> entries = LoadTokenFile(path);
  EXPECT_EQ(entries.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(entries.status().message(), HasSubstr(path + ":2: "));
}

}  // namespace
}  // namespace greengate::auth
