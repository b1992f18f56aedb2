-- Version 10: a policy's energy and carbon budgets are optional. Until now 0 meant unlimited,
-- and every stored policy printed both budgets (0 when unlimited); from now on an absent budget
-- is unlimited and 0 is a freeze (nothing may be spent). A stored 0 meant unlimited, so it is
-- removed: those policies read back, and decide, as they did when they were set. A row that is
-- not JSON is left as it is (reading it reports the damage).
UPDATE policies SET policy = json_remove(policy, '$.energy_budget_kwh')
  WHERE CASE WHEN json_valid(policy)
             THEN json_type(policy, '$.energy_budget_kwh') IN ('integer', 'real')
                  AND json_extract(policy, '$.energy_budget_kwh') = 0
             ELSE 0 END;
UPDATE policies SET policy = json_remove(policy, '$.carbon_budget_kg')
  WHERE CASE WHEN json_valid(policy)
             THEN json_type(policy, '$.carbon_budget_kg') IN ('integer', 'real')
                  AND json_extract(policy, '$.carbon_budget_kg') = 0
             ELSE 0 END;
