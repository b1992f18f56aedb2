-- Version 6: every ShouldRetrain sums the model's approvals (cooldown, energy and carbon
-- budgets). decisions_by_model made that a scan of all of the model's decisions, rejections
-- included, growing with the log; this index reaches its approvals, and those in the budget
-- window, directly.
CREATE INDEX decisions_approvals ON decisions(model_id, verdict, create_time_ms);
