-- The complaints register: every recorded event of every complaint (the system of record), the complaint as it
-- last stood (for lists), and compliments. One dialect for PostgreSQL and PGlite.

-- Each complaint's timeline, as the workflow recorded it: keyed by (ref, seq), written idempotently.
CREATE TABLE complaint_entries (
  ref        text        NOT NULL,
  seq        integer     NOT NULL CHECK (seq >= 1),
  -- The workflow's time of the event (never the writer's clock).
  at         timestamptz NOT NULL,
  type       text        NOT NULL,
  actor_id   text        NOT NULL,
  -- The whole TimelineEntry (event, seq, at, actor) as the workflow recorded it.
  entry      jsonb       NOT NULL,
  PRIMARY KEY (ref, seq)
);
CREATE INDEX complaint_entries_at ON complaint_entries (at);
CREATE INDEX complaint_entries_type ON complaint_entries (type);

-- The complaint after its latest recorded event (replaced only by a newer one: last_seq grows).
CREATE TABLE complaints (
  ref               text        PRIMARY KEY,
  procedure_id      text        NOT NULL,
  procedure_version integer     NOT NULL,
  status            text        NOT NULL,
  current_stage     text        NOT NULL,
  service_area      text        NOT NULL,
  category          text        NOT NULL,
  channel           text        NOT NULL,
  serious           boolean     NOT NULL,
  received_at       timestamptz NOT NULL,
  case_officer_id   text,
  outcome           text,
  next_deadline_at  timestamptz,
  overdue           boolean     NOT NULL,
  last_seq          integer     NOT NULL,
  -- The workflow's time of the latest event recorded.
  updated_at        timestamptz NOT NULL,
  snapshot          jsonb       NOT NULL
);
CREATE INDEX complaints_received_at ON complaints (received_at);
CREATE INDEX complaints_status ON complaints (status);

CREATE TABLE compliments (
  id           text        PRIMARY KEY,
  service_area text        NOT NULL,
  team         text        NOT NULL,
  received_at  timestamptz NOT NULL,
  summary      text        NOT NULL,
  recorded_by  jsonb       NOT NULL,
  recorded_at  timestamptz NOT NULL
);
CREATE INDEX compliments_received_at ON compliments (received_at);
