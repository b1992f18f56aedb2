#include "server/mapping/profile_mapping.h"

#include "absl/strings/str_cat.h"
#include "server/common/quote.h"

namespace greengate::mapping {

profile::NumericProfile NumericFromProto(const v1::NumericProfile& p) {
  profile::NumericProfile n;
  n.bin_edges.assign(p.bin_edges().begin(), p.bin_edges().end());
  n.bin_counts.assign(p.bin_counts().begin(), p.bin_counts().end());
  n.edge_counts.assign(p.edge_counts().begin(), p.edge_counts().end());
  n.low_bin_sum = p.low_bin_sum();
  n.high_bin_sum = p.high_bin_sum();
  n.min = p.min();
  n.max = p.max();
  n.mean = p.mean();
  n.m2 = p.m2();
  n.sample.assign(p.sample().begin(), p.sample().end());
  n.sample_seen = p.sample_seen();
  return n;
}

namespace {

void NumericToProto(const profile::NumericProfile& n, ProfileSamples samples,
                    v1::NumericProfile* p) {
  p->mutable_bin_edges()->Add(n.bin_edges.begin(), n.bin_edges.end());
  p->mutable_bin_counts()->Add(n.bin_counts.begin(), n.bin_counts.end());
  p->mutable_edge_counts()->Add(n.edge_counts.begin(), n.edge_counts.end());
  p->set_low_bin_sum(n.low_bin_sum);
  p->set_high_bin_sum(n.high_bin_sum);
  p->set_min(n.min);
  p->set_max(n.max);
  p->set_mean(n.mean);
  p->set_m2(n.m2);
  if (samples == ProfileSamples::kWith) p->mutable_sample()->Add(n.sample.begin(), n.sample.end());
  p->set_sample_seen(n.sample_seen);
}

profile::ProfileOptions OptionsFromProto(const v1::ProfileOptions& p) {
  return {.top_k = p.top_k(),
          .tracked_categories = p.tracked_categories(),
          .sample_size = p.sample_size(),
          .joint_sample_rows = p.joint_sample_rows(),
          .seed = p.seed(),
          .bins = p.bins()};
}

void OptionsToProto(const profile::ProfileOptions& o, v1::ProfileOptions* p) {
  p->set_top_k(o.top_k);
  p->set_tracked_categories(o.tracked_categories);
  p->set_sample_size(o.sample_size);
  p->set_joint_sample_rows(o.joint_sample_rows);
  p->set_seed(o.seed);
  // Validation keeps bins within kMaxBinEdges + 1, far inside int32.
  p->set_bins(static_cast<int32_t>(o.bins));
}

}  // namespace

absl::StatusOr<profile::DataProfile> ProfileFromProto(const v1::DataProfile& proto,
                                                      absl::string_view field) {
  profile::DataProfile out;
  out.rows = proto.rows();
  out.features.reserve(proto.features_size());
  for (int i = 0; i < proto.features_size(); ++i) {
    const v1::FeatureProfile& f = proto.features(i);
    profile::FeatureProfile feature;
    feature.name = f.name();
    feature.count = f.count();
    feature.missing = f.missing();
    switch (f.kind_case()) {
      case v1::FeatureProfile::kNumeric:
        feature.kind = NumericFromProto(f.numeric());
        break;
      case v1::FeatureProfile::kCategorical: {
        profile::CategoricalProfile c;
        c.counts.insert(f.categorical().counts().begin(), f.categorical().counts().end());
        c.other = f.categorical().other();
        c.reference_aligned = f.categorical().reference_aligned();
        c.unseen.insert(f.categorical().unseen().begin(), f.categorical().unseen().end());
        feature.kind = std::move(c);
        break;
      }
      default:
        return absl::InvalidArgumentError(
            absl::StrCat(field, ".features[", i, "]: feature ", QuoteForMessage(f.name()),
                         " has neither `numeric` nor `categorical` set"));
    }
    out.features.push_back(std::move(feature));
  }
  out.feature_importance.insert(proto.feature_importance().begin(),
                                proto.feature_importance().end());
  if (proto.has_joint()) {
    profile::JointSample joint;
    joint.features.assign(proto.joint().features().begin(), proto.joint().features().end());
    joint.rows = proto.joint().rows();
    joint.values.assign(proto.joint().values().begin(), proto.joint().values().end());
    joint.seen = proto.joint().seen();
    out.joint = std::move(joint);
  }
  if (proto.has_options()) out.options = OptionsFromProto(proto.options());
  return out;
}

v1::DataProfile ProfileToProto(const profile::DataProfile& profile, ProfileSamples samples) {
  v1::DataProfile proto;
  proto.set_rows(profile.rows);
  for (const profile::FeatureProfile& f : profile.features) {
    v1::FeatureProfile* p = proto.add_features();
    p->set_name(f.name);
    p->set_count(f.count);
    p->set_missing(f.missing);
    if (f.is_numeric()) {
      NumericToProto(f.numeric(), samples, p->mutable_numeric());
    } else {
      v1::CategoricalProfile* c = p->mutable_categorical();
      for (const auto& [name, count] : f.categorical().counts) (*c->mutable_counts())[name] = count;
      c->set_other(f.categorical().other);
      c->set_reference_aligned(f.categorical().reference_aligned);
      for (const std::string& name : f.categorical().unseen) c->add_unseen(name);
    }
  }
  for (const auto& [name, weight] : profile.feature_importance) {
    (*proto.mutable_feature_importance())[name] = weight;
  }
  if (profile.joint) {
    v1::MultivariateSample* joint = proto.mutable_joint();
    for (const std::string& name : profile.joint->features) joint->add_features(name);
    joint->set_rows(static_cast<int32_t>(profile.joint->rows));
    if (samples == ProfileSamples::kWith) {
      joint->mutable_values()->Add(profile.joint->values.begin(), profile.joint->values.end());
    }
    joint->set_seen(profile.joint->seen);
  }
  if (profile.options) OptionsToProto(*profile.options, proto.mutable_options());
  return proto;
}

}  // namespace greengate::mapping
