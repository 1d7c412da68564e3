package io.livemigrate.engine;

import io.livemigrate.engine.mysql.MySqlEngine;
import io.livemigrate.engine.postgres.PostgresEngine;

/** The engine for a database family. */
public final class Engines {

    private static final Engine POSTGRES = new PostgresEngine();
    private static final Engine MYSQL = new MySqlEngine();

    private Engines() {
    }

    public static Engine of(EngineKind kind) {
        return switch (kind) {
            case POSTGRESQL -> POSTGRES;
            case MYSQL -> MYSQL;
        };
    }
}
