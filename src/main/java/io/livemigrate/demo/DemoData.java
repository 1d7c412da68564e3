package io.livemigrate.demo;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Seeds a small "shop" schema: customers, products (a text primary key), orders (uuid / binary(16) key),
 * order_items (composite key), events (large text values, NULLs, IP addresses), with foreign keys and
 * secondary indexes. The server generates every row itself in a few INSERT ... SELECT statements, so
 * scale 1 (about 315,000 rows) takes seconds.
 *
 * <p>The data is deterministic: every value is a function of the row number, never of RAND() or the clock,
 * so two seedings compare equal and a failed test can be rerun on the same data. The formulas shared by
 * both engines (which customer placed an order, which product a line sells, ...) live here, so the two
 * engines hold the same shop; subclasses render the rest in their own SQL dialect.
 */
public abstract class DemoData {

    /** The demo tables, parents before children. */
    public static final List<String> TABLES = List.of("customers", "products", "orders", "order_items", "events");

    /** Every order has 1 to this many lines, so order_items holds about 3.5 rows per order. */
    protected static final int MAX_LINES_PER_ORDER = 6;
    /** Events whose id is a multiple of this carry a payload over 100 KB (PostgreSQL stores it out of line). */
    protected static final int LARGE_PAYLOAD_EVERY = 500;
    /** 32-character md5 blocks in a large payload: 105,600 characters. */
    protected static final int LARGE_PAYLOAD_BLOCKS = 3_300;

    // Names in several scripts, with an apostrophe and (in SQL) an emoji: what breaks encodings and escaping.
    protected static final List<String> FIRST_NAMES = List.of("Anna", "José", "Zoë", "Łukasz", "Søren",
            "Françoise", "Mehmet", "李", "Ngọc", "Άρης", "Олег", "Siobhán", "Jürgen", "Aoife", "Chidi", "Priya");
    protected static final List<String> LAST_NAMES = List.of("Müller", "García", "O'Brien", "Nguyễn", "Kowalski",
            "Søndergaard", "王", "Смирнов", "Dubois", "Öztürk", "Núñez", "Tanaka", "Smith", "Papadopoulos");
    protected static final List<String> DOMAINS = List.of("example.com", "example.org", "example.net", "beispiel.de");
    protected static final List<String> TAGS = List.of("vip", "newsletter", "wholesale", "returning", "b2b", "früh");
    protected static final List<String> ADJECTIVES = List.of("Sturdy", "Tiny", "Crimson", "Smart", "Vintage",
            "Eco", "Deluxe", "Café", "Nordic", "Rapid");
    protected static final List<String> NOUNS = List.of("Mug", "Lamp", "Backpack", "Kettle", "Chair", "Notebook",
            "Headphones", "Umbrella", "Teapot", "Bicycle", "Scarf");
    protected static final List<String> COLORS = List.of("red", "green", "blue", "black", "white", "beige");
    protected static final List<String> ORDER_STATUSES = List.of("new", "paid", "shipped", "delivered",
            "cancelled", "refunded");
    protected static final List<String> EVENT_KINDS = List.of("login", "view", "add_to_cart", "checkout", "logout");

    /** Row counts of the generated tables; order_items follows from orders (1 to 6 lines each). */
    public record Counts(int customers, int products, int orders, int events) {

        public Counts {
            if (customers < 1 || products < 1 || orders < 0 || events < 0) {
                throw new IllegalArgumentException("need at least one customer and product: " + this);
            }
        }

        /** Scale 1: 20k customers, 5k products, 60k orders, ~210k order items, 20k events. */
        public static Counts atScale(int scale) {
            if (scale < 1) {
                throw new IllegalArgumentException("scale must be at least 1 but was " + scale);
            }
            return new Counts(20_000 * scale, 5_000 * scale, 60_000 * scale, 20_000 * scale);
        }
    }

    /** What a seeding produced: rows per table, in {@link #TABLES} order, and how long it took. */
    public record Result(Map<String, Long> rows, Duration elapsed) {

        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }

        @Override
        public String toString() {
            return totalRows() + " rows in " + elapsed.toMillis() + " ms " + rows;
        }
    }

    public static Result seedPostgres(Connection connection, int scale) throws SQLException {
        return new PostgresDemoData().seed(connection, Counts.atScale(scale));
    }

    /** For MariaDB (uses its SEQUENCE engine) and MySQL 8 (falls back to recursive CTEs). */
    public static Result seedMySql(Connection connection, int scale) throws SQLException {
        return new MySqlDemoData().seed(connection, Counts.atScale(scale));
    }

    /**
     * What the application goes on doing after the copy, in SQL both engines take: updates, inserts and deletes over
     * several tables, for catch-up to carry over. Auto-commit, so each statement is a source transaction of its
     * own. Returns a one-line account.
     */
    public static String changeWhileLive(Connection connection) throws SQLException {
        connection.setAutoCommit(true);
        try (Statement st = connection.createStatement()) {
            long offset;
            try (ResultSet rs = st.executeQuery("SELECT max(id) FROM events")) {
                rs.next();
                offset = rs.getLong(1);
            }
            int balances = st.executeUpdate("UPDATE customers SET balance = balance + 1 WHERE id % 7 = 0");
            int prices = st.executeUpdate("UPDATE products SET price = price + 1 WHERE price < 20");
            int inserted = st.executeUpdate("INSERT INTO events (id, customer_id, kind, payload, created_at)"
                    + " SELECT id + " + offset + ", customer_id, 'replayed', payload, created_at FROM events"
                    + " WHERE id % 97 = 1");
            int deleted = st.executeUpdate("DELETE FROM events WHERE id % 50 = 0");
            return String.format("%,d customer balances and %,d prices updated, %,d events inserted and %,d deleted",
                    balances, prices, inserted, deleted);
        }
    }

    /**
     * Creates the demo tables in the connection's current database/schema (they must not exist yet) and
     * fills them. Commits as it goes; the connection is left in auto-commit mode.
     */
    public final Result seed(Connection connection, Counts counts) throws SQLException {
        long start = System.nanoTime();
        connection.setAutoCommit(true);
        try (Statement statement = connection.createStatement()) {
            prepare(statement);
            // Rows first, then secondary indexes and foreign keys: building them once is faster than per row.
            executeAll(statement, createTables());
            executeAll(statement, fillTables(counts));
            executeAll(statement, addIndexesAndConstraints());
            executeAll(statement, afterFill());
            return new Result(countRows(statement), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * Statements, run as the administrator on one server, that create the demo application's own login
     * ({@code user}, {@code password}) allowed to read and write the demo tables and nothing more: what the
     * cutover's read-only fence acts on (it must not be a superuser, nor hold SUPER on MySQL/MariaDB).
     * Idempotent, so they can run on the source and then on the target once the copy created the tables.
     */
    public abstract List<String> applicationUserSql(String user, String password);

    /** Session settings and capability checks before anything is created. */
    protected void prepare(Statement statement) throws SQLException {
    }

    protected abstract List<String> createTables();

    protected abstract List<String> fillTables(Counts counts);

    protected abstract List<String> addIndexesAndConstraints();

    /** Statistics, sequences and the like. */
    protected abstract List<String> afterFill();

    /** {@code words[index mod size]} as an SQL expression, index being an integer SQL expression. */
    protected abstract String pick(List<String> words, String index);

    // ---- Formulas both engines share. Arguments and results are integer SQL expressions; only + * % are
    // ---- used, which mean the same in both dialects (unlike /, which does not divide integers in MySQL).

    /** The customer (1-based) who placed order {@code order}, or who caused an event. */
    protected static String customerOf(String row, Counts counts) {
        return "(1 + ((" + row + ") * 7919) % " + counts.customers() + ")";
    }

    /** How many lines order {@code order} has: 1 to {@link #MAX_LINES_PER_ORDER}. */
    protected static String linesOf(String order) {
        return "(1 + (" + order + ") % " + MAX_LINES_PER_ORDER + ")";
    }

    /** The product (1-based number, see the subclasses' sku()) that line {@code line} of an order sells. */
    protected static String productOf(String order, String line, Counts counts) {
        return "(1 + ((" + order + ") * 131 + (" + line + ") * 7) % " + counts.products() + ")";
    }

    protected static String quantityOf(String order, String line) {
        return "(1 + ((" + order + ") + (" + line + ")) % 5)";
    }

    /** A product's price in cents: 0.99 to 500.98. */
    protected static String priceCentsOf(String product) {
        return "(99 + ((" + product + ") * 37) % 50000)";
    }

    /** An account balance in cents, negative for some customers. */
    protected static String balanceCentsOf(String customer) {
        return "(((" + customer + ") * 7919) % 1000000 - 200000)";
    }

    /** A string literal with quotes doubled; both dialects accept this form. */
    protected static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    protected static String literals(List<String> values) {
        return values.stream().map(DemoData::literal).collect(Collectors.joining(", "));
    }

    private static void executeAll(Statement statement, List<String> sqls) throws SQLException {
        for (String sql : sqls) {
            try {
                statement.execute(sql);
            } catch (SQLException e) {
                throw new SQLException(e.getMessage() + " in: " + sql, e.getSQLState(), e.getErrorCode(), e);
            }
        }
    }

    private static Map<String, Long> countRows(Statement statement) throws SQLException {
        Map<String, Long> rows = new LinkedHashMap<>();
        for (String table : TABLES) {
            try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                rows.put(table, rs.getLong(1));
            }
        }
        return rows;
    }
}
