-- Every throttle change (livemigrate throttle, or a schedule running it): who, when, what, and the full setting
-- after it. The newest row of a plan is in force (ROWS_PER_SECOND 0 = unlimited, PAUSED 1 = paused).
-- Portable: runs as is on a PostgreSQL, MySQL/MariaDB or H2 job repository.
SELECT PLAN_NAME, CHANGE_NO, CHANGED_AT, CHANGED_BY, CHANGE_TEXT, ROWS_PER_SECOND, PAUSED, LAG_QUERY, MAX_LAG
  FROM LIVEMIGRATE_THROTTLE
 ORDER BY PLAN_NAME, CHANGE_NO DESC;
