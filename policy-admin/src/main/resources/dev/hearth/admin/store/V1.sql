-- Schema version 1: the operator's run-time policy, accounts and the audit log.
-- Policy entities are stored as JSON documents with the same keys as the config file's
-- policy section, so one reader validates both and nothing drifts apart.
CREATE TABLE profiles (
  id TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE subscribers (
  id TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
CREATE TABLE networks (
  id TEXT PRIMARY KEY,
  spec TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL
);
-- Dynamic address bindings (RADIUS/DHCP): a prefix in canonical form, bound to a subscriber.
CREATE TABLE bindings (
  prefix TEXT PRIMARY KEY,
  subscriber_id TEXT NOT NULL,
  bound_at TEXT NOT NULL,
  bound_by TEXT NOT NULL
);
CREATE INDEX bindings_subscriber ON bindings(subscriber_id);
CREATE TABLE users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  household TEXT,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  created_at TEXT NOT NULL
);
-- Machine tokens: only a SHA-256 of the secret is kept; the token is shown once.
CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  household TEXT,
  secret_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX audit_at ON audit_log(at);
CREATE INDEX audit_actor ON audit_log(actor);
