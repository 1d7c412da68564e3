package io.livemigrate.engine.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** Facts about the server behind a connection that differ between MySQL versions and MariaDB. */
final class MySqlServer {

    private MySqlServer() {
    }

    static boolean isMariaDb(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductVersion().toLowerCase(Locale.ROOT).contains("mariadb");
    }

    /**
     * Global variables by lower-case name. SHOW VARIABLES, unlike SELECT @@name, does not fail on a variable this
     * server version lacks (binlog_expire_logs_seconds on old MariaDB, expire_logs_days on MySQL 8.4): it is
     * simply absent from the map.
     */
    static Map<String, String> variables(Connection c, String... names) throws SQLException {
        StringBuilder in = new StringBuilder();
        for (String name : names) {
            if (!name.matches("[a-z_]+")) {
                throw new IllegalArgumentException("not a variable name: " + name);
            }
            in.append(in.length() == 0 ? "'" : ", '").append(name).append('\'');
        }
        Map<String, String> values = new HashMap<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW GLOBAL VARIABLES WHERE Variable_name IN (" + in + ")")) {
            while (rs.next()) {
                values.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
            }
        }
        return values;
    }

    static boolean isOn(String value) {
        return value != null && (value.equalsIgnoreCase("ON") || value.equals("1"));
    }
}
