-- Clustered Quartz runs each fire on exactly one server: this must return no rows.
-- Portable: PostgreSQL, MySQL/MariaDB, H2.
SELECT PLAN_NAME, SCHEDULE_NAME, SCHEDULED_AT, COUNT(*) AS RUNS
  FROM LIVEMIGRATE_SCHEDULE_RUN
 GROUP BY PLAN_NAME, SCHEDULE_NAME, SCHEDULED_AT
HAVING COUNT(*) > 1;
