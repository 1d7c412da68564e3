package io.livemigrate.engine;

/** The database families livemigrate moves. MariaDB speaks the MySQL protocol and shares its engine. */
public enum EngineKind {
    POSTGRESQL("PostgreSQL"),
    MYSQL("MySQL/MariaDB");

    private final String displayName;

    EngineKind(String displayName) {
        this.displayName = displayName;
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
