-- Schema version 2: parent sign-up codes. The operator issues a code for a household; a parent
-- who has it creates their own account tied to that household. Only a SHA-256 of the code is
-- kept, and a code works once, before it expires.
CREATE TABLE signup_codes (
  code_hash TEXT PRIMARY KEY,
  household TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  used_by TEXT
);
CREATE INDEX signup_codes_household ON signup_codes(household);
