package io.livemigrate.demo;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The demo shop in MySQL/MariaDB types: AUTO_INCREMENT, binary(16) order ids, ENUM, JSON, BLOB,
 * varbinary(16) IP addresses (INET6_ATON), DATETIME(6).
 *
 * <p>Rows come from MariaDB's SEQUENCE engine ({@code seq_1_to_N}, no table needed); MySQL 8 has no such
 * engine and gets a recursive CTE instead.
 */
public final class MySqlDemoData extends DemoData {

    private static final String EPOCH = "TIMESTAMP'2020-01-01 00:00:00'";

    /** null: detect in prepare(). */
    private Boolean sequenceEngine;

    public MySqlDemoData() {
    }

    /** For tests of the fallback on MariaDB, which has both. */
    MySqlDemoData(boolean useSequenceEngine) {
        this.sequenceEngine = useSequenceEngine;
    }

    @Override
    protected void prepare(Statement statement) throws SQLException {
        boolean mariaDb = queryString(statement, "SELECT VERSION()").contains("MariaDB");
        if (sequenceEngine == null) {
            sequenceEngine = mariaDb && !queryString(statement,
                    "SELECT COUNT(*) FROM information_schema.ENGINES"
                            + " WHERE ENGINE = 'SEQUENCE' AND SUPPORT IN ('YES', 'DEFAULT')").equals("0");
        }
        if (!sequenceEngine) {
            // Both stop recursive CTEs after 1000 rows by default, under different names.
            statement.execute(mariaDb
                    ? "SET SESSION max_recursive_iterations = 1000000000"
                    : "SET SESSION cte_max_recursion_depth = 1000000000");
        }
        // Large payloads are built with GROUP_CONCAT, which truncates at this length.
        statement.execute("SET SESSION group_concat_max_len = 4194304");
    }

    /**
     * Secondary indexes and foreign keys are declared here rather than added after the fill: InnoDB
     * maintains them cheaply per row, while ALTER TABLE ADD FOREIGN KEY would copy the whole table.
     */
    @Override
    protected List<String> createTables() {
        return List.of(
                """
                CREATE TABLE customers (
                    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
                    email VARCHAR(255) NOT NULL,
                    name VARCHAR(200) NOT NULL,
                    created_at DATETIME(6) NOT NULL,
                    balance DECIMAL(12,2) NOT NULL DEFAULT 0,
                    active BOOLEAN NOT NULL DEFAULT TRUE,
                    tags JSON NULL,
                    UNIQUE KEY customers_email_uk (email),
                    KEY customers_created_at_idx (created_at)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
                """
                CREATE TABLE products (
                    sku VARCHAR(64) NOT NULL PRIMARY KEY,
                    name VARCHAR(200) NOT NULL,
                    price DECIMAL(10,2) NOT NULL,
                    attributes JSON NULL,
                    image BLOB NULL,
                    KEY products_name_idx (name)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
                """
                CREATE TABLE orders (
                    id BINARY(16) NOT NULL PRIMARY KEY,
                    customer_id BIGINT NOT NULL,
                    status ENUM(%s) NOT NULL,
                    ordered_at DATETIME(6) NOT NULL,
                    total DECIMAL(12,2) NOT NULL,
                    KEY orders_customer_idx (customer_id),
                    KEY orders_status_ordered_at_idx (status, ordered_at),
                    CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""".formatted(literals(ORDER_STATUSES)),
                """
                CREATE TABLE order_items (
                    order_id BINARY(16) NOT NULL,
                    line_no INT NOT NULL,
                    product_sku VARCHAR(64) NOT NULL,
                    quantity INT NOT NULL CHECK (quantity > 0),
                    unit_price DECIMAL(10,2) NOT NULL,
                    PRIMARY KEY (order_id, line_no),
                    KEY order_items_product_idx (product_sku),
                    CONSTRAINT order_items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE,
                    CONSTRAINT order_items_product_fk FOREIGN KEY (product_sku) REFERENCES products (sku)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""",
                """
                CREATE TABLE events (
                    id BIGINT NOT NULL PRIMARY KEY,
                    customer_id BIGINT NULL,
                    kind VARCHAR(32) NOT NULL,
                    payload MEDIUMTEXT NULL,
                    ip VARBINARY(16) NULL,
                    created_at DATETIME(6) NOT NULL,
                    KEY events_customer_idx (customer_id),
                    CONSTRAINT events_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
                ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""");
    }

    @Override
    protected List<String> fillTables(Counts n) {
        return List.of(
                """
                INSERT INTO customers (id, email, name, created_at, balance, active, tags)
                SELECT c.seq,
                       CONCAT('customer', c.seq, '@', %s),
                       CONCAT(%s, ' ', %s, CASE WHEN c.seq %% 50 = 0 THEN ' 🎉' ELSE '' END),
                       %s + INTERVAL (c.seq * 2233123456) MICROSECOND,
                       %s / 100.0,
                       c.seq %% 7 <> 0,
                       CASE c.seq %% 4 WHEN 0 THEN NULL WHEN 1 THEN JSON_ARRAY() ELSE JSON_ARRAY(%s, %s) END
                FROM %s
                """.formatted(pick(DOMAINS, "c.seq"), pick(FIRST_NAMES, "c.seq"), pick(LAST_NAMES, "c.seq * 7"),
                        EPOCH, balanceCentsOf("c.seq"), pick(TAGS, "c.seq"), pick(TAGS, "c.seq * 5 + 1"),
                        numbers("c", n.customers())),
                """
                INSERT INTO products (sku, name, price, attributes, image)
                SELECT %s,
                       CONCAT(%s, ' ', %s, ' #', p.seq),
                       %s / 100.0,
                       CASE WHEN p.seq %% 10 = 0 THEN NULL ELSE JSON_OBJECT(
                           'color', %s, 'weight_g', p.seq * 13 %% 5000,
                           'fragile', JSON_EXTRACT(IF(p.seq %% 3 = 0, 'true', 'false'), '$'),
                           'size_cm', JSON_ARRAY(p.seq %% 50 + 1, p.seq %% 30 + 1, p.seq %% 20 + 1)) END,
                       CASE WHEN p.seq %% 5 = 0 THEN NULL WHEN p.seq %% 17 = 0 THEN X''
                            ELSE UNHEX(CONCAT(MD5(p.seq), MD5(p.seq + 1), MD5(p.seq + 2), MD5(p.seq + 3))) END
                FROM %s
                """.formatted(sku("p.seq"), pick(ADJECTIVES, "p.seq"), pick(NOUNS, "p.seq * 7"),
                        priceCentsOf("p.seq"), pick(COLORS, "p.seq"), numbers("p", n.products())),
                """
                INSERT INTO orders (id, customer_id, status, ordered_at, total)
                SELECT %s, %s, %s, %s + INTERVAL (o.seq * 797000123) MICROSECOND,
                       (SELECT SUM(%s * %s) FROM %s WHERE l.seq <= %s) / 100.0
                FROM %s
                """.formatted(orderId("o.seq"), customerOf("o.seq", n), pick(ORDER_STATUSES, "o.seq * 3"), EPOCH,
                        quantityOf("o.seq", "l.seq"), priceCentsOf(productOf("o.seq", "l.seq", n)),
                        numbers("l", MAX_LINES_PER_ORDER), linesOf("o.seq"), numbers("o", n.orders())),
                """
                INSERT INTO order_items (order_id, line_no, product_sku, quantity, unit_price)
                SELECT %s, l.seq, %s, %s, %s / 100.0
                FROM %s
                JOIN %s ON l.seq <= %s
                """.formatted(orderId("o.seq"), sku(productOf("o.seq", "l.seq", n)), quantityOf("o.seq", "l.seq"),
                        priceCentsOf(productOf("o.seq", "l.seq", n)), numbers("o", n.orders()),
                        numbers("l", MAX_LINES_PER_ORDER), linesOf("o.seq")),
                """
                INSERT INTO events (id, customer_id, kind, payload, ip, created_at)
                SELECT e.seq,
                       CASE WHEN e.seq %% 5 = 0 THEN NULL ELSE %s END,
                       %s,
                       CASE WHEN e.seq %% %d = 0 THEN (SELECT GROUP_CONCAT(MD5(CONCAT(e.seq, '-', k.seq))
                                                                     ORDER BY k.seq SEPARATOR '') FROM %s)
                            WHEN e.seq %% 7 = 0 THEN NULL
                            ELSE CONCAT('{"path":"/products/', e.seq, '","ms":', e.seq %% 997, '}') END,
                       CASE e.seq %% 3 WHEN 0 THEN NULL
                            WHEN 1 THEN INET6_ATON(CONCAT('10.', e.seq %% 251, '.', e.seq * 7 %% 253, '.',
                                                          e.seq * 13 %% 254 + 1))
                            ELSE INET6_ATON(CONCAT('2001:db8::', LOWER(HEX(e.seq DIV 65536 %% 65536)), ':',
                                                   LOWER(HEX(e.seq %% 65536)))) END,
                       %s + INTERVAL (e.seq * 1234500000) MICROSECOND
                FROM %s
                """.formatted(customerOf("e.seq", n), pick(EVENT_KINDS, "e.seq"), LARGE_PAYLOAD_EVERY,
                        numbers("k", LARGE_PAYLOAD_BLOCKS), EPOCH, numbers("e", n.events())));
    }

    @Override
    protected List<String> addIndexesAndConstraints() {
        return List.of(); // declared in createTables()
    }

    @Override
    protected List<String> afterFill() {
        return List.of("ANALYZE TABLE " + String.join(", ", TABLES));
    }

    /**
     * Kept out of the binlog (catch-up carries the tables' rows, not accounts); {@code ON *} is the connection's
     * current database. No SUPER or READ ONLY ADMIN, so {@code read_only} stops the account's writes.
     */
    @Override
    public List<String> applicationUserSql(String user, String password) {
        return List.of("SET SESSION sql_log_bin = 0",
                "CREATE USER IF NOT EXISTS " + literal(user) + "@'%' IDENTIFIED BY " + literal(password),
                "GRANT SELECT, INSERT, UPDATE, DELETE ON * TO " + literal(user) + "@'%'",
                "SET SESSION sql_log_bin = 1");
    }

    @Override
    protected String pick(List<String> words, String index) {
        return "ELT(1 + (" + index + ") % " + words.size() + ", " + literals(words) + ")";
    }

    /** A table expression of the integers 1..count in column {@code alias.seq}. */
    private String numbers(String alias, int count) {
        if (count < 1) {
            return "(SELECT 1 AS seq FROM DUAL WHERE FALSE) AS " + alias;
        }
        if (sequenceEngine) {
            // seq is BIGINT UNSIGNED, and unsigned arithmetic fails as soon as a formula goes below zero.
            return "(SELECT CAST(seq AS SIGNED) AS seq FROM seq_1_to_" + count + ") AS " + alias;
        }
        return "(WITH RECURSIVE s (seq) AS (SELECT 1 UNION ALL SELECT seq + 1 FROM s WHERE seq < " + count
                + ") SELECT seq FROM s) AS " + alias;
    }

    /** Same keys as PostgresDemoData's sku(). */
    private static String sku(String product) {
        return ("CONCAT(CASE WHEN (%1$s) %% 997 = 0 THEN 'sku-' WHEN (%1$s) %% 1009 = 0 THEN 'ÄRM-'"
                + " ELSE 'SKU-' END, LPAD(%1$s, 8, '0'))").formatted(product);
    }

    /** Same bytes as PostgresDemoData's orderId: md5('order-N'). */
    private static String orderId(String order) {
        return "UNHEX(MD5(CONCAT('order-', " + order + ")))";
    }

    private static String queryString(Statement statement, String sql) throws SQLException {
        try (ResultSet rs = statement.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
