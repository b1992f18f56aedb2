// ToStoredJson: the stored-payload JSON printer writes the same JSON document as protobuf's
// MessageToJsonString(preserve_proto_field_names, always_print_primitive_fields) - same keys,
// same values - and reads back into the same message.

#include "server/mapping/stored_json.h"

#include <string>

#include "google/protobuf/struct.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/field_comparator.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "greengate/v1/greengate.pb.h"
#include "gtest/gtest.h"

namespace greengate::mapping {
namespace {

using google::protobuf::Message;
using google::protobuf::util::MessageDifferencer;

std::string ProtobufJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(message, &out, options).ok());
  return out;
}

// A JSON document as a generic tree (objects compare regardless of key order).
google::protobuf::Value AsTree(const std::string& json) {
  google::protobuf::Value tree;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(json, &tree).ok()) << json;
  return tree;
}

template <typename T>
void ExpectSameJson(const std::string& text_format) {
  T message;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text_format, &message));
  const std::string ours = ToStoredJson(message);
  const std::string theirs = ProtobufJson(message);
  EXPECT_TRUE(MessageDifferencer::Equals(AsTree(ours), AsTree(theirs)))
      << "ours:   " << ours << "\ntheirs: " << theirs;
  T read_back;
  ASSERT_TRUE(FromStoredJson(ours, &read_back).ok()) << ours;
  google::protobuf::util::DefaultFieldComparator comparator;
  comparator.set_treat_nan_as_equal(true);  // NaN is a value here ("no p-value")
  MessageDifferencer differencer;
  differencer.set_field_comparator(&comparator);
  EXPECT_TRUE(differencer.Compare(read_back, message)) << ours;
}

TEST(StoredJsonTest, DecisionMatchesProtobufPrinter) {
  ExpectSameJson<v1::Decision>(R"pb(
    name: "decisions/0123abcd"
    model: "models/churn"
    verdict: DEFER
    reason: "quote \" backslash \\ newline \n tab \t bell \007 utf8 é"
    checks { name: "cooldown" passed: true observed: 0.1 limit: 1e-300 decisive: true }
    checks { name: "min_gain" observed: -2.5e10 limit: 0.30000000000000004 }
    drift {
      features {
        feature: "age"
        test: "ks"
        statistic: 0.125
        p_value: -1
        unseen_categories: "x"
        unseen_categories: "y"
        missing_rate_p_value: nan
        importance: inf
      }
      features { feature: "income" psi: -inf }
      drifted_features: 1
      correction: BONFERRONI
    }
    gain { expected: 0.02 method: "labeled_window" }
    cost {
      energy_kwh: 1.5
      breakdown {}
      outcomes_used: 3
    }
    policy_version: 9007199254740993
    create_time { seconds: 1700000000 nanos: 120000000 }
    retry_after { seconds: 1700003600 }
    outcome { decision: "decisions/0123abcd" energy_kwh: 2 co2e_kg: 0 }
    alternatives { energy_kwh: 3 }
    co2e_saved_kg: 1e-7
  )pb");
}

// Doubles are printed with exactly protobuf's text (15 significant digits when they read back,
// else 17), not merely an equal value: stored payloads are hashed into the audit chain.
TEST(StoredJsonTest, DoublesHaveProtobufsExactText) {
  v1::NumericProfile profile;
  for (const double v : {0.1,
                         1.0 / 3,
                         0.30000000000000004,
                         5e-324,
                         2.2250738585072014e-308,
                         1e300,
                         1.7976931348623157e308,
                         123456789012345678.0,
                         1e15,
                         1e16,
                         1e21,
                         2.5e-7,
                         -0.0,
                         0.0,
                         -42.0,
                         100.0,
                         1e-5,
                         9007199254740993.0,
                         299792.458,
                         -1.5e-10}) {
    profile.add_sample(v);
  }
  const auto sample_text = [](const std::string& json) {
    const size_t begin = json.find("\"sample\"");
    return json.substr(begin, json.find(']', begin) - begin);
  };
  const std::string ours = sample_text(ToStoredJson(profile));
  EXPECT_EQ(ours, sample_text(ProtobufJson(profile)));
  EXPECT_NE(ours.find("0.333333333333333"), std::string::npos) << ours;  // 17 digits: 1/3
}

TEST(StoredJsonTest, EmptyDecisionPrintsEveryPrimitiveField) { ExpectSameJson<v1::Decision>(""); }

TEST(StoredJsonTest, PolicyWithMapsAndOptionalFields) {
  // cooldown_s set to its zero value stays present; unset optionals stay absent.
  ExpectSameJson<v1::Policy>(R"pb(
    model: "models/churn"
    version: 3
    cooldown_s: 0
    min_gain: 0.01
    feature_tests { key: "age" value: "ks" }
    feature_tests { key: "zip" value: "psi" }
    mmd_permutations: -1
  )pb");
}

TEST(StoredJsonTest, ProfileWithNumericAndCategoricalFeatures) {
  ExpectSameJson<v1::DataProfile>(R"pb(
    rows: 100
    features {
      name: "age"
      count: 100
      numeric {
        bin_edges: [ -1, 0, 1 ]
        bin_counts: [ 10, 40, 40, 10 ]
        sample: [ 0.5, 1e-12 ]
      }
    }
    features {
      name: "channel"
      count: 100
      missing: 2
      categorical {
        counts { key: "red" value: 60 }
        counts { key: "blue" value: 38 }
      }
    }
    feature_importance { key: "age" value: 0.75 }
  )pb");
}

}  // namespace
}  // namespace greengate::mapping
