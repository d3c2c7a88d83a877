-- Schema version 6: operator presets. Each is a JSON document with the keys of an entry of the
-- built-in presets.yaml (name, block_bypass, block_categories); one whose id is a built-in's
-- replaces that built-in, any other id adds a preset.
CREATE TABLE presets (
  id TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
