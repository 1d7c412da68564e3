-- Least-privilege users for livemigrate on MySQL 8.x / MariaDB 10.6+. Replace the passwords and database names.
--
-- Source: reads the migrated tables and the binlog.
CREATE USER 'livemigrate_source'@'%' IDENTIFIED BY 'change-me';
GRANT SELECT ON shop.* TO 'livemigrate_source'@'%';
GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'livemigrate_source'@'%';
-- MariaDB 10.5+ names the position privilege BINLOG MONITOR:
-- GRANT REPLICATION SLAVE, BINLOG MONITOR ON *.* TO 'livemigrate_source'@'%';

-- Target: creates tables, loads with LOAD DATA LOCAL INFILE, builds indexes.
CREATE USER 'livemigrate_target'@'%' IDENTIFIED BY 'change-me';
GRANT CREATE, DROP, ALTER, INDEX, REFERENCES, INSERT, UPDATE, DELETE, SELECT ON shop.* TO 'livemigrate_target'@'%';

-- Server settings change capture needs on the source (my.cnf):
--   log_bin = ON, binlog_format = ROW, binlog_row_image = FULL, server_id set
--   binlog_expire_logs_seconds (MySQL) / expire_logs_days (MariaDB) longer than the copy takes
-- The target needs local_infile = ON for the fast path (otherwise livemigrate falls back to multi-row INSERTs).
