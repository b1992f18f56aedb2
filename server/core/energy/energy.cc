#include "server/core/energy/energy.h"

#include <cmath>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "server/common/quote.h"
#include "server/common/status_macros.h"

namespace greengate::energy {
namespace {

// Green Algorithms referenceValues.csv `memoryPower`: draw per GB of memory requested.
constexpr double kMemoryPowerWPerGb = 0.3725;
constexpr std::string_view kMemoryPowerSource =
    "Green Algorithms referenceValues.csv memoryPower 0.3725 W/GB, CC BY 4.0";

// Bounds of a plausible training job; beyond them the request is a typo or an attack.
constexpr double kMaxHours = 10000;
constexpr int32_t kMaxDeviceCount = 4096;
constexpr double kMaxMemoryGb = 65536;
constexpr double kMinPue = 1;
constexpr double kMaxPue = 3;
constexpr double kMaxCarbonIntensityGPerKwh = 2000;
constexpr double kMaxPowerW = 5000;

// Fallback rows (Tables::Parse requires them in the shipped format).
constexpr std::string_view kAnyKey = "any";
constexpr std::string_view kUnknownProvider = "unknown";
constexpr std::string_view kWorldRegion = "world";

constexpr std::string_view kOverride = "request override";

absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status Invalid(std::string_view field, std::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat(AsAbsl(field), ": ", AsAbsl(message)));
}

// Checks lo < v <= hi (or lo <= v when lo_inclusive); NaN and infinities fail both tests.
absl::Status CheckRange(std::string_view field, double value, double lo, bool lo_inclusive,
                        double hi) {
  const bool above = lo_inclusive ? value >= lo : value > lo;
  if (std::isfinite(value) && above && value <= hi) return absl::OkStatus();
  return Invalid(field, absl::StrCat("must be a finite number in ", lo_inclusive ? "[" : "(", lo,
                                     ", ", hi, "], got ", value));
}

absl::Status CheckOptionalRange(std::string_view field, const std::optional<double>& value,
                                double lo, bool lo_inclusive, double hi) {
  if (!value.has_value()) return absl::OkStatus();
  return CheckRange(field, *value, lo, lo_inclusive, hi);
}

absl::Status CheckCount(std::string_view field, int64_t value, int64_t max) {
  if (value >= 0 && value <= max) return absl::OkStatus();
  return Invalid(field, absl::StrCat("must be in [0, ", max, "], got ", value));
}

std::string KeyList(const std::vector<DataRow>& rows) {
  std::string out;
  for (const DataRow& row : rows) absl::StrAppend(&out, out.empty() ? "" : ", ", row.key);
  return out;
}

// "file row 'key': source, year, licence" — enough to audit the number later.
std::string RowSource(std::string_view file, const DataRow& row) {
  return absl::StrCat(AsAbsl(file), " row '", row.key, "': ", row.source, ", ", row.year, ", ",
                      row.licence);
}

// Names in a plan are table keys or labels: a longer one is a client bug, never a key.
constexpr size_t kMaxNameBytes = 256;

absl::Status CheckNames(const TrainingPlan& plan) {
  for (const auto& [field, value] :
       {std::pair<std::string_view, const std::string*>{"plan.name", &plan.name},
        {"plan.accelerator", &plan.accelerator},
        {"plan.cpu", &plan.cpu},
        {"plan.region", &plan.region},
        {"plan.provider", &plan.provider}}) {
    if (value->size() > kMaxNameBytes) {
      return Invalid(field, absl::StrCat(QuoteForMessage(*value), " is ", value->size(),
                                         " bytes long; at most ", kMaxNameBytes));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckNumbers(const TrainingPlan& plan) {
  RETURN_IF_ERROR(CheckRange("plan.hours", plan.hours, 0, false, kMaxHours));
  RETURN_IF_ERROR(CheckCount("plan.accelerator_count", plan.accelerator_count, kMaxDeviceCount));
  RETURN_IF_ERROR(CheckCount("plan.cpu_cores", plan.cpu_cores, kMaxDeviceCount));
  RETURN_IF_ERROR(CheckRange("plan.memory_gb", plan.memory_gb, 0, true, kMaxMemoryGb));
  RETURN_IF_ERROR(
      CheckOptionalRange("plan.accelerator_utilization", plan.accelerator_utilization, 0, true, 1));
  RETURN_IF_ERROR(CheckOptionalRange("plan.cpu_utilization", plan.cpu_utilization, 0, true, 1));
  RETURN_IF_ERROR(CheckOptionalRange("plan.pue", plan.pue, kMinPue, true, kMaxPue));
  RETURN_IF_ERROR(CheckOptionalRange("plan.carbon_intensity_g_per_kwh",
                                     plan.carbon_intensity_g_per_kwh, 0, true,
                                     kMaxCarbonIntensityGPerKwh));
  RETURN_IF_ERROR(CheckOptionalRange("plan.accelerator_power_w", plan.accelerator_power_w, 0, false,
                                     kMaxPowerW));
  RETURN_IF_ERROR(CheckOptionalRange("plan.cpu_power_per_core_w", plan.cpu_power_per_core_w, 0,
                                     false, kMaxPowerW));
  RETURN_IF_ERROR(CheckOptionalRange("plan.recovery_ratio", plan.recovery_ratio, 0, false, 1));
  if (plan.training_rows < 0) {
    return Invalid("plan.training_rows", absl::StrCat("must be >= 0, got ", plan.training_rows));
  }
  if (plan.accelerator_count == 0 && plan.cpu_cores == 0 && plan.memory_gb == 0) {
    return Invalid("plan.accelerator_count, plan.cpu_cores, plan.memory_gb",
                   "no hardware in the plan; at least one must be > 0");
  }
  // A named device with no count would silently cost nothing: almost surely a client bug.
  if (!plan.accelerator.empty() && plan.accelerator_count == 0) {
    return Invalid("plan.accelerator_count", absl::StrCat("must be > 0 when plan.accelerator is ",
                                                          QuoteForMessage(plan.accelerator)));
  }
  if (!plan.cpu.empty() && plan.cpu_cores == 0) {
    return Invalid("plan.cpu_cores",
                   absl::StrCat("must be > 0 when plan.cpu is ", QuoteForMessage(plan.cpu)));
  }
  return absl::OkStatus();
}

absl::Status CheckKeys(const TrainingPlan& plan, const Tables& tables) {
  if (!plan.accelerator.empty() && !plan.accelerator_power_w.has_value() &&
      !tables.Accelerator(plan.accelerator).has_value()) {
    return Invalid("plan.accelerator",
                   absl::StrCat("unknown accelerator ", QuoteForMessage(plan.accelerator),
                                "; send accelerator_power_w or use one of the keys in "
                                "accelerators.csv (ListEnergyTables): ",
                                KeyList(tables.accelerators())));
  }
  if (!plan.cpu.empty() && !plan.cpu_power_per_core_w.has_value() &&
      !tables.Cpu(plan.cpu).has_value()) {
    return Invalid("plan.cpu", absl::StrCat("unknown cpu ", QuoteForMessage(plan.cpu),
                                            "; send cpu_power_per_core_w or use one of the "
                                            "keys in cpus.csv: ",
                                            KeyList(tables.cpus())));
  }
  if (!plan.provider.empty() && !plan.pue.has_value() && !tables.Pue(plan.provider).has_value()) {
    return Invalid(
        "plan.provider",
        absl::StrCat("unknown provider ", QuoteForMessage(plan.provider),
                     "; send pue or use one of the keys in pue.csv: ", KeyList(tables.pues())));
  }
  if (!plan.region.empty() && !plan.carbon_intensity_g_per_kwh.has_value() &&
      !tables.CarbonIntensity(plan.region).has_value()) {
    return Invalid("plan.region",
                   absl::StrCat("unknown region ", QuoteForMessage(plan.region),
                                "; send carbon_intensity_g_per_kwh or use one of the keys in "
                                "carbon_intensity.csv, listed by ListEnergyTables (ISO 3166 "
                                "alpha-2 country codes such as "
                                "'fr', cloud regions such as 'europe-west9', 'us-east-1' or "
                                "'westeurope', or 'world')"));
  }
  return absl::OkStatus();
}

absl::Status MissingRow(std::string_view file, std::string_view key) {
  return absl::FailedPreconditionError(
      absl::StrCat("energy tables: ", AsAbsl(file), " has no ", QuoteForMessage(key), " row"));
}

// A per-unit power (W per device or per core) and where it came from.
struct UnitPower {
  double power_w = 0;
  std::string source;
};

// Override, else the named row, else the table's `any` row (saying so).
absl::StatusOr<UnitPower> ResolveUnitPower(
    std::string_view file, std::string_view field, const std::string& key,
    const std::optional<double>& override_w,
    std::optional<DataRow> (Tables::*lookup)(std::string_view) const, const Tables& tables) {
  if (override_w.has_value()) {
    return UnitPower{*override_w, absl::StrCat(AsAbsl(kOverride), " (plan.", AsAbsl(field), ")")};
  }
  if (!key.empty()) {
    std::optional<DataRow> row = (tables.*lookup)(key);
    if (!row.has_value()) return MissingRow(file, key);  // ValidatePlan rules this out
    return UnitPower{row->value, RowSource(file, *row)};
  }
  std::optional<DataRow> any = (tables.*lookup)(kAnyKey);
  if (!any.has_value()) return MissingRow(file, kAnyKey);
  return UnitPower{any->value,
                   absl::StrCat("no model named, generic default; ", RowSource(file, *any))};
}

CostComponent Component(std::string_view name, double power_w, double hours, std::string source) {
  CostComponent c;
  c.name = std::string(name);
  c.power_w = power_w;
  c.energy_kwh = hours * power_w / 1000;
  c.source = std::move(source);
  return c;
}

absl::StatusOr<CostComponent> AcceleratorComponent(const TrainingPlan& plan, const Tables& tables) {
  if (plan.accelerator_count == 0) return Component("accelerator", 0, plan.hours, "none in plan");
  ASSIGN_OR_RETURN(UnitPower unit,
                   ResolveUnitPower("accelerators.csv", "accelerator_power_w", plan.accelerator,
                                    plan.accelerator_power_w, &Tables::Accelerator, tables));
  const double utilization = plan.accelerator_utilization.value_or(1.0);
  return Component("accelerator", plan.accelerator_count * unit.power_w * utilization, plan.hours,
                   std::move(unit.source));
}

absl::StatusOr<CostComponent> CpuComponent(const TrainingPlan& plan, const Tables& tables) {
  if (plan.cpu_cores == 0) return Component("cpu", 0, plan.hours, "none in plan");
  ASSIGN_OR_RETURN(UnitPower unit,
                   ResolveUnitPower("cpus.csv", "cpu_power_per_core_w", plan.cpu,
                                    plan.cpu_power_per_core_w, &Tables::Cpu, tables));
  const double utilization = plan.cpu_utilization.value_or(1.0);
  return Component("cpu", plan.cpu_cores * unit.power_w * utilization, plan.hours,
                   std::move(unit.source));
}

CostComponent MemoryComponent(const TrainingPlan& plan) {
  if (plan.memory_gb == 0) return Component("memory", 0, plan.hours, "none in plan");
  return Component("memory", plan.memory_gb * kMemoryPowerWPerGb, plan.hours,
                   std::string(kMemoryPowerSource));
}

struct Factor {
  double value = 0;
  std::string source;
};

absl::StatusOr<Factor> ResolvePue(const TrainingPlan& plan, const Tables& tables) {
  if (plan.pue.has_value()) return Factor{*plan.pue, std::string(kOverride)};
  if (!plan.provider.empty()) {
    std::optional<DataRow> row = tables.Pue(plan.provider);
    if (!row.has_value()) return MissingRow("pue.csv", plan.provider);
    return Factor{row->value, RowSource("pue.csv", *row)};
  }
  std::optional<DataRow> unknown = tables.Pue(kUnknownProvider);
  if (!unknown.has_value()) return MissingRow("pue.csv", kUnknownProvider);
  return Factor{unknown->value, absl::StrCat("no provider given, unknown data centre; ",
                                             RowSource("pue.csv", *unknown))};
}

absl::StatusOr<Factor> ResolveCarbonIntensity(const TrainingPlan& plan, const Tables& tables) {
  if (plan.carbon_intensity_g_per_kwh.has_value()) {
    return Factor{*plan.carbon_intensity_g_per_kwh, std::string(kOverride)};
  }
  if (!plan.region.empty()) {
    std::optional<DataRow> row = tables.CarbonIntensity(plan.region);
    if (!row.has_value()) return MissingRow("carbon_intensity.csv", plan.region);
    return Factor{row->value, RowSource("carbon_intensity.csv", *row)};
  }
  std::optional<DataRow> world = tables.CarbonIntensity(kWorldRegion);
  if (!world.has_value()) return MissingRow("carbon_intensity.csv", kWorldRegion);
  return Factor{world->value, absl::StrCat("no region given: world average fallback; ",
                                           RowSource("carbon_intensity.csv", *world))};
}

}  // namespace

absl::Status ValidatePlan(const TrainingPlan& plan, const Tables& tables) {
  RETURN_IF_ERROR(CheckNames(plan));
  RETURN_IF_ERROR(CheckNumbers(plan));
  return CheckKeys(plan, tables);
}

absl::StatusOr<CostEstimate> EstimateCost(const TrainingPlan& plan, const Tables& tables) {
  RETURN_IF_ERROR(ValidatePlan(plan, tables));
  ASSIGN_OR_RETURN(CostComponent accelerator, AcceleratorComponent(plan, tables));
  ASSIGN_OR_RETURN(CostComponent cpu, CpuComponent(plan, tables));
  CostComponent memory = MemoryComponent(plan);
  ASSIGN_OR_RETURN(Factor pue, ResolvePue(plan, tables));
  ASSIGN_OR_RETURN(Factor carbon, ResolveCarbonIntensity(plan, tables));

  // Green Algorithms: E = hours * (sum of IT power) * PUE / 1000. The facility overhead is
  // reported as its own component so the breakdown sums to the total.
  const double it_power_w = accelerator.power_w + cpu.power_w + memory.power_w;
  const double it_energy_kwh = accelerator.energy_kwh + cpu.energy_kwh + memory.energy_kwh;
  CostEstimate estimate;
  estimate.energy_kwh = it_energy_kwh * pue.value;
  estimate.co2e_kg = estimate.energy_kwh * carbon.value / 1000;
  CostComponent overhead;
  overhead.name = "pue_overhead";
  overhead.power_w = it_power_w * (pue.value - 1);
  overhead.energy_kwh = estimate.energy_kwh - it_energy_kwh;
  overhead.source = absl::StrCat("(PUE - 1) x IT energy; PUE from ", pue.source);
  estimate.breakdown = {std::move(accelerator), std::move(cpu), std::move(memory),
                        std::move(overhead)};
  estimate.method = "green_algorithms";
  estimate.pue = pue.value;
  estimate.pue_source = std::move(pue.source);
  estimate.carbon_intensity_g_per_kwh = carbon.value;
  estimate.carbon_intensity_source = std::move(carbon.source);
  estimate.plan = plan.name;
  estimate.energy_kwh_lower = estimate.energy_kwh;
  estimate.energy_kwh_upper = estimate.energy_kwh;
  estimate.green_algorithms_energy_kwh = estimate.energy_kwh;
  estimate.method_detail = "hours x (accelerator + cpu + memory power) x PUE";
  return estimate;
}

}  // namespace greengate::energy
