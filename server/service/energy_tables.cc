// Gatekeeper::ListEnergyTables: the shipped tables a TrainingPlan's names are looked up in.

#include "server/mapping/energy_tables_mapping.h"
#include "server/service/gatekeeper.h"

namespace greengate::service {

grpc::Status Gatekeeper::ListEnergyTables(grpc::ServerContext* context,
                                          const v1::ListEnergyTablesRequest*,
                                          v1::EnergyTables* out) {
  if (grpc::Status s = Admit(context, "ListEnergyTables"); !s.ok()) return s;
  *out = mapping::EnergyTablesToProto(*tables_);
  return grpc::Status::OK;
}

}  // namespace greengate::service
