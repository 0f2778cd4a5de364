-- Issue 18: the result of each reconciliation of the register with Temporal (the daily Schedule's and `npm run
-- reconcile`'s), counts only, never an entry's content: the API's /metrics shows the last one to an operator (the
-- worker, where the Schedule's activity runs, serves no metrics of its own).
CREATE TABLE reconciliation_runs (
  id bigserial PRIMARY KEY,
  finished_at timestamptz NOT NULL,
  run_by text NOT NULL,          -- 'schedule' or 'command'
  checked integer NOT NULL,
  repaired integer NOT NULL,
  unreadable integer NOT NULL,
  differences jsonb NOT NULL     -- by kind: {"extra": 1, ...}
);
CREATE INDEX reconciliation_runs_finished_at ON reconciliation_runs (finished_at);
