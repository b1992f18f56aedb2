#include "server/mapping/energy_tables_mapping.h"

namespace greengate::mapping {
namespace {

void AddRows(const std::vector<energy::DataRow>& rows,
             google::protobuf::RepeatedPtrField<v1::EnergyTableRow>* out) {
  out->Reserve(static_cast<int>(rows.size()));
  for (const energy::DataRow& row : rows) {
    v1::EnergyTableRow* r = out->Add();
    r->set_key(row.key);
    r->set_label(row.label);
    r->set_value(row.value);
    r->set_source(row.source);
    r->set_year(row.year);
    r->set_licence(row.licence);
  }
}

}  // namespace

v1::EnergyTables EnergyTablesToProto(const energy::Tables& tables) {
  v1::EnergyTables out;
  AddRows(tables.accelerators(), out.mutable_accelerators());
  AddRows(tables.cpus(), out.mutable_cpus());
  AddRows(tables.pues(), out.mutable_providers());
  AddRows(tables.carbon_intensities(), out.mutable_regions());
  return out;
}

}  // namespace greengate::mapping
