package io.livemigrate.rehearse;

import io.livemigrate.repository.Percentiles;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The classifier lets through only statements that cannot write or lock, names the reason for everything else,
 * marks results that two runs on equal data may not share, and gives one fingerprint per query shape.
 */
class StatementClassifierTest {

    private final StatementClassifier classifier = new StatementClassifier();

    @Test
    void readsAreReplayedAndComparable() {
        for (String sql : new String[] {"SELECT * FROM t WHERE id = 42", "select a, count(*) from t group by a",
                "WITH x AS (SELECT id FROM t) SELECT * FROM x JOIN u ON u.id = x.id",
                "SELECT `a` FROM `t` WHERE b IN (1, 2, 3)", "SELECT * FROM t WHERE id = $1 AND x::int > 3",
                "SELECT id FROM t ORDER BY id LIMIT 10"}) {
            Classification c = classifier.classify(sql);
            assertThat(c.action()).as(sql).isEqualTo(Classification.Action.REPLAY);
            assertThat(c.notComparable()).as(sql).isNull();
        }
        assertThat(classifier.classify("SELECT id FROM t ORDER BY id LIMIT 10").ordered()).isTrue();
        assertThat(classifier.classify("SELECT id FROM t").ordered()).isFalse();
    }

    @Test
    void writesLocksAndUnparseableAreSkippedWithTheirReason() {
        assertThat(classifier.classify("UPDATE t SET a = 1 WHERE id = 2").reason()).isEqualTo("writes data");
        assertThat(classifier.classify("INSERT INTO t VALUES (1)").reason()).isEqualTo("writes data");
        assertThat(classifier.classify("DELETE FROM t").reason()).isEqualTo("writes data");
        assertThat(classifier.classify("SELECT * FROM t WHERE id = 1 FOR UPDATE").reason())
                .isEqualTo("takes locks (FOR UPDATE/SHARE)");
        assertThat(classifier.classify("SELECT * FROM t FOR SHARE").reason()).isEqualTo("takes locks (FOR UPDATE/SHARE)");
        assertThat(classifier.classify("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d").reason())
                .isEqualTo("writes data (data-modifying WITH)");
        assertThat(classifier.classify("SELECT * INTO copy_t FROM t").reason()).isEqualTo("writes data (SELECT INTO)");
        assertThat(classifier.classify("SELECT pg_advisory_lock(1)").reason()).startsWith("takes locks");
        assertThat(classifier.classify("LOCK TABLE t").reason()).isEqualTo("takes locks");
        assertThat(classifier.classify("CREATE TABLE x (id int)").reason()).isEqualTo("changes the schema");
        assertThat(classifier.classify("BEGIN").reason()).isEqualTo("transaction control");
        assertThat(classifier.classify("COMMIT").reason()).isEqualTo("transaction control");
        assertThat(classifier.classify("SELECT FROM WHERE ((").reason()).isEqualTo(StatementClassifier.NOT_PARSED);
        assertThat(classifier.classify("EXPLAIN ANALYZE DELETE FROM t").action())
                .isEqualTo(Classification.Action.SKIP);
        assertThat(classifier.classify("SELECT 1; DELETE FROM t").action()).isEqualTo(Classification.Action.SKIP);
    }

    @Test
    void settingsAreKeptForTheSession() {
        assertThat(classifier.classify("SET search_path TO app, public").action())
                .isEqualTo(Classification.Action.SETTING);
        assertThat(classifier.classify("SET TIME ZONE 'Europe/Paris'").action()).isEqualTo(Classification.Action.SETTING);
        assertThat(classifier.classify("SET SESSION time_zone = '+01:00'").action())
                .isEqualTo(Classification.Action.SETTING);
        SessionSettings s = new SessionSettings();
        s.record("a", "SET search_path TO app");
        s.record("a", "SET TIME ZONE 'UTC'");
        s.record("a", "SET search_path TO other");
        s.record("b", "SET timezone = 'Europe/Paris'");
        s.record("a", "SET LOCAL search_path TO x");
        assertThat(s.of("a")).containsExactly("SET TIME ZONE 'UTC'", "SET search_path TO other");
        s.record("a", "RESET ALL");
        assertThat(s.of("a")).isEmpty();
        assertThat(s.of("b")).containsExactly("SET timezone = 'Europe/Paris'");
    }

    @Test
    void nonDeterministicResultsAreReplayedButNotCompared() {
        assertThat(classifier.classify("SELECT now()").notComparable()).contains("now");
        assertThat(classifier.classify("SELECT * FROM t WHERE ts > current_timestamp - interval '1 day'")
                .notComparable()).contains("current_timestamp");
        assertThat(classifier.classify("SELECT * FROM t ORDER BY random()").notComparable()).contains("random");
        assertThat(classifier.classify("SELECT nextval('s')").notComparable()).contains("nextval");
        assertThat(classifier.classify("SELECT * FROM t LIMIT 5").notComparable()).isEqualTo("LIMIT without ORDER BY");
        assertThat(classifier.classify("SELECT * FROM (SELECT rand() r FROM t) x").notComparable()).contains("rand");
        assertThat(classifier.classify("SHOW search_path").action()).isEqualTo(Classification.Action.REPLAY);
        assertThat(classifier.classify("EXPLAIN SELECT 1").notComparable()).isNotNull();
    }

    @Test
    void literalsAndParametersShareAFingerprint() {
        String a = classifier.classify("SELECT name FROM t WHERE id = 42 AND tag IN (1, 2, 3) -- note").fingerprint();
        String b = classifier.classify("select name from t where id=$1 and tag in (7)").fingerprint();
        String c = classifier.classify("SELECT name\n  FROM t WHERE id = 'x''y' AND tag IN (4,5)").fingerprint();
        assertThat(a).isEqualTo(c).isEqualTo("select name from t where id = ? and tag in (?+)");
        assertThat(b).isEqualTo("select name from t where id = ? and tag in (?)");
        assertThat(classifier.classify("SELECT other FROM t WHERE id = 1").fingerprint()).isNotEqualTo(a);
        assertThat(classifier.classify("SELECT count(*), max(a) FROM t WHERE b IN (SELECT c FROM u)").fingerprint())
                .isEqualTo("select count(*), max(a) from t where b in (select c from u)");
    }

    @Test
    void aRepeatedShapeIsClassifiedAsItsFirstButLiteralKindsStayApart() {
        // one fingerprint, two parses: the parser takes TOP with a number, not with a string
        assertThat(Fingerprints.of("SELECT TOP 3 a FROM t")).isEqualTo(Fingerprints.of("SELECT TOP 'x' a FROM t"));
        for (String[] order : new String[][] {{"SELECT TOP 3 a FROM t", "SELECT TOP 'x' a FROM t"},
                {"SELECT TOP 'x' a FROM t", "SELECT TOP 3 a FROM t"}}) {
            StatementClassifier fresh = new StatementClassifier();
            fresh.classify(order[0]);
            assertThat(fresh.classify("SELECT TOP 4 a FROM t").action()).isEqualTo(Classification.Action.REPLAY);
            assertThat(fresh.classify("SELECT TOP 'y' a FROM t").reason()).isEqualTo(StatementClassifier.NOT_PARSED);
            fresh.classify(order[1]);
            assertThat(fresh.classify("SELECT TOP 5 a FROM t").notComparable()).isEqualTo("LIMIT without ORDER BY");
            assertThat(fresh.classify("SELECT TOP 'z' a FROM t").reason()).isEqualTo(StatementClassifier.NOT_PARSED);
        }
        // a known shape with other values: the same classification, the new statement's values not in it
        StatementClassifier fresh = new StatementClassifier();
        Classification first = fresh.classify("SELECT * FROM t WHERE id = 1 FOR UPDATE");
        assertThat(fresh.classify("SELECT * FROM t WHERE id = 2 FOR UPDATE")).isEqualTo(first);
        assertThat(fresh.classify("SELECT * FROM t WHERE id = 2").action()).isEqualTo(Classification.Action.REPLAY);
    }

    @Test
    void regressionNeedsTheFactorTheGapAndEnoughRuns() {
        Regressions r = new Regressions(2.0, 1000, 5);
        Percentiles fast = new Percentiles(100, 2_000, 3_000, 4_000);
        assertThat(r.isRegression(fast, new Percentiles(100, 4_100, 5_000, 6_000), 10)).isTrue();
        assertThat(r.isRegression(fast, new Percentiles(100, 4_000, 5_000, 6_000), 10)).as("not over 2x").isFalse();
        assertThat(r.isRegression(fast, new Percentiles(100, 40_000, 50_000, 60_000), 4)).as("too few runs").isFalse();
        Percentiles tiny = new Percentiles(10, 40, 50, 60);
        assertThat(r.isRegression(tiny, new Percentiles(10, 900, 950, 990), 100)).as("gap under 1 ms").isFalse();
        assertThat(new Regressions(1.0, 0, 1).isRegression(tiny, new Percentiles(10, 41, 50, 60), 1)).isTrue();
    }
}
