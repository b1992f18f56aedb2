from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

APPROVE: Verdict
BENJAMINI_HOCHBERG: Correction
BONFERRONI: Correction
CORRECTION_UNSPECIFIED: Correction
DEFER: Verdict
DESCRIPTOR: _descriptor.FileDescriptor
NO_CORRECTION: Correction
REFERENCE_VIEW_BASIC: ReferenceView
REFERENCE_VIEW_FULL: ReferenceView
REFERENCE_VIEW_UNSPECIFIED: ReferenceView
REJECT: Verdict
VERDICT_UNSPECIFIED: Verdict

class AuditLogVerification(_message.Message):
    __slots__ = ["checked_rows", "detail", "head_hash", "head_seq", "intact", "legacy_rows", "problem", "problem_seq"]
    class Problem(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = []
    ALTERED: AuditLogVerification.Problem
    CHECKED_ROWS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    HEAD_HASH_FIELD_NUMBER: _ClassVar[int]
    HEAD_SEQ_FIELD_NUMBER: _ClassVar[int]
    INTACT_FIELD_NUMBER: _ClassVar[int]
    LEGACY_ROWS_FIELD_NUMBER: _ClassVar[int]
    MISSING: AuditLogVerification.Problem
    PROBLEM_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_SEQ_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_UNSPECIFIED: AuditLogVerification.Problem
    checked_rows: int
    detail: str
    head_hash: str
    head_seq: int
    intact: bool
    legacy_rows: int
    problem: AuditLogVerification.Problem
    problem_seq: int
    def __init__(self, intact: bool = ..., checked_rows: _Optional[int] = ..., legacy_rows: _Optional[int] = ..., head_seq: _Optional[int] = ..., head_hash: _Optional[str] = ..., problem: _Optional[_Union[AuditLogVerification.Problem, str]] = ..., problem_seq: _Optional[int] = ..., detail: _Optional[str] = ...) -> None: ...

class CarbonForecastPoint(_message.Message):
    __slots__ = ["carbon_intensity_g_per_kwh", "time"]
    CARBON_INTENSITY_G_PER_KWH_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    carbon_intensity_g_per_kwh: float
    time: _timestamp_pb2.Timestamp
    def __init__(self, time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., carbon_intensity_g_per_kwh: _Optional[float] = ...) -> None: ...

class CategoricalProfile(_message.Message):
    __slots__ = ["counts", "other", "reference_aligned", "unseen"]
    class CountsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    OTHER_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ALIGNED_FIELD_NUMBER: _ClassVar[int]
    UNSEEN_FIELD_NUMBER: _ClassVar[int]
    counts: _containers.ScalarMap[str, int]
    other: int
    reference_aligned: bool
    unseen: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, counts: _Optional[_Mapping[str, int]] = ..., other: _Optional[int] = ..., reference_aligned: bool = ..., unseen: _Optional[_Iterable[str]] = ...) -> None: ...

class Challenger(_message.Message):
    __slots__ = ["deployed_correct", "deployed_only_correct", "description", "energy_kwh", "proxy_correct", "proxy_only_correct", "rows"]
    DEPLOYED_CORRECT_FIELD_NUMBER: _ClassVar[int]
    DEPLOYED_ONLY_CORRECT_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    PROXY_CORRECT_FIELD_NUMBER: _ClassVar[int]
    PROXY_ONLY_CORRECT_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    deployed_correct: int
    deployed_only_correct: int
    description: str
    energy_kwh: float
    proxy_correct: int
    proxy_only_correct: int
    rows: int
    def __init__(self, rows: _Optional[int] = ..., proxy_correct: _Optional[int] = ..., deployed_correct: _Optional[int] = ..., proxy_only_correct: _Optional[int] = ..., deployed_only_correct: _Optional[int] = ..., energy_kwh: _Optional[float] = ..., description: _Optional[str] = ...) -> None: ...

class CostComponent(_message.Message):
    __slots__ = ["energy_kwh", "name", "power_w", "source"]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POWER_W_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    energy_kwh: float
    name: str
    power_w: float
    source: str
    def __init__(self, name: _Optional[str] = ..., energy_kwh: _Optional[float] = ..., power_w: _Optional[float] = ..., source: _Optional[str] = ...) -> None: ...

class CostEstimate(_message.Message):
    __slots__ = ["breakdown", "carbon_intensity_g_per_kwh", "carbon_intensity_source", "co2e_kg", "energy_kwh", "energy_kwh_lower", "energy_kwh_upper", "green_algorithms_energy_kwh", "method", "method_detail", "outcomes_used", "plan", "pue", "pue_source"]
    BREAKDOWN_FIELD_NUMBER: _ClassVar[int]
    CARBON_INTENSITY_G_PER_KWH_FIELD_NUMBER: _ClassVar[int]
    CARBON_INTENSITY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    CO2E_KG_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_LOWER_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_UPPER_FIELD_NUMBER: _ClassVar[int]
    GREEN_ALGORITHMS_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    METHOD_DETAIL_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_USED_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    PUE_FIELD_NUMBER: _ClassVar[int]
    PUE_SOURCE_FIELD_NUMBER: _ClassVar[int]
    breakdown: _containers.RepeatedCompositeFieldContainer[CostComponent]
    carbon_intensity_g_per_kwh: float
    carbon_intensity_source: str
    co2e_kg: float
    energy_kwh: float
    energy_kwh_lower: float
    energy_kwh_upper: float
    green_algorithms_energy_kwh: float
    method: str
    method_detail: str
    outcomes_used: int
    plan: str
    pue: float
    pue_source: str
    def __init__(self, energy_kwh: _Optional[float] = ..., co2e_kg: _Optional[float] = ..., breakdown: _Optional[_Iterable[_Union[CostComponent, _Mapping]]] = ..., method: _Optional[str] = ..., pue: _Optional[float] = ..., pue_source: _Optional[str] = ..., carbon_intensity_g_per_kwh: _Optional[float] = ..., carbon_intensity_source: _Optional[str] = ..., plan: _Optional[str] = ..., energy_kwh_lower: _Optional[float] = ..., energy_kwh_upper: _Optional[float] = ..., outcomes_used: _Optional[int] = ..., green_algorithms_energy_kwh: _Optional[float] = ..., method_detail: _Optional[str] = ...) -> None: ...

class DataProfile(_message.Message):
    __slots__ = ["feature_importance", "features", "joint", "options", "rows"]
    class FeatureImportanceEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    FEATURE_IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    JOINT_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    feature_importance: _containers.ScalarMap[str, float]
    features: _containers.RepeatedCompositeFieldContainer[FeatureProfile]
    joint: MultivariateSample
    options: ProfileOptions
    rows: int
    def __init__(self, features: _Optional[_Iterable[_Union[FeatureProfile, _Mapping]]] = ..., rows: _Optional[int] = ..., feature_importance: _Optional[_Mapping[str, float]] = ..., joint: _Optional[_Union[MultivariateSample, _Mapping]] = ..., options: _Optional[_Union[ProfileOptions, _Mapping]] = ...) -> None: ...

class Decision(_message.Message):
    __slots__ = ["accuracy_floor_override", "alternative_gains", "alternatives", "caller", "caller_certificate", "caller_role", "checks", "co2e_saved_kg", "cost", "create_time", "decided_by", "drift", "gain", "idempotency_key", "model", "model_version", "name", "outcome", "plan_choice", "policy_version", "reason", "retry_after", "suggested_start", "verdict"]
    ACCURACY_FLOOR_OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVES_FIELD_NUMBER: _ClassVar[int]
    ALTERNATIVE_GAINS_FIELD_NUMBER: _ClassVar[int]
    CALLER_CERTIFICATE_FIELD_NUMBER: _ClassVar[int]
    CALLER_FIELD_NUMBER: _ClassVar[int]
    CALLER_ROLE_FIELD_NUMBER: _ClassVar[int]
    CHECKS_FIELD_NUMBER: _ClassVar[int]
    CO2E_SAVED_KG_FIELD_NUMBER: _ClassVar[int]
    COST_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECIDED_BY_FIELD_NUMBER: _ClassVar[int]
    DRIFT_FIELD_NUMBER: _ClassVar[int]
    GAIN_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    PLAN_CHOICE_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_FIELD_NUMBER: _ClassVar[int]
    SUGGESTED_START_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    accuracy_floor_override: bool
    alternative_gains: _containers.RepeatedCompositeFieldContainer[GainEstimate]
    alternatives: _containers.RepeatedCompositeFieldContainer[CostEstimate]
    caller: str
    caller_certificate: str
    caller_role: str
    checks: _containers.RepeatedCompositeFieldContainer[PolicyCheck]
    co2e_saved_kg: float
    cost: CostEstimate
    create_time: _timestamp_pb2.Timestamp
    decided_by: str
    drift: DriftSummary
    gain: GainEstimate
    idempotency_key: str
    model: str
    model_version: str
    name: str
    outcome: Outcome
    plan_choice: str
    policy_version: int
    reason: str
    retry_after: _timestamp_pb2.Timestamp
    suggested_start: _timestamp_pb2.Timestamp
    verdict: Verdict
    def __init__(self, name: _Optional[str] = ..., model: _Optional[str] = ..., model_version: _Optional[str] = ..., verdict: _Optional[_Union[Verdict, str]] = ..., reason: _Optional[str] = ..., decided_by: _Optional[str] = ..., checks: _Optional[_Iterable[_Union[PolicyCheck, _Mapping]]] = ..., drift: _Optional[_Union[DriftSummary, _Mapping]] = ..., gain: _Optional[_Union[GainEstimate, _Mapping]] = ..., cost: _Optional[_Union[CostEstimate, _Mapping]] = ..., policy_version: _Optional[int] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., accuracy_floor_override: bool = ..., retry_after: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., outcome: _Optional[_Union[Outcome, _Mapping]] = ..., alternatives: _Optional[_Iterable[_Union[CostEstimate, _Mapping]]] = ..., plan_choice: _Optional[str] = ..., suggested_start: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., co2e_saved_kg: _Optional[float] = ..., alternative_gains: _Optional[_Iterable[_Union[GainEstimate, _Mapping]]] = ..., caller: _Optional[str] = ..., caller_role: _Optional[str] = ..., caller_certificate: _Optional[str] = ...) -> None: ...

class DriftSummary(_message.Message):
    __slots__ = ["correction", "dataset_drift", "drifted_features", "drifted_share", "features", "importance_weighted", "missing_rate_drifted_features", "multivariate", "share_threshold"]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    DATASET_DRIFT_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_SHARE_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    IMPORTANCE_WEIGHTED_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATE_DRIFTED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    MULTIVARIATE_FIELD_NUMBER: _ClassVar[int]
    SHARE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    correction: Correction
    dataset_drift: bool
    drifted_features: int
    drifted_share: float
    features: _containers.RepeatedCompositeFieldContainer[FeatureDrift]
    importance_weighted: bool
    missing_rate_drifted_features: int
    multivariate: MultivariateDrift
    share_threshold: float
    def __init__(self, features: _Optional[_Iterable[_Union[FeatureDrift, _Mapping]]] = ..., drifted_features: _Optional[int] = ..., drifted_share: _Optional[float] = ..., share_threshold: _Optional[float] = ..., dataset_drift: bool = ..., correction: _Optional[_Union[Correction, str]] = ..., importance_weighted: bool = ..., missing_rate_drifted_features: _Optional[int] = ..., multivariate: _Optional[_Union[MultivariateDrift, _Mapping]] = ...) -> None: ...

class EnergyTableRow(_message.Message):
    __slots__ = ["key", "label", "licence", "source", "value", "year"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    LABEL_FIELD_NUMBER: _ClassVar[int]
    LICENCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    YEAR_FIELD_NUMBER: _ClassVar[int]
    key: str
    label: str
    licence: str
    source: str
    value: float
    year: int
    def __init__(self, key: _Optional[str] = ..., label: _Optional[str] = ..., value: _Optional[float] = ..., source: _Optional[str] = ..., year: _Optional[int] = ..., licence: _Optional[str] = ...) -> None: ...

class EnergyTables(_message.Message):
    __slots__ = ["accelerators", "cpus", "providers", "regions"]
    ACCELERATORS_FIELD_NUMBER: _ClassVar[int]
    CPUS_FIELD_NUMBER: _ClassVar[int]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    REGIONS_FIELD_NUMBER: _ClassVar[int]
    accelerators: _containers.RepeatedCompositeFieldContainer[EnergyTableRow]
    cpus: _containers.RepeatedCompositeFieldContainer[EnergyTableRow]
    providers: _containers.RepeatedCompositeFieldContainer[EnergyTableRow]
    regions: _containers.RepeatedCompositeFieldContainer[EnergyTableRow]
    def __init__(self, accelerators: _Optional[_Iterable[_Union[EnergyTableRow, _Mapping]]] = ..., cpus: _Optional[_Iterable[_Union[EnergyTableRow, _Mapping]]] = ..., providers: _Optional[_Iterable[_Union[EnergyTableRow, _Mapping]]] = ..., regions: _Optional[_Iterable[_Union[EnergyTableRow, _Mapping]]] = ...) -> None: ...

class FeatureDrift(_message.Message):
    __slots__ = ["adjusted_p_value", "drifted", "feature", "importance", "jensen_shannon", "missing_rate_current", "missing_rate_drifted", "missing_rate_p_value", "missing_rate_reference", "missing_rate_z", "p_value", "psi", "resolution", "statistic", "statistic_lower", "statistic_upper", "test", "threshold", "unseen_categories", "why"]
    ADJUSTED_P_VALUE_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    IMPORTANCE_FIELD_NUMBER: _ClassVar[int]
    JENSEN_SHANNON_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATE_CURRENT_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATE_DRIFTED_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATE_P_VALUE_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATE_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATE_Z_FIELD_NUMBER: _ClassVar[int]
    PSI_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_FIELD_NUMBER: _ClassVar[int]
    RESOLUTION_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_LOWER_FIELD_NUMBER: _ClassVar[int]
    STATISTIC_UPPER_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    UNSEEN_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    WHY_FIELD_NUMBER: _ClassVar[int]
    adjusted_p_value: float
    drifted: bool
    feature: str
    importance: float
    jensen_shannon: float
    missing_rate_current: float
    missing_rate_drifted: bool
    missing_rate_p_value: float
    missing_rate_reference: float
    missing_rate_z: float
    p_value: float
    psi: float
    resolution: str
    statistic: float
    statistic_lower: float
    statistic_upper: float
    test: str
    threshold: float
    unseen_categories: _containers.RepeatedScalarFieldContainer[str]
    why: str
    def __init__(self, feature: _Optional[str] = ..., test: _Optional[str] = ..., statistic: _Optional[float] = ..., p_value: _Optional[float] = ..., adjusted_p_value: _Optional[float] = ..., threshold: _Optional[float] = ..., drifted: bool = ..., why: _Optional[str] = ..., psi: _Optional[float] = ..., jensen_shannon: _Optional[float] = ..., missing_rate_reference: _Optional[float] = ..., missing_rate_current: _Optional[float] = ..., unseen_categories: _Optional[_Iterable[str]] = ..., missing_rate_z: _Optional[float] = ..., missing_rate_p_value: _Optional[float] = ..., missing_rate_drifted: bool = ..., importance: _Optional[float] = ..., resolution: _Optional[str] = ..., statistic_lower: _Optional[float] = ..., statistic_upper: _Optional[float] = ...) -> None: ...

class FeatureDriftCount(_message.Message):
    __slots__ = ["drifted_decisions", "feature"]
    DRIFTED_DECISIONS_FIELD_NUMBER: _ClassVar[int]
    FEATURE_FIELD_NUMBER: _ClassVar[int]
    drifted_decisions: int
    feature: str
    def __init__(self, feature: _Optional[str] = ..., drifted_decisions: _Optional[int] = ...) -> None: ...

class FeatureProfile(_message.Message):
    __slots__ = ["categorical", "count", "missing", "name", "numeric"]
    CATEGORICAL_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    MISSING_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NUMERIC_FIELD_NUMBER: _ClassVar[int]
    categorical: CategoricalProfile
    count: int
    missing: int
    name: str
    numeric: NumericProfile
    def __init__(self, name: _Optional[str] = ..., count: _Optional[int] = ..., missing: _Optional[int] = ..., numeric: _Optional[_Union[NumericProfile, _Mapping]] = ..., categorical: _Optional[_Union[CategoricalProfile, _Mapping]] = ...) -> None: ...

class GainComparison(_message.Message):
    __slots__ = ["decision_seq", "expected_gain", "model", "realised_gain"]
    DECISION_SEQ_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GAIN_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    REALISED_GAIN_FIELD_NUMBER: _ClassVar[int]
    decision_seq: int
    expected_gain: float
    model: str
    realised_gain: float
    def __init__(self, model: _Optional[str] = ..., decision_seq: _Optional[int] = ..., expected_gain: _Optional[float] = ..., realised_gain: _Optional[float] = ...) -> None: ...

class GainEstimate(_message.Message):
    __slots__ = ["attainable_accuracy", "attainable_versions", "challenger_description", "challenger_energy_kwh", "considered", "current_accuracy", "current_accuracy_lower", "current_accuracy_upper", "degradation", "evidence", "expected", "lower_bound", "method", "outcomes_used", "proxy_gain", "proxy_gain_lower", "proxy_scale", "recovery_ratio", "recovery_ratio_source", "reference_accuracy", "standard_error", "upper_bound"]
    ATTAINABLE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    ATTAINABLE_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    CHALLENGER_DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CHALLENGER_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    CONSIDERED_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ACCURACY_LOWER_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ACCURACY_UPPER_FIELD_NUMBER: _ClassVar[int]
    DEGRADATION_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_FIELD_NUMBER: _ClassVar[int]
    LOWER_BOUND_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_USED_FIELD_NUMBER: _ClassVar[int]
    PROXY_GAIN_FIELD_NUMBER: _ClassVar[int]
    PROXY_GAIN_LOWER_FIELD_NUMBER: _ClassVar[int]
    PROXY_SCALE_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_RATIO_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_RATIO_SOURCE_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    STANDARD_ERROR_FIELD_NUMBER: _ClassVar[int]
    UPPER_BOUND_FIELD_NUMBER: _ClassVar[int]
    attainable_accuracy: float
    attainable_versions: int
    challenger_description: str
    challenger_energy_kwh: float
    considered: str
    current_accuracy: float
    current_accuracy_lower: float
    current_accuracy_upper: float
    degradation: float
    evidence: str
    expected: float
    lower_bound: float
    method: str
    outcomes_used: int
    proxy_gain: float
    proxy_gain_lower: float
    proxy_scale: float
    recovery_ratio: float
    recovery_ratio_source: str
    reference_accuracy: float
    standard_error: float
    upper_bound: float
    def __init__(self, expected: _Optional[float] = ..., lower_bound: _Optional[float] = ..., upper_bound: _Optional[float] = ..., standard_error: _Optional[float] = ..., method: _Optional[str] = ..., reference_accuracy: _Optional[float] = ..., current_accuracy: _Optional[float] = ..., degradation: _Optional[float] = ..., recovery_ratio: _Optional[float] = ..., evidence: _Optional[str] = ..., current_accuracy_lower: _Optional[float] = ..., current_accuracy_upper: _Optional[float] = ..., outcomes_used: _Optional[int] = ..., recovery_ratio_source: _Optional[str] = ..., proxy_gain: _Optional[float] = ..., proxy_gain_lower: _Optional[float] = ..., proxy_scale: _Optional[float] = ..., attainable_accuracy: _Optional[float] = ..., attainable_versions: _Optional[int] = ..., considered: _Optional[str] = ..., challenger_energy_kwh: _Optional[float] = ..., challenger_description: _Optional[str] = ...) -> None: ...

class GetDecisionRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetGovernanceReportRequest(_message.Message):
    __slots__ = ["end_time", "model", "start_time"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    model: str
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., model: _Optional[str] = ...) -> None: ...

class GetModelRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class GetPolicyRequest(_message.Message):
    __slots__ = ["model"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: str
    def __init__(self, model: _Optional[str] = ...) -> None: ...

class GetReferenceRequest(_message.Message):
    __slots__ = ["model", "view"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VIEW_FIELD_NUMBER: _ClassVar[int]
    model: str
    view: ReferenceView
    def __init__(self, model: _Optional[str] = ..., view: _Optional[_Union[ReferenceView, str]] = ...) -> None: ...

class GovernanceReport(_message.Message):
    __slots__ = ["audit", "end_time", "generate_time", "models", "notes", "overall", "start_time"]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    GENERATE_TIME_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    OVERALL_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    audit: AuditLogVerification
    end_time: _timestamp_pb2.Timestamp
    generate_time: _timestamp_pb2.Timestamp
    models: _containers.RepeatedCompositeFieldContainer[GovernanceSummary]
    notes: _containers.RepeatedScalarFieldContainer[str]
    overall: GovernanceSummary
    start_time: _timestamp_pb2.Timestamp
    def __init__(self, start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., generate_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., overall: _Optional[_Union[GovernanceSummary, _Mapping]] = ..., models: _Optional[_Iterable[_Union[GovernanceSummary, _Mapping]]] = ..., notes: _Optional[_Iterable[str]] = ..., audit: _Optional[_Union[AuditLogVerification, _Mapping]] = ...) -> None: ...

class GovernanceSummary(_message.Message):
    __slots__ = ["accuracy_floor_overrides", "approved_co2e_kg", "approved_energy_kwh", "avoided_co2e_kg", "avoided_energy_kwh", "avoided_jobs", "budget_used_co2e_kg", "budget_used_kwh", "budget_used_share", "budget_window_s", "carbon_budget_kg", "carbon_budget_used_share", "decisions", "deferrals_later_approved", "deferrals_pending", "energy_budget_kwh", "estimated_energy_kwh", "gains", "mean_expected_gain", "mean_realised_gain", "measured_co2e_kg", "measured_energy_kwh", "model", "most_drifted_features", "outcomes", "outcomes_with_gain", "versions", "weeks"]
    ACCURACY_FLOOR_OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    APPROVED_CO2E_KG_FIELD_NUMBER: _ClassVar[int]
    APPROVED_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    AVOIDED_CO2E_KG_FIELD_NUMBER: _ClassVar[int]
    AVOIDED_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    AVOIDED_JOBS_FIELD_NUMBER: _ClassVar[int]
    BUDGET_USED_CO2E_KG_FIELD_NUMBER: _ClassVar[int]
    BUDGET_USED_KWH_FIELD_NUMBER: _ClassVar[int]
    BUDGET_USED_SHARE_FIELD_NUMBER: _ClassVar[int]
    BUDGET_WINDOW_S_FIELD_NUMBER: _ClassVar[int]
    CARBON_BUDGET_KG_FIELD_NUMBER: _ClassVar[int]
    CARBON_BUDGET_USED_SHARE_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    DEFERRALS_LATER_APPROVED_FIELD_NUMBER: _ClassVar[int]
    DEFERRALS_PENDING_FIELD_NUMBER: _ClassVar[int]
    ENERGY_BUDGET_KWH_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    GAINS_FIELD_NUMBER: _ClassVar[int]
    MEAN_EXPECTED_GAIN_FIELD_NUMBER: _ClassVar[int]
    MEAN_REALISED_GAIN_FIELD_NUMBER: _ClassVar[int]
    MEASURED_CO2E_KG_FIELD_NUMBER: _ClassVar[int]
    MEASURED_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MOST_DRIFTED_FEATURES_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_FIELD_NUMBER: _ClassVar[int]
    OUTCOMES_WITH_GAIN_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    WEEKS_FIELD_NUMBER: _ClassVar[int]
    accuracy_floor_overrides: int
    approved_co2e_kg: float
    approved_energy_kwh: float
    avoided_co2e_kg: float
    avoided_energy_kwh: float
    avoided_jobs: int
    budget_used_co2e_kg: float
    budget_used_kwh: float
    budget_used_share: float
    budget_window_s: int
    carbon_budget_kg: float
    carbon_budget_used_share: float
    decisions: VerdictCounts
    deferrals_later_approved: int
    deferrals_pending: int
    energy_budget_kwh: float
    estimated_energy_kwh: float
    gains: _containers.RepeatedCompositeFieldContainer[GainComparison]
    mean_expected_gain: float
    mean_realised_gain: float
    measured_co2e_kg: float
    measured_energy_kwh: float
    model: str
    most_drifted_features: _containers.RepeatedCompositeFieldContainer[FeatureDriftCount]
    outcomes: int
    outcomes_with_gain: int
    versions: _containers.RepeatedCompositeFieldContainer[VersionLife]
    weeks: _containers.RepeatedCompositeFieldContainer[WeeklyEnergy]
    def __init__(self, model: _Optional[str] = ..., decisions: _Optional[_Union[VerdictCounts, _Mapping]] = ..., approved_energy_kwh: _Optional[float] = ..., approved_co2e_kg: _Optional[float] = ..., avoided_energy_kwh: _Optional[float] = ..., avoided_co2e_kg: _Optional[float] = ..., avoided_jobs: _Optional[int] = ..., deferrals_later_approved: _Optional[int] = ..., deferrals_pending: _Optional[int] = ..., accuracy_floor_overrides: _Optional[int] = ..., outcomes: _Optional[int] = ..., measured_energy_kwh: _Optional[float] = ..., estimated_energy_kwh: _Optional[float] = ..., measured_co2e_kg: _Optional[float] = ..., outcomes_with_gain: _Optional[int] = ..., mean_expected_gain: _Optional[float] = ..., mean_realised_gain: _Optional[float] = ..., gains: _Optional[_Iterable[_Union[GainComparison, _Mapping]]] = ..., energy_budget_kwh: _Optional[float] = ..., budget_window_s: _Optional[int] = ..., budget_used_kwh: _Optional[float] = ..., budget_used_share: _Optional[float] = ..., most_drifted_features: _Optional[_Iterable[_Union[FeatureDriftCount, _Mapping]]] = ..., weeks: _Optional[_Iterable[_Union[WeeklyEnergy, _Mapping]]] = ..., carbon_budget_kg: _Optional[float] = ..., budget_used_co2e_kg: _Optional[float] = ..., carbon_budget_used_share: _Optional[float] = ..., versions: _Optional[_Iterable[_Union[VersionLife, _Mapping]]] = ...) -> None: ...

class LabeledWindow(_message.Message):
    __slots__ = ["correct", "rows"]
    CORRECT_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    correct: int
    rows: int
    def __init__(self, rows: _Optional[int] = ..., correct: _Optional[int] = ...) -> None: ...

class ListDecisionsRequest(_message.Message):
    __slots__ = ["end_time", "model", "page_size", "page_token", "start_time", "verdict"]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    end_time: _timestamp_pb2.Timestamp
    model: str
    page_size: int
    page_token: str
    start_time: _timestamp_pb2.Timestamp
    verdict: Verdict
    def __init__(self, model: _Optional[str] = ..., verdict: _Optional[_Union[Verdict, str]] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ..., start_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListDecisionsResponse(_message.Message):
    __slots__ = ["decisions", "next_page_token"]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    decisions: _containers.RepeatedCompositeFieldContainer[Decision]
    next_page_token: str
    def __init__(self, decisions: _Optional[_Iterable[_Union[Decision, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListEnergyTablesRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ["models"]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[Model]
    def __init__(self, models: _Optional[_Iterable[_Union[Model, _Mapping]]] = ...) -> None: ...

class Model(_message.Message):
    __slots__ = ["create_time", "deployed_version", "display_name", "has_reference", "name", "policy_version", "task", "update_time"]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DEPLOYED_VERSION_FIELD_NUMBER: _ClassVar[int]
    DISPLAY_NAME_FIELD_NUMBER: _ClassVar[int]
    HAS_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    create_time: _timestamp_pb2.Timestamp
    deployed_version: str
    display_name: str
    has_reference: bool
    name: str
    policy_version: int
    task: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, name: _Optional[str] = ..., display_name: _Optional[str] = ..., deployed_version: _Optional[str] = ..., task: _Optional[str] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., has_reference: bool = ..., policy_version: _Optional[int] = ...) -> None: ...

class MultivariateDrift(_message.Message):
    __slots__ = ["current_rows", "drifted", "features", "mmd2", "mmd_drifted", "mmd_p_value", "mmd_sigma", "pca_components", "pca_drifted", "pca_error", "pca_lower", "pca_upper", "permutations", "reference_rows", "why"]
    CURRENT_ROWS_FIELD_NUMBER: _ClassVar[int]
    DRIFTED_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    MMD2_FIELD_NUMBER: _ClassVar[int]
    MMD_DRIFTED_FIELD_NUMBER: _ClassVar[int]
    MMD_P_VALUE_FIELD_NUMBER: _ClassVar[int]
    MMD_SIGMA_FIELD_NUMBER: _ClassVar[int]
    PCA_COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    PCA_DRIFTED_FIELD_NUMBER: _ClassVar[int]
    PCA_ERROR_FIELD_NUMBER: _ClassVar[int]
    PCA_LOWER_FIELD_NUMBER: _ClassVar[int]
    PCA_UPPER_FIELD_NUMBER: _ClassVar[int]
    PERMUTATIONS_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ROWS_FIELD_NUMBER: _ClassVar[int]
    WHY_FIELD_NUMBER: _ClassVar[int]
    current_rows: int
    drifted: bool
    features: _containers.RepeatedScalarFieldContainer[str]
    mmd2: float
    mmd_drifted: bool
    mmd_p_value: float
    mmd_sigma: float
    pca_components: int
    pca_drifted: bool
    pca_error: float
    pca_lower: float
    pca_upper: float
    permutations: int
    reference_rows: int
    why: str
    def __init__(self, features: _Optional[_Iterable[str]] = ..., reference_rows: _Optional[int] = ..., current_rows: _Optional[int] = ..., mmd2: _Optional[float] = ..., mmd_sigma: _Optional[float] = ..., mmd_p_value: _Optional[float] = ..., permutations: _Optional[int] = ..., mmd_drifted: bool = ..., pca_error: _Optional[float] = ..., pca_lower: _Optional[float] = ..., pca_upper: _Optional[float] = ..., pca_components: _Optional[int] = ..., pca_drifted: bool = ..., drifted: bool = ..., why: _Optional[str] = ...) -> None: ...

class MultivariateSample(_message.Message):
    __slots__ = ["features", "rows", "seen", "values"]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    SEEN_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    features: _containers.RepeatedScalarFieldContainer[str]
    rows: int
    seen: int
    values: _containers.RepeatedScalarFieldContainer[float]
    def __init__(self, features: _Optional[_Iterable[str]] = ..., rows: _Optional[int] = ..., values: _Optional[_Iterable[float]] = ..., seen: _Optional[int] = ...) -> None: ...

class NumericProfile(_message.Message):
    __slots__ = ["bin_counts", "bin_edges", "edge_counts", "high_bin_sum", "low_bin_sum", "m2", "max", "mean", "min", "sample", "sample_seen"]
    BIN_COUNTS_FIELD_NUMBER: _ClassVar[int]
    BIN_EDGES_FIELD_NUMBER: _ClassVar[int]
    EDGE_COUNTS_FIELD_NUMBER: _ClassVar[int]
    HIGH_BIN_SUM_FIELD_NUMBER: _ClassVar[int]
    LOW_BIN_SUM_FIELD_NUMBER: _ClassVar[int]
    M2_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    MIN_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SEEN_FIELD_NUMBER: _ClassVar[int]
    bin_counts: _containers.RepeatedScalarFieldContainer[float]
    bin_edges: _containers.RepeatedScalarFieldContainer[float]
    edge_counts: _containers.RepeatedScalarFieldContainer[int]
    high_bin_sum: float
    low_bin_sum: float
    m2: float
    max: float
    mean: float
    min: float
    sample: _containers.RepeatedScalarFieldContainer[float]
    sample_seen: int
    def __init__(self, bin_edges: _Optional[_Iterable[float]] = ..., bin_counts: _Optional[_Iterable[float]] = ..., min: _Optional[float] = ..., max: _Optional[float] = ..., mean: _Optional[float] = ..., m2: _Optional[float] = ..., sample: _Optional[_Iterable[float]] = ..., sample_seen: _Optional[int] = ..., edge_counts: _Optional[_Iterable[int]] = ..., low_bin_sum: _Optional[float] = ..., high_bin_sum: _Optional[float] = ...) -> None: ...

class Outcome(_message.Message):
    __slots__ = ["accuracy_after", "accuracy_before", "co2e_kg", "create_time", "decision", "duration_s", "energy_kwh", "estimated_energy_kwh", "evaluation_rows", "evaluation_set", "expected_gain", "model_version", "realised_gain", "shadow", "source", "training_rows"]
    ACCURACY_AFTER_FIELD_NUMBER: _ClassVar[int]
    ACCURACY_BEFORE_FIELD_NUMBER: _ClassVar[int]
    CO2E_KG_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ROWS_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_SET_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_GAIN_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REALISED_GAIN_FIELD_NUMBER: _ClassVar[int]
    SHADOW_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    TRAINING_ROWS_FIELD_NUMBER: _ClassVar[int]
    accuracy_after: float
    accuracy_before: float
    co2e_kg: float
    create_time: _timestamp_pb2.Timestamp
    decision: str
    duration_s: float
    energy_kwh: float
    estimated_energy_kwh: float
    evaluation_rows: int
    evaluation_set: str
    expected_gain: float
    model_version: str
    realised_gain: float
    shadow: ShadowScore
    source: str
    training_rows: int
    def __init__(self, decision: _Optional[str] = ..., energy_kwh: _Optional[float] = ..., co2e_kg: _Optional[float] = ..., duration_s: _Optional[float] = ..., source: _Optional[str] = ..., accuracy_before: _Optional[float] = ..., accuracy_after: _Optional[float] = ..., evaluation_set: _Optional[str] = ..., evaluation_rows: _Optional[int] = ..., training_rows: _Optional[int] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., estimated_energy_kwh: _Optional[float] = ..., expected_gain: _Optional[float] = ..., shadow: _Optional[_Union[ShadowScore, _Mapping]] = ..., model_version: _Optional[str] = ..., realised_gain: _Optional[float] = ...) -> None: ...

class Policy(_message.Message):
    __slots__ = ["accuracy_floor", "budget_window_s", "carbon_budget_kg", "carbon_price_per_kg", "confidence", "cooldown_s", "correction", "create_time", "distance_threshold", "drift_share_threshold", "energy_budget_kwh", "energy_price_per_kwh", "feature_tests", "large_sample_rows", "max_deferral_s", "min_deferral_saving", "min_gain", "min_gain_points_per_kwh", "missing_rate_min_difference", "mmd_permutations", "model", "p_value_threshold", "recovery_ratio", "value_per_accuracy_point", "version"]
    class FeatureTestsEntry(_message.Message):
        __slots__ = ["key", "value"]
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    ACCURACY_FLOOR_FIELD_NUMBER: _ClassVar[int]
    BUDGET_WINDOW_S_FIELD_NUMBER: _ClassVar[int]
    CARBON_BUDGET_KG_FIELD_NUMBER: _ClassVar[int]
    CARBON_PRICE_PER_KG_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    COOLDOWN_S_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    DRIFT_SHARE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    ENERGY_BUDGET_KWH_FIELD_NUMBER: _ClassVar[int]
    ENERGY_PRICE_PER_KWH_FIELD_NUMBER: _ClassVar[int]
    FEATURE_TESTS_FIELD_NUMBER: _ClassVar[int]
    LARGE_SAMPLE_ROWS_FIELD_NUMBER: _ClassVar[int]
    MAX_DEFERRAL_S_FIELD_NUMBER: _ClassVar[int]
    MIN_DEFERRAL_SAVING_FIELD_NUMBER: _ClassVar[int]
    MIN_GAIN_FIELD_NUMBER: _ClassVar[int]
    MIN_GAIN_POINTS_PER_KWH_FIELD_NUMBER: _ClassVar[int]
    MISSING_RATE_MIN_DIFFERENCE_FIELD_NUMBER: _ClassVar[int]
    MMD_PERMUTATIONS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    P_VALUE_THRESHOLD_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_RATIO_FIELD_NUMBER: _ClassVar[int]
    VALUE_PER_ACCURACY_POINT_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    accuracy_floor: float
    budget_window_s: int
    carbon_budget_kg: float
    carbon_price_per_kg: float
    confidence: float
    cooldown_s: int
    correction: Correction
    create_time: _timestamp_pb2.Timestamp
    distance_threshold: float
    drift_share_threshold: float
    energy_budget_kwh: float
    energy_price_per_kwh: float
    feature_tests: _containers.ScalarMap[str, str]
    large_sample_rows: int
    max_deferral_s: int
    min_deferral_saving: float
    min_gain: float
    min_gain_points_per_kwh: float
    missing_rate_min_difference: float
    mmd_permutations: int
    model: str
    p_value_threshold: float
    recovery_ratio: float
    value_per_accuracy_point: float
    version: int
    def __init__(self, model: _Optional[str] = ..., version: _Optional[int] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., p_value_threshold: _Optional[float] = ..., distance_threshold: _Optional[float] = ..., drift_share_threshold: _Optional[float] = ..., correction: _Optional[_Union[Correction, str]] = ..., large_sample_rows: _Optional[int] = ..., accuracy_floor: _Optional[float] = ..., min_gain: _Optional[float] = ..., min_gain_points_per_kwh: _Optional[float] = ..., recovery_ratio: _Optional[float] = ..., confidence: _Optional[float] = ..., cooldown_s: _Optional[int] = ..., energy_budget_kwh: _Optional[float] = ..., budget_window_s: _Optional[int] = ..., value_per_accuracy_point: _Optional[float] = ..., energy_price_per_kwh: _Optional[float] = ..., carbon_price_per_kg: _Optional[float] = ..., carbon_budget_kg: _Optional[float] = ..., max_deferral_s: _Optional[int] = ..., min_deferral_saving: _Optional[float] = ..., feature_tests: _Optional[_Mapping[str, str]] = ..., missing_rate_min_difference: _Optional[float] = ..., mmd_permutations: _Optional[int] = ...) -> None: ...

class PolicyCheck(_message.Message):
    __slots__ = ["decisive", "detail", "evaluated", "limit", "name", "observed", "passed"]
    DECISIVE_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    OBSERVED_FIELD_NUMBER: _ClassVar[int]
    PASSED_FIELD_NUMBER: _ClassVar[int]
    decisive: bool
    detail: str
    evaluated: bool
    limit: float
    name: str
    observed: float
    passed: bool
    def __init__(self, name: _Optional[str] = ..., passed: bool = ..., observed: _Optional[float] = ..., limit: _Optional[float] = ..., detail: _Optional[str] = ..., decisive: bool = ..., evaluated: bool = ...) -> None: ...

class ProfileOptions(_message.Message):
    __slots__ = ["bins", "joint_sample_rows", "sample_size", "seed", "top_k", "tracked_categories"]
    BINS_FIELD_NUMBER: _ClassVar[int]
    JOINT_SAMPLE_ROWS_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_SIZE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    TOP_K_FIELD_NUMBER: _ClassVar[int]
    TRACKED_CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    bins: int
    joint_sample_rows: int
    sample_size: int
    seed: int
    top_k: int
    tracked_categories: int
    def __init__(self, top_k: _Optional[int] = ..., tracked_categories: _Optional[int] = ..., sample_size: _Optional[int] = ..., joint_sample_rows: _Optional[int] = ..., seed: _Optional[int] = ..., bins: _Optional[int] = ...) -> None: ...

class Reference(_message.Message):
    __slots__ = ["accuracy", "approved_by", "calibration_detail", "create_time", "evaluation_rows", "model", "model_version", "profile", "scores", "scores_calibrated"]
    ACCURACY_FIELD_NUMBER: _ClassVar[int]
    APPROVED_BY_FIELD_NUMBER: _ClassVar[int]
    CALIBRATION_DETAIL_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ROWS_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    SCORES_CALIBRATED_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    accuracy: float
    approved_by: str
    calibration_detail: str
    create_time: _timestamp_pb2.Timestamp
    evaluation_rows: int
    model: str
    model_version: str
    profile: DataProfile
    scores: NumericProfile
    scores_calibrated: bool
    def __init__(self, model: _Optional[str] = ..., model_version: _Optional[str] = ..., profile: _Optional[_Union[DataProfile, _Mapping]] = ..., accuracy: _Optional[float] = ..., evaluation_rows: _Optional[int] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., scores: _Optional[_Union[NumericProfile, _Mapping]] = ..., scores_calibrated: bool = ..., calibration_detail: _Optional[str] = ..., approved_by: _Optional[str] = ...) -> None: ...

class RegisterModelRequest(_message.Message):
    __slots__ = ["model", "model_id"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    model: Model
    model_id: str
    def __init__(self, model_id: _Optional[str] = ..., model: _Optional[_Union[Model, _Mapping]] = ...) -> None: ...

class ReportOutcomeRequest(_message.Message):
    __slots__ = ["outcome"]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    outcome: Outcome
    def __init__(self, outcome: _Optional[_Union[Outcome, _Mapping]] = ...) -> None: ...

class SetPolicyRequest(_message.Message):
    __slots__ = ["policy"]
    POLICY_FIELD_NUMBER: _ClassVar[int]
    policy: Policy
    def __init__(self, policy: _Optional[_Union[Policy, _Mapping]] = ...) -> None: ...

class SetReferenceRequest(_message.Message):
    __slots__ = ["reference"]
    REFERENCE_FIELD_NUMBER: _ClassVar[int]
    reference: Reference
    def __init__(self, reference: _Optional[_Union[Reference, _Mapping]] = ...) -> None: ...

class ShadowScore(_message.Message):
    __slots__ = ["correct_after", "correct_before", "rows"]
    CORRECT_AFTER_FIELD_NUMBER: _ClassVar[int]
    CORRECT_BEFORE_FIELD_NUMBER: _ClassVar[int]
    ROWS_FIELD_NUMBER: _ClassVar[int]
    correct_after: int
    correct_before: int
    rows: int
    def __init__(self, rows: _Optional[int] = ..., correct_before: _Optional[int] = ..., correct_after: _Optional[int] = ...) -> None: ...

class ShouldRetrainRequest(_message.Message):
    __slots__ = ["challenger", "current", "forecast", "idempotency_key", "labeled", "model", "plan", "plans", "scores"]
    CHALLENGER_FIELD_NUMBER: _ClassVar[int]
    CURRENT_FIELD_NUMBER: _ClassVar[int]
    FORECAST_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    LABELED_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    PLANS_FIELD_NUMBER: _ClassVar[int]
    PLAN_FIELD_NUMBER: _ClassVar[int]
    SCORES_FIELD_NUMBER: _ClassVar[int]
    challenger: Challenger
    current: DataProfile
    forecast: _containers.RepeatedCompositeFieldContainer[CarbonForecastPoint]
    idempotency_key: str
    labeled: LabeledWindow
    model: str
    plan: TrainingPlan
    plans: _containers.RepeatedCompositeFieldContainer[TrainingPlan]
    scores: NumericProfile
    def __init__(self, model: _Optional[str] = ..., current: _Optional[_Union[DataProfile, _Mapping]] = ..., labeled: _Optional[_Union[LabeledWindow, _Mapping]] = ..., plan: _Optional[_Union[TrainingPlan, _Mapping]] = ..., idempotency_key: _Optional[str] = ..., scores: _Optional[_Union[NumericProfile, _Mapping]] = ..., plans: _Optional[_Iterable[_Union[TrainingPlan, _Mapping]]] = ..., forecast: _Optional[_Iterable[_Union[CarbonForecastPoint, _Mapping]]] = ..., challenger: _Optional[_Union[Challenger, _Mapping]] = ...) -> None: ...

class TrainingPlan(_message.Message):
    __slots__ = ["accelerator", "accelerator_count", "accelerator_power_w", "accelerator_utilization", "carbon_intensity_g_per_kwh", "cpu", "cpu_cores", "cpu_power_per_core_w", "cpu_utilization", "hours", "memory_gb", "name", "provider", "pue", "recovery_ratio", "region", "training_rows"]
    ACCELERATOR_COUNT_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_POWER_W_FIELD_NUMBER: _ClassVar[int]
    ACCELERATOR_UTILIZATION_FIELD_NUMBER: _ClassVar[int]
    CARBON_INTENSITY_G_PER_KWH_FIELD_NUMBER: _ClassVar[int]
    CPU_CORES_FIELD_NUMBER: _ClassVar[int]
    CPU_FIELD_NUMBER: _ClassVar[int]
    CPU_POWER_PER_CORE_W_FIELD_NUMBER: _ClassVar[int]
    CPU_UTILIZATION_FIELD_NUMBER: _ClassVar[int]
    HOURS_FIELD_NUMBER: _ClassVar[int]
    MEMORY_GB_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    PUE_FIELD_NUMBER: _ClassVar[int]
    RECOVERY_RATIO_FIELD_NUMBER: _ClassVar[int]
    REGION_FIELD_NUMBER: _ClassVar[int]
    TRAINING_ROWS_FIELD_NUMBER: _ClassVar[int]
    accelerator: str
    accelerator_count: int
    accelerator_power_w: float
    accelerator_utilization: float
    carbon_intensity_g_per_kwh: float
    cpu: str
    cpu_cores: int
    cpu_power_per_core_w: float
    cpu_utilization: float
    hours: float
    memory_gb: float
    name: str
    provider: str
    pue: float
    recovery_ratio: float
    region: str
    training_rows: int
    def __init__(self, name: _Optional[str] = ..., accelerator: _Optional[str] = ..., accelerator_count: _Optional[int] = ..., cpu: _Optional[str] = ..., cpu_cores: _Optional[int] = ..., memory_gb: _Optional[float] = ..., hours: _Optional[float] = ..., region: _Optional[str] = ..., provider: _Optional[str] = ..., pue: _Optional[float] = ..., carbon_intensity_g_per_kwh: _Optional[float] = ..., accelerator_utilization: _Optional[float] = ..., cpu_utilization: _Optional[float] = ..., training_rows: _Optional[int] = ..., accelerator_power_w: _Optional[float] = ..., cpu_power_per_core_w: _Optional[float] = ..., recovery_ratio: _Optional[float] = ...) -> None: ...

class VerdictCounts(_message.Message):
    __slots__ = ["approved", "deferred", "rejected", "total"]
    APPROVED_FIELD_NUMBER: _ClassVar[int]
    DEFERRED_FIELD_NUMBER: _ClassVar[int]
    REJECTED_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    approved: int
    deferred: int
    rejected: int
    total: int
    def __init__(self, approved: _Optional[int] = ..., rejected: _Optional[int] = ..., deferred: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class VerifyAuditLogRequest(_message.Message):
    __slots__ = ["anchor_hash", "anchor_seq"]
    ANCHOR_HASH_FIELD_NUMBER: _ClassVar[int]
    ANCHOR_SEQ_FIELD_NUMBER: _ClassVar[int]
    anchor_hash: str
    anchor_seq: int
    def __init__(self, anchor_seq: _Optional[int] = ..., anchor_hash: _Optional[str] = ...) -> None: ...

class VersionLife(_message.Message):
    __slots__ = ["approved_by", "approved_expected_gain", "approved_gain_method", "decisions_gated", "deploy_time", "model_version", "realised_gain", "reference_accuracy"]
    APPROVED_BY_FIELD_NUMBER: _ClassVar[int]
    APPROVED_EXPECTED_GAIN_FIELD_NUMBER: _ClassVar[int]
    APPROVED_GAIN_METHOD_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_GATED_FIELD_NUMBER: _ClassVar[int]
    DEPLOY_TIME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    REALISED_GAIN_FIELD_NUMBER: _ClassVar[int]
    REFERENCE_ACCURACY_FIELD_NUMBER: _ClassVar[int]
    approved_by: str
    approved_expected_gain: float
    approved_gain_method: str
    decisions_gated: int
    deploy_time: _timestamp_pb2.Timestamp
    model_version: str
    realised_gain: float
    reference_accuracy: float
    def __init__(self, model_version: _Optional[str] = ..., deploy_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., reference_accuracy: _Optional[float] = ..., approved_by: _Optional[str] = ..., approved_expected_gain: _Optional[float] = ..., approved_gain_method: _Optional[str] = ..., realised_gain: _Optional[float] = ..., decisions_gated: _Optional[int] = ...) -> None: ...

class WatchDecisionsRequest(_message.Message):
    __slots__ = ["model", "verdicts"]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERDICTS_FIELD_NUMBER: _ClassVar[int]
    model: str
    verdicts: _containers.RepeatedScalarFieldContainer[Verdict]
    def __init__(self, model: _Optional[str] = ..., verdicts: _Optional[_Iterable[_Union[Verdict, str]]] = ...) -> None: ...

class WeeklyEnergy(_message.Message):
    __slots__ = ["approved_energy_kwh", "avoided_energy_kwh", "week"]
    APPROVED_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    AVOIDED_ENERGY_KWH_FIELD_NUMBER: _ClassVar[int]
    WEEK_FIELD_NUMBER: _ClassVar[int]
    approved_energy_kwh: float
    avoided_energy_kwh: float
    week: str
    def __init__(self, week: _Optional[str] = ..., approved_energy_kwh: _Optional[float] = ..., avoided_energy_kwh: _Optional[float] = ...) -> None: ...

class ReferenceView(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Correction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []

class Verdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
