-- Issue 18: a batch written before its workflow task was durable (a local activity in a task that was then lost)
-- is replaced by what the history finally holds. Each entry says which write put it there, and each complaint which
-- write its row is from, so that a later write can replace an orphan and an older, delayed one is refused
-- (register/index.ts `record` states the rule).

-- When the write that stored the entry began (the worker's clock), and who made it (workflow run, activity, attempt).
ALTER TABLE complaint_entries ADD COLUMN written_at timestamptz;
ALTER TABLE complaint_entries ADD COLUMN written_by text;

-- The write the complaint's row and timeline tail are from: when it began, and the first seq of its batch.
ALTER TABLE complaints ADD COLUMN batch_started_at timestamptz;
ALTER TABLE complaints ADD COLUMN batch_first_seq integer;
