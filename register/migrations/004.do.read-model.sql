-- Issue 17: the register is the API's (and the web application's) read model. GET /complaints filters, sorts and
-- pages the `complaints` rows (register/read-model.ts); these indexes serve its filters and its three orders, each
-- with ref as the tie-breaker the cursor carries. One dialect for PostgreSQL and PGlite.
CREATE INDEX complaints_list_received ON complaints (received_at, ref);
CREATE INDEX complaints_list_next_deadline ON complaints (next_deadline_at, ref);
CREATE INDEX complaints_current_stage ON complaints (current_stage);
CREATE INDEX complaints_service_area ON complaints (service_area);
CREATE INDEX complaints_category ON complaints (category);
CREATE INDEX complaints_case_officer ON complaints (case_officer_id);
CREATE INDEX complaints_procedure ON complaints (procedure_id, procedure_version);
CREATE INDEX complaints_overdue ON complaints (overdue) WHERE overdue;

-- The free-text search (register/search.ts, the one place that makes and matches these words): each complaint's
-- normalised words (lower case, accents removed) from its reference, complainant's name and e-mail and summary, one
-- row per distinct word, matched by prefix through the text_pattern_ops index. A later blind index (keyed HMACs of
-- the words, issue on encryption at rest) replaces the words here and the matching in search.ts, nothing else.
CREATE TABLE complaint_search_words (
  ref  text NOT NULL,
  word text NOT NULL,
  PRIMARY KEY (ref, word)
);
CREATE INDEX complaint_search_words_prefix ON complaint_search_words (word text_pattern_ops);

-- Which version of the word-making the row's words are from (0: none yet; a complaint from before this migration
-- is indexed when the register is next opened, register/read-model.ts indexUnsearchedComplaints).
ALTER TABLE complaints ADD COLUMN search_version smallint NOT NULL DEFAULT 0;
