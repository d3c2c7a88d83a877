-- Schema version 4: daily activity summaries of the households that opted in. Counts only:
-- per household, profile, local day (in the household's time zone) and list category, how many
-- lookups were allowed and blocked. No names, no client addresses. Rows older than the
-- operator's retention (activity.retention_days) are deleted, and a household's rows go when it
-- opts out or is deleted.
CREATE TABLE activity_daily (
  household TEXT NOT NULL,
  profile TEXT NOT NULL,
  day TEXT NOT NULL,
  category TEXT NOT NULL,
  allowed INTEGER NOT NULL DEFAULT 0,
  blocked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (household, day, profile, category)
);
CREATE INDEX activity_daily_day ON activity_daily(day);
