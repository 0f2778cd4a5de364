-- Issue 14: every read that disclosed a complaint's personal data: who (the token's person or the signed-in one, and
-- their roles), when, which complaint, through which route. Appended by api/access-recorder.ts in batches; read by
-- auditors newest first (GET /complaints/{ref}/access-log). A subject access request that matched no complaint is
-- kept with ref NULL. The search terms of a request are never kept (they are personal data). (008: 006 and 007 are
-- the data keys' and the destruction log's.)
CREATE TABLE access_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  ref text,
  viewer_id text NOT NULL,
  viewer_roles jsonb NOT NULL,
  route text NOT NULL
);
CREATE INDEX access_log_ref_id ON access_log (ref, id DESC);
