package io.livemigrate.engine.mysql;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The privileges the connected user holds, read from SHOW GRANTS, by scope: global ({@code *.*}) or a whole
 * database ({@code `db`.*}). Table-level grants are ignored: they do not let a user create tables. Privileges that
 * arrive through roles are not expanded by SHOW GRANTS, so callers give a user with roles the benefit of the doubt.
 */
final class MySqlGrants {

    static final String GLOBAL = "*.*";

    private static final Pattern PRIVILEGE_GRANT = Pattern.compile("^GRANT (.+?) ON (\\S+) TO .*");

    /** Privilege name to the scopes it is granted on. */
    private final Map<String, Set<String>> scopes;
    private final boolean hasRoles;

    private MySqlGrants(Map<String, Set<String>> scopes, boolean hasRoles) {
        this.scopes = scopes;
        this.hasRoles = hasRoles;
    }

    static MySqlGrants of(Connection c) throws SQLException {
        Map<String, Set<String>> scopes = new HashMap<>();
        boolean roles = false;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GRANTS")) {
            while (rs.next()) {
                String line = rs.getString(1);
                Matcher m = PRIVILEGE_GRANT.matcher(line);
                if (!m.matches()) {
                    // GRANT `role` TO `user`: a role whose privileges SHOW GRANTS does not list
                    roles |= line.startsWith("GRANT ");
                    continue;
                }
                String on = m.group(2);
                if (!on.endsWith(".*")) {
                    continue;
                }
                for (String privilege : m.group(1).split(",")) {
                    String name = privilege.strip().toUpperCase(Locale.ROOT).replaceAll("\\s*\\(.*", "");
                    scopes.computeIfAbsent(name.equals("ALL") ? "ALL PRIVILEGES" : name, k -> new TreeSet<>())
                            .add(on);
                }
            }
        }
        return new MySqlGrants(scopes, roles);
    }

    /** Whether {@code privilege} is granted on {@code *.*}. */
    boolean hasGlobally(String privilege) {
        return on(privilege).contains(GLOBAL);
    }

    boolean hasAnyGlobally(String... candidates) {
        for (String p : candidates) {
            if (hasGlobally(p)) {
                return true;
            }
        }
        return false;
    }

    /** The scopes (global and per database) that grant {@code privilege}, directly or through ALL PRIVILEGES. */
    Set<String> on(String privilege) {
        Set<String> result = new TreeSet<>(scopes.getOrDefault(privilege, Set.of()));
        result.addAll(scopes.getOrDefault("ALL PRIVILEGES", Set.of()));
        return result;
    }

    boolean hasRoles() {
        return hasRoles;
    }
}
