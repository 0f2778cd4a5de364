-- The team page's counts per case officer and per service area (register/read-model.ts countComplaints) read every
-- open complaint; this index holds what they count by, so they are read from it (an index-only scan) and not from
-- the complaints' rows, which carry their whole snapshot. One dialect for PostgreSQL and PGlite.
CREATE INDEX complaints_workload ON complaints (status) INCLUDE (case_officer_id, service_area, next_deadline_at, overdue);
