-- Issue 14: the destruction log. One row per complaint whose personal data was erased: by a manager on request
-- (rule 'request', with the reason) or by the retention schedule (the rule applied, e.g. 'default: 6 years after
-- closure'), when, and when its closed workflow executions were deleted from Temporal. It names no person but the
-- one who erased; its reference and dates are what the records manager needs to show what was destroyed and why.
CREATE TABLE destruction_log (
  ref                 text PRIMARY KEY,
  erased_at           timestamptz NOT NULL,
  erased_by           jsonb NOT NULL,
  rule                text NOT NULL,
  reason              text NOT NULL,
  closed_at           timestamptz,
  workflow_deleted_at timestamptz
);
CREATE INDEX destruction_log_erased_at ON destruction_log (erased_at, ref);
