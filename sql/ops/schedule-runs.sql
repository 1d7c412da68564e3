-- What the server's schedules ran (one row per Quartz fire): which node, the command, its exit code
-- (0 ok, 1 job failed, 2 bad input, 3 differences; empty while running). Portable: PostgreSQL, MySQL/MariaDB, H2.
SELECT PLAN_NAME, SCHEDULE_NAME, SCHEDULED_AT, STARTED_AT, ENDED_AT, NODE, COMMAND_LINE, EXIT_CODE
  FROM LIVEMIGRATE_SCHEDULE_RUN
 ORDER BY STARTED_AT DESC;
