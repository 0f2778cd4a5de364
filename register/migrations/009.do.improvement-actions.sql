-- Issue 16: improvement actions agreed at a complaint's outcome: what will be done, by whom (a staff directory id),
-- by when (a London day), and its completion with evidence. `what` and `evidence` are sealed under the complaint's
-- data key (platform/personal-data.ts), so erasing the complaint makes them unreadable too. The owner's reminders run
-- in Temporal (workflows/improvement-action.ts); each event the action's timeline shows is a row of the second
-- table, once per kind. request_sha256: the creating request's body hash, for the Idempotency-Key's rule.
CREATE TABLE improvement_actions (
  id text PRIMARY KEY,            -- IA-<24 hex>, from the Idempotency-Key when one was given
  ref text NOT NULL,
  service_area text NOT NULL,
  what text NOT NULL,
  owner text NOT NULL,
  due_date text NOT NULL,         -- YYYY-MM-DD, London
  agreed_at timestamptz NOT NULL,
  agreed_by text NOT NULL,
  request_sha256 text NOT NULL,
  completed_at timestamptz,
  completed_by text,
  evidence text
);
CREATE INDEX improvement_actions_ref_agreed ON improvement_actions (ref, agreed_at);
CREATE INDEX improvement_actions_agreed ON improvement_actions (agreed_at);
CREATE TABLE improvement_action_events (
  action_id text NOT NULL,
  kind text NOT NULL,             -- agreed, reminded-before-due, reminded-due, completed
  at timestamptz NOT NULL,
  by_id text NOT NULL,            -- who: a person's id, or 'system' for a reminder
  PRIMARY KEY (action_id, kind)
);
