-- Least-privilege users for livemigrate on MySQL 8.x / MariaDB 10.6+. Replace the passwords and database names
-- (shop here). livemigrate keeps its own small tables in a database named livemigrate on each server: catch-up's
-- applied position and record of changed keys on the side it writes to, the drain marker on the side it reads from.
-- revert runs the same jobs in the other direction with the two users swapped, so each user below also needs what
-- the other has, where the comment says so. (The test suite runs as the servers' superuser: these grants are written
-- from the servers' documentation for what each statement needs, not exercised by a test.)
--
-- Source: reads the migrated tables and the binlog.
CREATE USER 'livemigrate_source'@'%' IDENTIFIED BY 'change-me';
GRANT SELECT ON shop.* TO 'livemigrate_source'@'%';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'livemigrate_source'@'%';
-- MariaDB 10.5+ names the position privilege BINLOG MONITOR:
-- GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'livemigrate_source'@'%';
-- verify while catch-up runs, and the cutover's drain, write a marker row after the position they wait for:
GRANT CREATE, SELECT, INSERT, DELETE ON livemigrate.* TO 'livemigrate_source'@'%';
-- cutover with fence: read-only sets read_only, writes the marker under it and ends the application's connections:
--   MySQL 8:      GRANT SYSTEM_VARIABLES_ADMIN, CONNECTION_ADMIN ON *.* TO 'livemigrate_source'@'%';  (or SUPER)
--   MariaDB 10.11: GRANT READ_ONLY ADMIN, CONNECTION ADMIN ON *.* TO 'livemigrate_source'@'%';
-- revert: the reverse stream applies the target's changes here (as the target user's grants below, on this server).
-- GRANT INSERT, UPDATE, DELETE ON shop.* TO 'livemigrate_source'@'%';
-- GRANT CREATE, DROP, SELECT, INSERT, UPDATE, DELETE ON livemigrate.* TO 'livemigrate_source'@'%';

-- Target: creates tables, loads with LOAD DATA LOCAL INFILE, builds indexes, applies catch-up, sets AUTO_INCREMENT.
CREATE USER 'livemigrate_target'@'%' IDENTIFIED BY 'change-me';
GRANT CREATE, DROP, ALTER, INDEX, REFERENCES, INSERT, UPDATE, DELETE, SELECT ON shop.* TO 'livemigrate_target'@'%';
GRANT CREATE, DROP, SELECT, INSERT, UPDATE, DELETE ON livemigrate.* TO 'livemigrate_target'@'%';
-- cutover records the target's binlog position for the reverse stream, which reads it after the switch:
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'livemigrate_target'@'%';
-- revert fences the target the same way cutover fenced the source (see the source's read-only grants above).

-- The application's users must NOT have SUPER, READ_ONLY ADMIN (MariaDB) or CONNECTION_ADMIN: read_only does not stop
-- them, so the read-only fence would not hold their writes.

-- Server settings change capture needs on the source (my.cnf), and on the target for the way back:
--   log_bin = ON, binlog_format = ROW, binlog_row_image = FULL, server_id set (different on each server)
--   binlog_expire_logs_seconds (MySQL) / expire_logs_days (MariaDB) longer than the copy takes
-- The target needs local_infile = ON for the fast path (otherwise livemigrate falls back to multi-row INSERTs).
