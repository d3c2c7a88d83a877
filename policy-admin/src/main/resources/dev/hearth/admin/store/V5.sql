-- Schema version 5: appeals against blocks, the overrides upheld appeals create, the e-mail
-- outbox, and the daily block counters of the transparency report.
CREATE TABLE appeals (
  ticket TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT,
  reason_id TEXT,
  role TEXT NOT NULL,
  email TEXT,
  message TEXT NOT NULL,
  suggested_category TEXT,
  state TEXT NOT NULL,
  outcome TEXT,
  outcome_category TEXT,
  decision_note TEXT,
  referred_to TEXT,
  merged_into TEXT,
  priority INTEGER NOT NULL DEFAULT 0,
  confirm_hash TEXT,
  reviewer TEXT,
  created_at TEXT NOT NULL,
  confirmed_at TEXT,
  acknowledged_at TEXT,
  decided_at TEXT,
  closed_at TEXT,
  acknowledge_due TEXT,
  decide_due TEXT
);
CREATE INDEX appeals_name ON appeals(name);
CREATE INDEX appeals_state ON appeals(state);
CREATE TABLE appeal_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ticket TEXT NOT NULL,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  kind TEXT NOT NULL,
  text TEXT
);
CREATE INDEX appeal_events_ticket ON appeal_events(ticket);
-- An upheld appeal's outcome, in force for every client until removed: the name resolves
-- (category NULL) or counts as another category. Kept apart from the lists, so list updates
-- cannot undo it.
CREATE TABLE appeal_overrides (
  name TEXT PRIMARY KEY,
  subdomains INTEGER NOT NULL DEFAULT 0,
  category TEXT,
  ticket TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL
);
-- Mail to send, written in the same transaction as the change it reports, so a crash between
-- the two loses neither.
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
CREATE TABLE daily_blocks (
  day TEXT NOT NULL,
  category TEXT NOT NULL,
  blocks INTEGER NOT NULL,
  PRIMARY KEY (day, category)
);
