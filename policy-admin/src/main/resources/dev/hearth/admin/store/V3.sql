-- Schema version 3: block list sources added at run time (console and API), on top of the
-- config file's. Each is a JSON document with the keys of a config file lists.sources entry, so
-- the config file's reader checks both and a source means the same wherever it was written.
CREATE TABLE list_sources (
  id TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
