-- A register batch (register/index.ts Register.record) in one statement: the write order, the entries, the
-- complaint's row and, with its first batch, its search words. It was eight round trips (BEGIN, the lock, the row's
-- order, the entries, the orphans, the row, COMMIT; the words), each statement parsed and planned anew; PL/pgSQL
-- plans its statements once per connection. One dialect for PostgreSQL and PGlite.
--
-- The write order (issue 18): a complaint's batches are applied in the order of the workflow time of the task that
-- made them (p_batch_started_at, then the first seq); a batch older than the one the row was last written from is
-- superseded (a lost task's late write, a retried attempt) and changes nothing.
CREATE FUNCTION register_record_batch(
  p_ref text,
  p_procedure_id text,
  p_procedure_version integer,
  p_status text,
  p_current_stage text,
  p_service_area text,
  p_category text,
  p_channel text,
  p_serious boolean,
  p_received_at timestamptz,
  p_case_officer_id text,
  p_outcome text,
  p_next_deadline_at timestamptz,
  p_overdue boolean,
  p_last_seq integer,
  p_updated_at timestamptz,
  p_snapshot jsonb,
  p_batch_started_at timestamptz,
  p_batch_first_seq integer,
  -- The batch's timeline entries (a JSON array of TimelineEntry), who wrote them, and the search words to write when
  -- the row has none of this version yet (NULL: the batch brings none).
  p_entries jsonb,
  p_written_by text,
  p_search_words text[],
  p_search_version smallint
) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  stored_started_at timestamptz;
  stored_first_seq integer;
  stored_search_version smallint;
BEGIN
  -- One writer of a complaint at a time (its row may not exist yet, so an advisory lock, not a row lock).
  PERFORM pg_advisory_xact_lock(hashtext('complaint:' || p_ref));
  SELECT batch_started_at, batch_first_seq, search_version
    INTO stored_started_at, stored_first_seq, stored_search_version
    FROM complaints WHERE ref = p_ref;
  IF stored_started_at IS NOT NULL AND stored_first_seq IS NOT NULL AND (
       p_batch_started_at < stored_started_at
       OR (p_batch_started_at = stored_started_at AND p_batch_first_seq < stored_first_seq)) THEN
    RETURN 'superseded';
  END IF;

  -- The entries, replacing what the same (ref, seq) held: an orphan of a lost task, or the same entry again.
  INSERT INTO complaint_entries (ref, seq, at, type, actor_id, entry, written_at, written_by)
    SELECT p_ref, (e->>'seq')::integer, (e->>'at')::timestamptz, e->>'type', e->'actor'->>'id', e,
           p_batch_started_at, p_written_by
      FROM jsonb_array_elements(p_entries) AS e
    ON CONFLICT (ref, seq) DO UPDATE SET at = EXCLUDED.at, type = EXCLUDED.type, actor_id = EXCLUDED.actor_id,
      entry = EXCLUDED.entry, written_at = EXCLUDED.written_at, written_by = EXCLUDED.written_by;
  -- Entries beyond the batch's state are a lost task's orphans.
  DELETE FROM complaint_entries WHERE ref = p_ref AND seq > p_last_seq;

  INSERT INTO complaints (ref, procedure_id, procedure_version, status, current_stage, service_area, category, channel,
                          serious, received_at, case_officer_id, outcome, next_deadline_at, overdue, last_seq,
                          updated_at, snapshot, batch_started_at, batch_first_seq)
    VALUES (p_ref, p_procedure_id, p_procedure_version, p_status, p_current_stage, p_service_area, p_category,
            p_channel, p_serious, p_received_at, p_case_officer_id, p_outcome, p_next_deadline_at, p_overdue,
            p_last_seq, p_updated_at, p_snapshot, p_batch_started_at, p_batch_first_seq)
    ON CONFLICT (ref) DO UPDATE SET
      procedure_id = EXCLUDED.procedure_id, procedure_version = EXCLUDED.procedure_version, status = EXCLUDED.status,
      current_stage = EXCLUDED.current_stage, service_area = EXCLUDED.service_area, category = EXCLUDED.category,
      channel = EXCLUDED.channel, serious = EXCLUDED.serious, received_at = EXCLUDED.received_at,
      case_officer_id = EXCLUDED.case_officer_id, outcome = EXCLUDED.outcome,
      next_deadline_at = EXCLUDED.next_deadline_at, overdue = EXCLUDED.overdue, last_seq = EXCLUDED.last_seq,
      updated_at = EXCLUDED.updated_at, snapshot = EXCLUDED.snapshot, batch_started_at = EXCLUDED.batch_started_at,
      batch_first_seq = EXCLUDED.batch_first_seq;

  IF p_search_words IS NOT NULL AND COALESCE(stored_search_version, 0) < p_search_version THEN
    DELETE FROM complaint_search_words WHERE ref = p_ref;
    UPDATE complaints SET search_version = p_search_version WHERE ref = p_ref;
    INSERT INTO complaint_search_words (ref, word) SELECT p_ref, unnest(p_search_words) ON CONFLICT DO NOTHING;
  END IF;
  RETURN 'written';
END
$$;

-- Two indexes every write of a complaint kept up to date for nothing: each is the leading column of another
-- (complaints_list_received (received_at, ref); complaints_workload (status) INCLUDE ...), which serves the same
-- queries.
DROP INDEX complaints_received_at;
DROP INDEX complaints_status;
