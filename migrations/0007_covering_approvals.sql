-- Version 7: every ShouldRetrain sums the model's approvals in its budget window (energy and
-- carbon) and, with fleet budgets, every model's. 0006's index found the approvals but each
-- one then cost a read of its table row (a page per decision, since payloads are kilobytes),
-- so a decision's cost grew with the approvals in the window. These partial indexes hold only
-- approvals and every column the sums read, so the sums never touch the table. (verdict is a
-- column too: SQLite 3.40 counts an index as covering only if it holds every column the query
-- names, the partial index's own condition included.)
DROP INDEX decisions_approvals;
CREATE INDEX approvals_by_model
  ON decisions(model_id, verdict, create_time_ms, energy_kwh, co2e_kg) WHERE verdict = 'APPROVE';
CREATE INDEX approvals_by_time
  ON decisions(verdict, create_time_ms, energy_kwh, co2e_kg) WHERE verdict = 'APPROVE';
