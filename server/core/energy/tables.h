#pragma once

// Reference data for energy estimates: accelerator and CPU power, PUE by provider, carbon
// intensity by country and cloud region. The CSVs under server/core/energy/data/ are the
// source of truth (each row carries source, year and licence; see NOTICE); they are embedded
// into the binary at build time and parsed here, so the core does no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace greengate::energy {

struct DataRow {
  std::string key;    // lookup key, lower-case ("nvidia-a100-40gb", "fr", "europe-west9")
  std::string label;  // human name
  double value = 0;   // W per device, W per core, PUE, or g CO2e/kWh
  std::string source;
  int year = 0;
  std::string licence;
};

class Tables {
 public:
  // Parses CSV text with header `key,label,value,source,year,licence`.
  static absl::StatusOr<Tables> Parse(std::string_view accelerators_csv, std::string_view cpus_csv,
                                      std::string_view pue_csv, std::string_view carbon_csv);
  // The tables shipped with greengate (embedded CSVs). Parsed once; thread-safe.
  static const Tables& Shipped();

  // Lookups are case-insensitive. nullopt when the key is unknown.
  std::optional<DataRow> Accelerator(std::string_view key) const;
  std::optional<DataRow> Cpu(std::string_view key) const;  // value: W per core
  std::optional<DataRow> Pue(std::string_view provider) const;
  std::optional<DataRow> CarbonIntensity(std::string_view region) const;

  const std::vector<DataRow>& accelerators() const { return accelerators_; }
  const std::vector<DataRow>& cpus() const { return cpus_; }
  const std::vector<DataRow>& pues() const { return pues_; }
  const std::vector<DataRow>& carbon_intensities() const { return carbon_; }

 private:
  std::vector<DataRow> accelerators_, cpus_, pues_, carbon_;
};

}  // namespace greengate::energy
