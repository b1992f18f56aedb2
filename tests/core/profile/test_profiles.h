#pragma once

// Hand-built profiles shared by the profile tests.

#include "server/core/profile/profile.h"

namespace greengate::profile::testing {

// A valid profile of 12 rows: "age" (numeric, 2 missing), "color" (categorical, 2 missing)
// and "income" (numeric, every value missing). Its samples are sorted, so it is also a valid
// reference.
inline DataProfile ValidProfile() {
  DataProfile p;
  p.rows = 12;

  FeatureProfile age;
  age.name = "age";
  age.count = 12;
  age.missing = 2;
  NumericProfile n;
  n.bin_edges = {10, 20, 30};
  n.bin_counts = {1, 2, 3, 4};
  n.min = 5;
  n.max = 40;
  n.mean = 22;
  n.m2 = 100;
  n.sample = {5, 15, 25, 40};
  n.sample_seen = 10;
  age.kind = n;
  p.features.push_back(age);

  FeatureProfile color;
  color.name = "color";
  color.count = 12;
  color.missing = 2;
  CategoricalProfile c;
  c.counts = {{"blue", 3}, {"red", 5}};
  c.other = 1;
  color.kind = c;
  p.features.push_back(color);

  FeatureProfile income;
  income.name = "income";
  income.count = 12;
  income.missing = 12;
  NumericProfile empty;
  empty.bin_counts = {0};
  income.kind = empty;
  p.features.push_back(income);
  return p;
}

inline NumericProfile& Numeric(DataProfile& p, int i) {
  return std::get<NumericProfile>(p.features[i].kind);
}

inline CategoricalProfile& Categorical(DataProfile& p, int i) {
  return std::get<CategoricalProfile>(p.features[i].kind);
}

}  // namespace greengate::profile::testing
