package io.livemigrate.testing;

import io.livemigrate.demo.EmbeddedServer;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A database server tests can make fresh databases on: an embedded server or a Testcontainers container. */
public interface TestServer {

    String user();

    String password();

    String jdbcUrl(String database);

    /** Creates a database with a unique name derived from {@code prefix}; returns its JDBC URL. */
    String newDatabase(String prefix);

    default Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    default boolean isMySql() {
        return jdbcUrl("x").startsWith("jdbc:mysql");
    }

    static TestServer of(EmbeddedServer server) {
        return new TestServer() {
            public String user() {
                return server.user();
            }

            public String password() {
                return server.password();
            }

            public String jdbcUrl(String database) {
                return server.jdbcUrl(database);
            }

            public String newDatabase(String prefix) {
                return server.newDatabase(prefix);
            }
        };
    }

    /** A server reached through an administrative URL, e.g. a container; databases made with plain SQL. */
    static TestServer of(String adminUrl, String user, String password, Function<String, String> urlOfDatabase) {
        AtomicInteger counter = new AtomicInteger();
        return new TestServer() {
            public String user() {
                return user;
            }

            public String password() {
                return password;
            }

            public String jdbcUrl(String database) {
                return urlOfDatabase.apply(database);
            }

            public String newDatabase(String prefix) {
                String name = prefix + "_" + counter.incrementAndGet();
                try (Connection c = DriverManager.getConnection(adminUrl, user, password);
                     Statement st = c.createStatement()) {
                    st.execute("CREATE DATABASE " + name);
                }
                catch (SQLException e) {
                    throw new IllegalStateException("cannot create database " + name, e);
                }
                return jdbcUrl(name);
            }
        };
    }
}
