-- Issue 16: every letter sent to a complainant, kept in the complaint's record: by e-mail (its text) or queued to
-- post (its text and the printable PDF, base64), until a person marks it posted. The reminder to post it runs in
-- Temporal (workflows/letter-posting.ts); reminded_at records that it went. (005: 004 is the read model's.)
CREATE TABLE letters (
  id text PRIMARY KEY,            -- domain/letters.ts letterIdFor(notice id)
  notice_id text NOT NULL UNIQUE,
  ref text NOT NULL,
  kind text NOT NULL,             -- the notice kind (domain/notices.ts)
  channel text NOT NULL,          -- 'email' or 'post'
  status text NOT NULL,           -- 'sent' (e-mail), 'to-post', 'posted'
  recipient_name text NOT NULL,
  recipient_email text,
  address_lines jsonb,            -- the envelope window's lines; null when the complainant gave no address
  subject text NOT NULL,
  body text NOT NULL,
  pdf_base64 text,
  created_at timestamptz NOT NULL,
  post_by timestamptz,
  posted_at timestamptz,
  posted_by text,
  reminded_at timestamptz
);
CREATE INDEX letters_status_created ON letters (status, created_at);
CREATE INDEX letters_ref_created ON letters (ref, created_at);
