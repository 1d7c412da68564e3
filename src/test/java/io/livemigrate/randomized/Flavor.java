package io.livemigrate.randomized;

import java.util.List;
import java.util.Random;

/** What a random schema and workload write differently on PostgreSQL and on MySQL/MariaDB. */
enum Flavor {

    POSTGRES {
        @Override
        List<String> prerequisites() {
            return List.of("CREATE EXTENSION IF NOT EXISTS citext",
                    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)");
        }

        @Override
        List<ColumnType> types() {
            return List.of(
                    ColumnType.integer("integer", Integer.MIN_VALUE, Integer.MAX_VALUE),
                    ColumnType.integer("bigint", Long.MIN_VALUE, Long.MAX_VALUE),
                    ColumnType.of("numeric(12,3)", r -> (r.nextInt(2_000_000) - 1_000_000) + "." + r.nextInt(1000)),
                    ColumnType.of("double precision", r -> pick(r, "'NaN'", "'-0'", "'Infinity'", "1e-300",
                            Double.toString(r.nextDouble() * 1e6))),
                    ColumnType.of("real", r -> pick(r, "'NaN'", "1.5", "-3.25", Float.toString(r.nextFloat()))),
                    ColumnType.of("boolean", r -> pick(r, "true", "false")),
                    ColumnType.of("text", r -> r.nextInt(12) == 0 ? ColumnType.large(r, 9000)
                            : "E" + ColumnType.text(r, 100, "\\\\")),
                    ColumnType.of("varchar(20)", r -> "E" + ColumnType.text(r, 20, "\\\\")),
                    ColumnType.of("text COLLATE \"C\"", r -> "E" + ColumnType.text(r, 100, "\\\\")),
                    ColumnType.of("char(5)", r -> "E" + ColumnType.text(r, 5, "\\\\")),
                    ColumnType.of("bytea", r -> "'\\x" + String.format("%016x", r.nextLong()) + "00ff'"),
                    ColumnType.of("date", r -> "'" + (1990 + r.nextInt(40)) + "-0" + (1 + r.nextInt(9)) + "-1"
                            + r.nextInt(10) + "'"),
                    ColumnType.of("timestamp", r -> "'2024-02-29 1" + r.nextInt(10) + ":00:00." + r.nextInt(999999)
                            + "'"),
                    ColumnType.of("timestamptz", r -> "'2001-01-01 00:00:00+0" + r.nextInt(10) + "'"),
                    ColumnType.of("interval", r -> "'" + r.nextInt(1000) + " days -00:00:0" + r.nextInt(10) + "'"),
                    ColumnType.of("uuid", r -> "'" + new java.util.UUID(r.nextLong(), r.nextLong()) + "'"),
                    ColumnType.of("jsonb", r -> "'{\"k\": " + r.nextInt(100) + ", \"a\": [1, 2.50, null]}'"),
                    ColumnType.of("json", r -> "'{\"b\": 1,  \"a\": \"" + r.nextInt(9) + "\"}'"),
                    ColumnType.of("integer[]", r -> "'{" + r.nextInt(9) + ",NULL," + r.nextInt(9) + "}'"),
                    ColumnType.of("mood", r -> pick(r, "'sad'", "'ok'", "'happy'")),
                    ColumnType.of("posint", r -> Integer.toString(1 + r.nextInt(Integer.MAX_VALUE - 1))),
                    ColumnType.of("citext", r -> "E" + ColumnType.text(r, 30, "\\\\")));
        }

        @Override
        String quote(String name) {
            return "\"" + name + "\"";
        }

        @Override
        String textKeyType() {
            return "varchar(40)";
        }

        @Override
        String identityColumn(boolean always) {
            return "id bigint GENERATED " + (always ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY";
        }

        @Override
        String tableOptions(TableSpec t) {
            return switch (t.partitioning()) {
                case NONE -> "";
                case RANGE -> " PARTITION BY RANGE (id)";
                case LIST -> " PARTITION BY LIST (id)";
                case HASH -> " PARTITION BY HASH (id)";
            };
        }

        @Override
        List<String> partitions(TableSpec t) {
            String n = t.name();
            return switch (t.partitioning()) {
                case NONE -> List.of();
                case RANGE -> List.of("CREATE TABLE " + n + "_low PARTITION OF " + n + " FOR VALUES FROM (MINVALUE) TO (200)",
                        "CREATE TABLE " + n + "_mid PARTITION OF " + n + " FOR VALUES FROM (200) TO (500)",
                        "CREATE TABLE " + n + "_rest PARTITION OF " + n + " DEFAULT");
                case LIST -> List.of("CREATE TABLE " + n + "_odd PARTITION OF " + n
                                + " FOR VALUES IN (1, 3, 5, 7, 9, 11, 13, 15, 17, 19)",
                        "CREATE TABLE " + n + "_rest PARTITION OF " + n + " DEFAULT");
                case HASH -> List.of("CREATE TABLE " + n + "_h0 PARTITION OF " + n + " FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                        "CREATE TABLE " + n + "_h1 PARTITION OF " + n + " FOR VALUES WITH (MODULUS 2, REMAINDER 1)");
            };
        }

        @Override
        String generatedColumn(String expression) {
            return "bigint GENERATED ALWAYS AS (" + expression + ") STORED";
        }

        @Override
        String insertIgnoring(String table, String columns, String values, String keyColumn) {
            return "INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ") ON CONFLICT DO NOTHING";
        }

        @Override
        String truncate(String table) {
            return "TRUNCATE " + table;
        }

        @Override
        String identityKeyMove(String table, long id, long fresh, boolean always) {
            return "UPDATE " + table + " SET id = " + (always ? "DEFAULT" : Long.toString(fresh)) + " WHERE id = " + id;
        }
    },

    MARIADB {
        @Override
        List<String> prerequisites() {
            return List.of();
        }

        @Override
        List<ColumnType> types() {
            return List.of(
                    ColumnType.integer("int", Integer.MIN_VALUE, Integer.MAX_VALUE),
                    ColumnType.integer("int unsigned", 0, 4294967295L),
                    ColumnType.integer("bigint", Long.MIN_VALUE, Long.MAX_VALUE),
                    ColumnType.of("bigint unsigned", r -> pick(r, "18446744073709551615", "0",
                            Long.toString(r.nextLong() & Long.MAX_VALUE))),
                    ColumnType.of("decimal(12,3)", r -> (r.nextInt(2_000_000) - 1_000_000) + "." + r.nextInt(1000)),
                    ColumnType.of("double", r -> pick(r, "-0.0", "1e-300", "-1.7976931348623157e308",
                            Double.toString(r.nextDouble() * 1e6))),
                    ColumnType.of("tinyint(1)", r -> pick(r, "0", "1", "127")),
                    ColumnType.of("varchar(20) CHARACTER SET utf8mb4", r -> ColumnType.text(r, 20, "\\\\")),
                    ColumnType.of("varchar(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", r -> ColumnType.text(r, 30, "\\\\")),
                    ColumnType.of("char(5) CHARACTER SET utf8mb4", r -> ColumnType.text(r, 5, "\\\\").replace("  '", "'")),
                    ColumnType.of("varchar(20) CHARACTER SET latin1", r -> "'latin " + r.nextInt(99) + " caf\u00e9'"),
                    ColumnType.of("mediumtext CHARACTER SET utf8mb4", r -> r.nextInt(10) == 0 ? ColumnType.large(r, 9000)
                            : ColumnType.text(r, 100, "\\\\")),
                    ColumnType.of("varbinary(16)", r -> "X'" + String.format("%016x", r.nextLong()) + "'"),
                    ColumnType.of("blob", r -> "X'00FF5C0A" + String.format("%08x", r.nextInt()) + "'"),
                    ColumnType.of("date", r -> "'" + (1990 + r.nextInt(40)) + "-0" + (1 + r.nextInt(9)) + "-1"
                            + r.nextInt(10) + "'"),
                    ColumnType.of("datetime(6)", r -> "'2024-02-29 1" + r.nextInt(10) + ":00:00." + r.nextInt(999999)
                            + "'"),
                    ColumnType.of("time(6)", r -> "'-" + r.nextInt(838) + ":00:00.000001'"),
                    ColumnType.of("year", r -> Integer.toString(1901 + r.nextInt(255))),
                    ColumnType.of("json", r -> "'{\"k\": " + r.nextInt(100) + ", \"a\": [1, 2.50, null]}'"),
                    ColumnType.of("enum('small','medium','large')", r -> pick(r, "'small'", "'medium'", "'large'")),
                    ColumnType.of("set('a','b','c')", r -> pick(r, "''", "'a'", "'a,c'", "'a,b,c'")),
                    ColumnType.of("bit(8)", r -> "b'" + Integer.toBinaryString(r.nextInt(256)) + "'"));
        }

        @Override
        String quote(String name) {
            return "`" + name + "`";
        }

        @Override
        String textKeyType() {
            return "varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci";
        }

        @Override
        String identityColumn(boolean always) {
            return "id bigint NOT NULL AUTO_INCREMENT";
        }

        @Override
        String tableOptions(TableSpec t) {
            return " DEFAULT CHARSET=utf8mb4" + switch (t.partitioning()) {
                case NONE -> "";
                case RANGE -> " PARTITION BY RANGE (id) (PARTITION p0 VALUES LESS THAN (200), "
                        + "PARTITION p1 VALUES LESS THAN (500), PARTITION p2 VALUES LESS THAN MAXVALUE)";
                case LIST -> " PARTITION BY LIST (id MOD 2) (PARTITION podd VALUES IN (1, -1), "
                        + "PARTITION peven VALUES IN (0))";
                case HASH -> " PARTITION BY HASH (id) PARTITIONS 3";
            };
        }

        @Override
        List<String> partitions(TableSpec t) {
            return List.of();
        }

        @Override
        String generatedColumn(String expression) {
            return "bigint AS (" + expression + ") STORED";
        }

        @Override
        String insertIgnoring(String table, String columns, String values, String keyColumn) {
            // INSERT IGNORE would also turn a foreign-key or type error into a warning: an upsert that keeps the row
            // as it is, so only the duplicate is ignored.
            return "INSERT INTO " + table + " (" + columns + ") VALUES (" + values + ") ON DUPLICATE KEY UPDATE "
                    + keyColumn + " = " + keyColumn;
        }

        @Override
        String truncate(String table) {
            return "TRUNCATE TABLE " + table;
        }

        @Override
        String identityKeyMove(String table, long id, long fresh, boolean always) {
            return "UPDATE " + table + " SET id = " + fresh + " WHERE id = " + id;
        }
    };

    abstract List<String> prerequisites();

    abstract List<ColumnType> types();

    abstract String quote(String name);

    abstract String textKeyType();

    /** @param always PostgreSQL: GENERATED ALWAYS rather than BY DEFAULT */
    abstract String identityColumn(boolean always);

    abstract String tableOptions(TableSpec t);

    abstract List<String> partitions(TableSpec t);

    abstract String generatedColumn(String expression);

    /** An insert that leaves an existing row with the same key (or unique value) as it is. */
    abstract String insertIgnoring(String table, String columns, String values, String keyColumn);

    abstract String truncate(String table);

    /** Moves an identity row to a new key: PostgreSQL's ALWAYS identity accepts only DEFAULT. */
    abstract String identityKeyMove(String table, long id, long fresh, boolean always);

    static String pick(Random r, String... choices) {
        return choices[r.nextInt(choices.length)];
    }
}
