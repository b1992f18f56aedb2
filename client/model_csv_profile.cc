#include "client/model_csv_profile.h"

#include "client/names.h"
#include "server/common/status_macros.h"
#include "server/mapping/profile_mapping.h"

namespace greengate::client {

absl::StatusOr<CsvProfile> ProfileCsvOnModel(Connection& connection, const std::string& model,
                                             const std::string& csv,
                                             const CsvProfileOptions& options) {
  v1::GetReferenceRequest request;
  request.set_model(ModelName(model));
  request.set_view(v1::REFERENCE_VIEW_BASIC);  // its edges and kinds; not its samples
  ASSIGN_OR_RETURN(const v1::Reference reference,
                   connection.Call(&v1::RetrainGatekeeper::Stub::GetReference, request));
  ASSIGN_OR_RETURN(const profile::DataProfile reference_profile,
                   mapping::ProfileFromProto(reference.profile(), "reference.profile"));
  return ProfileCurrentCsv(csv, reference_profile, options);
}

}  // namespace greengate::client
