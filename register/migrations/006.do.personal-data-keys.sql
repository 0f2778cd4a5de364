-- Issue 14: each complaint's (and compliment's) data key, wrapped with the key ring's key named by wrapping_key_id
-- (platform/personal-data.ts). Erasure sets wrapped_key to NULL and destroyed_at: the row stays, so a reader can
-- tell "erased" from "never had personal data", and nothing can recover the key.
CREATE TABLE personal_data_keys (
  key_ref         text PRIMARY KEY,
  wrapped_key     text,
  wrapping_key_id text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  destroyed_at    timestamptz
);
