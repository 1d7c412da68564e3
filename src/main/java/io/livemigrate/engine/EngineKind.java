package io.livemigrate.engine;

/** The database families livemigrate moves. MariaDB speaks the MySQL protocol and shares its engine. */
public enum EngineKind {
    POSTGRESQL("PostgreSQL", 5432),
    MYSQL("MySQL/MariaDB", 3306);

    /** The JDBC URLs {@link #fromUrl} recognises, for a message that says what to write instead. */
    public static final String URL_FORMS = "jdbc:postgresql://host:port/database or "
            + "jdbc:mysql://host:port/database (MariaDB too)";

    private final String displayName;
    private final int defaultPort;

    EngineKind(String displayName, int defaultPort) {
        this.displayName = displayName;
        this.defaultPort = defaultPort;
    }

    /** The port a server listens on when its URL names none. */
    public int defaultPort() {
        return defaultPort;
    }

    public String displayName() {
        return displayName;
    }

    /** The engine a JDBC URL names, or null when it names none that livemigrate supports. */
    public static EngineKind fromUrl(String url) {
        if (url == null) {
            return null;
        }
        if (url.startsWith("jdbc:postgresql://")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:mysql://") || url.startsWith("jdbc:mariadb://")) {
            return MYSQL;
        }
        return null;
    }
}
