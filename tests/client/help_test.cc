// Every command's --help is complete and consistent: walks the whole command tree that
// BuildCli makes and checks each command and option the way a user reads them.

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "client/app.h"
#include "gtest/gtest.h"
#include "tests/client/cli_test.h"

namespace greengate::client {
namespace {

struct Found {
  std::string where;  // "greengate profile merge --seed"
  std::string problem;
};

// [a-z][a-z0-9]*(-[a-z0-9]+)*, by hand: <regex> trips GCC 12's -Wmaybe-uninitialized in the
// sanitizer build.
bool IsKebab(const std::string& name) {
  if (name.empty() || !absl::ascii_islower(static_cast<unsigned char>(name[0]))) return false;
  for (size_t i = 1; i < name.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == '-') {
      if (i + 1 == name.size() || name[i + 1] == '-') return false;
    } else if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c)) {
      return false;
    }
  }
  return true;
}

// A description starts with a capital letter (or a quote, backquote or digit, or the name
// "greengate", which is lower case). An option's is a fragment without a trailing period,
// like CLI11's own "Print this help message and exit"; a command's is one or more sentences.
void CheckDescription(const std::string& where, const std::string& text, bool is_option,
                      std::vector<Found>* found) {
  if (text.empty()) {
    found->push_back({where, "no description"});
    return;
  }
  const char first = text.front();
  if (!(std::isupper(static_cast<unsigned char>(first)) || first == '"' || first == '`' ||
        first == '\'' || std::isdigit(static_cast<unsigned char>(first)) ||
        text.rfind("greengate ", 0) == 0)) {
    found->push_back({where, "description should start with a capital letter: " + text});
  }
  if (text.back() == ' ' || text.back() == '\n') {
    found->push_back({where, "description ends with whitespace"});
  }
  if (is_option && text.back() == '.') {
    found->push_back({where, "option description ends with a period: " + text});
  }
}

void Walk(const CLI::App& app, const std::string& path, std::vector<Found>* found) {
  CheckDescription(path, app.get_description(), false, found);
  for (const CLI::Option* option : app.get_options()) {
    std::string where = path + " " + option->get_name();
    CheckDescription(where, option->get_description(), true, found);
    for (const std::string& name : option->get_lnames()) {
      if (!IsKebab(name)) found->push_back({where, "--" + name + " is not kebab-case"});
    }
    if (!option->get_positional() && option->get_lnames().empty()) {
      found->push_back({where, "no long name"});
    }
    if (option->get_positional() && !IsKebab(option->get_name(true, false))) {
      found->push_back({where, "positional name is not kebab-case"});
    }
  }
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (!IsKebab(sub->get_name())) found->push_back({path, sub->get_name() + " is not kebab-case"});
    Walk(*sub, path + " " + sub->get_name(), found);
  }
}

TEST(HelpTest, EveryCommandAndOptionIsDescribedAndKebabCase) {
  CommandContext ctx;
  ctx.global.server = "127.0.0.1:50051";
  const std::unique_ptr<CLI::App> app = BuildCli(&ctx);
  std::vector<Found> found;
  Walk(*app, "greengate", &found);
  for (const Found& f : found) ADD_FAILURE() << f.where << ": " << f.problem;
}

// The walk must see the whole tree, nested commands included; otherwise the test above
// could pass on an empty app.
TEST(HelpTest, WalkReachesNestedCommands) {
  CommandContext ctx;
  const std::unique_ptr<CLI::App> app = BuildCli(&ctx);
  std::vector<std::string> names;
  for (const CLI::App* sub : app->get_subcommands({})) names.push_back(sub->get_name());
  for (const char* expected : {"profile", "should-retrain", "report-outcome", "health"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
  }
  const CLI::App* profile = app->get_subcommand("profile");
  EXPECT_NE(profile->get_subcommand("merge"), nullptr);
}

TEST(HelpTest, KebabCheckRejectsOtherStyles) {
  EXPECT_TRUE(IsKebab("labeled-rows"));
  EXPECT_TRUE(IsKebab("json"));
  EXPECT_FALSE(IsKebab("labeled_rows"));
  EXPECT_FALSE(IsKebab("labeledRows"));
  EXPECT_FALSE(IsKebab("-rows"));
  EXPECT_FALSE(IsKebab("rows-"));
}

// Each command's --help exits 0 and prints its description and every option.
TEST(HelpTest, EveryCommandHelpRuns) {
  CommandContext ctx;
  const std::unique_ptr<CLI::App> app = BuildCli(&ctx);
  for (const CLI::App* sub : app->get_subcommands({})) {
    std::vector<std::vector<std::string>> invocations = {{sub->get_name(), "--help"}};
    for (const CLI::App* nested : sub->get_subcommands({})) {
      invocations.push_back({sub->get_name(), nested->get_name(), "--help"});
    }
    for (const std::vector<std::string>& args : invocations) {
      const testing::CliResult r = testing::RunInProcess(args);
      EXPECT_EQ(r.code, 0) << args[0] << " " << r.err;
      const CLI::App* shown = args.size() == 3 ? sub->get_subcommand(args[1]) : sub;
      EXPECT_NE(r.out.find(shown->get_description().substr(0, 40)), std::string::npos) << args[0];
      for (const CLI::Option* option : shown->get_options()) {
        if (option->get_lnames().empty()) continue;
        EXPECT_NE(r.out.find("--" + option->get_lnames().front()), std::string::npos)
            << args[0] << " --" << option->get_lnames().front();
      }
    }
  }
}

// `greengate --version` prints CMake's project(VERSION), compiled in, and the gRPC and
// protobuf versions.
TEST(VersionTest, PrintsProjectVersionFromCMake) {
  std::ifstream cmake(std::string(GG_SOURCE_DIR) + "/CMakeLists.txt");
  std::stringstream text;
  text << cmake.rdbuf();
  const std::string content = text.str();
  const std::string kProject = "project(greengate VERSION ";
  const size_t at = content.find(kProject);
  ASSERT_NE(at, std::string::npos);
  const size_t start = at + kProject.size();
  const std::string version =
      content.substr(start, content.find_first_not_of("0123456789.", start) - start);
  ASSERT_FALSE(version.empty());
  const testing::CliResult r = testing::RunInProcess({"--version"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("greengate " + version + " (gRPC 1.", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(", protobuf 3."), std::string::npos) << r.out;
}

}  // namespace
}  // namespace greengate::client
