package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Finding;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Server-level preflight. On the source: what binlog-based catch-up needs (row-format binlog with full images,
 * retention longer than the copy, replication privileges); warnings only, since the copy itself works without.
 * On the target: the privileges the copy cannot work without (errors), and whether the fast load path is open.
 */
final class MySqlServerCheck {

    private static final List<String> TARGET_PRIVILEGES =
            List.of("SELECT", "CREATE", "INSERT", "DELETE", "DROP", "ALTER", "INDEX", "REFERENCES");

    private MySqlServerCheck() {
    }

    static List<Finding> check(Connection c, Endpoint endpoint, boolean isSource) throws SQLException {
        String subject = isSource ? "source" : "target";
        List<Finding> findings = new ArrayList<>();
        MySqlGrants grants = MySqlGrants.of(c);
        if (isSource) {
            checkBinlog(c, subject, findings);
            checkReplicationGrants(grants, endpoint, subject, findings);
        } else {
            checkTargetGrants(grants, endpoint, subject, findings);
            if (!MySqlServer.isOn(MySqlServer.variables(c, "local_infile").get("local_infile"))) {
                findings.add(Finding.warning(subject, "local_infile is OFF, so LOAD DATA LOCAL is refused; the copy "
                                + "falls back to multi-row INSERT batches, which are slower",
                        "SET GLOBAL local_infile = ON on the target for the fast path"));
            }
        }
        return findings;
    }

    private static void checkBinlog(Connection c, String subject, List<Finding> findings) throws SQLException {
        Map<String, String> v = MySqlServer.variables(c, "log_bin", "binlog_format", "binlog_row_image",
                "binlog_expire_logs_seconds", "expire_logs_days");
        if (!MySqlServer.isOn(v.get("log_bin"))) {
            findings.add(Finding.warning(subject, "binary logging is off, so changes made during the copy cannot "
                            + "be caught up", "start the server with log_bin enabled, binlog_format=ROW, "
                            + "binlog_row_image=FULL and a unique server_id"));
            return;
        }
        if (!"ROW".equalsIgnoreCase(v.get("binlog_format"))) {
            findings.add(Finding.warning(subject, "binlog_format is " + v.get("binlog_format")
                    + "; catch-up needs row images", "SET GLOBAL binlog_format = 'ROW' (and in the server config)"));
        }
        String image = v.get("binlog_row_image");
        if (image != null && !"FULL".equalsIgnoreCase(image)) {
            findings.add(Finding.warning(subject, "binlog_row_image is " + image
                            + "; catch-up needs full row images to make target rows equal to source rows",
                    "SET GLOBAL binlog_row_image = 'FULL' (and in the server config)"));
        }
        Duration retention = retention(v);
        if (retention != null && retention.compareTo(Duration.ofDays(1)) < 0) {
            findings.add(Finding.warning(subject, "binlogs older than " + retention
                            + " are purged; a copy longer than that loses its start position",
                    "raise binlog_expire_logs_seconds (MySQL) or expire_logs_days (MariaDB) above the expected "
                            + "copy time"));
        }
    }

    /** How long binlogs are kept, or null when they are never purged by age (0 means no expiry on both). */
    static Duration retention(Map<String, String> v) {
        double seconds = parse(v.get("binlog_expire_logs_seconds"));
        if (seconds <= 0) {
            seconds = parse(v.get("expire_logs_days")) * 86_400;
        }
        return seconds > 0 ? Duration.ofSeconds((long) seconds) : null;
    }

    private static double parse(String value) {
        try {
            return value == null ? 0 : Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void checkReplicationGrants(MySqlGrants grants, Endpoint endpoint, String subject,
                                               List<Finding> findings) {
        if (grants.hasRoles()) {
            return;
        }
        boolean slave = grants.hasAnyGlobally("REPLICATION SLAVE", "REPLICATION REPLICA");
        // MariaDB 10.5 split REPLICATION CLIENT into BINLOG MONITOR (and others); MySQL keeps the old name
        boolean client = grants.hasAnyGlobally("REPLICATION CLIENT", "BINLOG MONITOR", "SLAVE MONITOR", "SUPER");
        if (!slave || !client) {
            String lacking = !slave && !client ? "REPLICATION SLAVE and REPLICATION CLIENT"
                    : slave ? "REPLICATION CLIENT" : "REPLICATION SLAVE";
            findings.add(Finding.warning(subject, "user " + endpoint.user() + " lacks " + lacking
                            + ", which catch-up needs to read the binlog",
                    "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '" + endpoint.user() + "'@'%'"
                            + " (MariaDB 10.5+: REPLICATION SLAVE, BINLOG MONITOR)"));
        }
    }

    /**
     * Missing everywhere is an error. Granted only on some databases is a warning naming them: livemigrate cannot
     * tell yet whether those are the databases it will create (a fresh MariaDB grants everything on `test`.* to
     * PUBLIC, for one).
     */
    private static void checkTargetGrants(MySqlGrants grants, Endpoint endpoint, String subject,
                                          List<Finding> findings) {
        List<String> missing = TARGET_PRIVILEGES.stream().filter(p -> !grants.hasGlobally(p)).toList();
        if (missing.isEmpty()) {
            return;
        }
        String grant = "GRANT " + String.join(", ", missing) + " ON *.* TO '" + endpoint.user() + "'@'%'"
                + " (or ON each target database)";
        Set<String> partly = new TreeSet<>();
        missing.forEach(p -> partly.addAll(grants.on(p)));
        String problem = "user " + endpoint.user() + " lacks " + String.join(", ", missing)
                + (partly.isEmpty() ? "" : " except on " + String.join(", ", partly))
                + ", which creating and loading tables needs";
        boolean maybe = grants.hasRoles() || !partly.isEmpty();
        findings.add(maybe ? Finding.warning(subject, problem + (grants.hasRoles() ? " (unless granted through a role)"
                : "; make sure those are the migrated databases"), grant) : Finding.error(subject, problem, grant));
    }
}
