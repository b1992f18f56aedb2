#pragma once

// The shipped energy tables as the API lists them (ListEnergyTables).

#include "greengate/v1/greengate.pb.h"
#include "server/core/energy/tables.h"

namespace greengate::mapping {

// Every row of `tables`, in the tables' order. Thread-safe.
v1::EnergyTables EnergyTablesToProto(const energy::Tables& tables);

}  // namespace greengate::mapping
