-- Partitions (copy-range:<table>#NNNN, verify-range:...) whose latest execution did not complete, with the error.
-- Empty when nothing failed. Fix the cause, then `livemigrate restart --plan <file>`: only these run again.
-- Portable: runs as is on a PostgreSQL, MySQL/MariaDB or H2 job repository.
SELECT PLAN_NAME, JOB_NAME, STEP_NAME, STATUS, JOB_EXECUTION_ID, STEP_EXECUTION_ID, COMMIT_COUNT, END_TIME, EXIT_MESSAGE
  FROM (SELECT p.PARAMETER_VALUE AS PLAN_NAME, i.JOB_NAME, s.STEP_NAME, s.STATUS, s.JOB_EXECUTION_ID,
               s.STEP_EXECUTION_ID, s.COMMIT_COUNT, s.END_TIME, SUBSTRING(s.EXIT_MESSAGE FROM 1 FOR 1000) AS EXIT_MESSAGE,
               ROW_NUMBER() OVER (PARTITION BY e.JOB_INSTANCE_ID, s.STEP_NAME ORDER BY s.STEP_EXECUTION_ID DESC) AS N
          FROM BATCH_STEP_EXECUTION s
          JOIN BATCH_JOB_EXECUTION e ON e.JOB_EXECUTION_ID = s.JOB_EXECUTION_ID
          JOIN BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID
          JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND p.PARAMETER_NAME = 'plan'
         WHERE s.STEP_NAME LIKE '%-range:%') latest
 WHERE N = 1 AND STATUS <> 'COMPLETED'
 ORDER BY PLAN_NAME, JOB_NAME, STEP_NAME;
