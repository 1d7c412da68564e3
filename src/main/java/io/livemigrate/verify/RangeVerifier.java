package io.livemigrate.verify;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.ChunkDigester.ChunkDigest;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.TargetRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * Verifies one key range of one table: compares the two sides' chunk digests; when they differ, bisects the range at
 * the source's median key and rechecks both halves, down to ranges of at most {@link #LEAF_ROWS} source rows, whose
 * rows are then compared by key through per-column digests. Only differing leaves are read row by row.
 *
 * <p>A differing leaf is rechecked while catch-up runs (see {@link AppliedPositionProbe}), and with {@code repair}
 * re-copied from the source through the engine's idempotent {@code copyRange} and compared again.
 */
final class RangeVerifier {

    static final int LEAF_ROWS = 1_000;
    static final int FLUX_ROUNDS = 3;
    static final Duration FLUX_WAIT = Duration.ofSeconds(30);
    /** Differences kept per leaf to report by key; beyond it they are counted only. */
    private static final int LEAF_SAMPLES = 10_000;
    private static final Logger log = LoggerFactory.getLogger(RangeVerifier.class);
    /** Runs the target side of each digest pair; daemon threads, so they never hold the JVM open. */
    private static final Executor TARGET_DIGESTS = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "verify-target-digest");
        thread.setDaemon(true);
        return thread;
    });

    private final MigrationResources resources;
    private final ChunkDigester digester;
    private final TableInfo table;
    private final TableId targetId;
    private final KeysetSql keyset;
    private final AppliedPositionProbe probe;
    private final boolean repair;

    RangeVerifier(MigrationResources resources, ChunkDigester digester, TableInfo table,
                  AppliedPositionProbe probe, boolean repair) {
        this.resources = resources;
        this.digester = digester;
        this.table = table;
        this.targetId = resources.plan().targetTable(table.id());
        this.keyset = new KeysetSql(resources.engine().dialect(), table);
        this.probe = probe;
        this.repair = repair;
    }

    /** The outcome of one range: totals and the differences found (every one, up to a sample limit per leaf). */
    record Result(VerifyCounts counts, List<Difference> differences) {
    }

    Result verify(KeyValue lower, KeyValue upper) throws SQLException {
        VerifyCounts counts = new VerifyCounts();
        List<Difference> found = new ArrayList<>();
        try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection()) {
            ChunkDigest[] both = digestBoth(s, t, lower, upper);
            ChunkDigest sd = both[0];
            ChunkDigest td = both[1];
            counts.compared = sd.rows();
            if (!sd.equals(td)) {
                drill(s, t, lower, upper, sd, counts, found);
            }
        }
        return new Result(counts, found);
    }

    /**
     * Both sides' digests of one range, computed at the same time: each is a full scan on its own server, so running
     * them one after the other would double the wall time of every chunk.
     */
    private ChunkDigest[] digestBoth(Connection s, Connection t, KeyValue lower, KeyValue upper) throws SQLException {
        CompletableFuture<ChunkDigest> target = CompletableFuture.supplyAsync(() -> {
            try {
                return digester.digest(t, targetId, lower, upper);
            }
            catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, TARGET_DIGESTS);
        ChunkDigest source = digester.digest(s, table.id(), lower, upper);
        try {
            return new ChunkDigest[] {source, target.join()};
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e;
        }
    }

    private void drill(Connection s, Connection t, KeyValue lower, KeyValue upper, ChunkDigest sd,
                       VerifyCounts counts, List<Difference> found) throws SQLException {
        KeyValue mid = sd.rows() <= LEAF_ROWS ? null : keyset.nextBoundary(s, lower, upper, (int) (sd.rows() / 2));
        if (mid == null || mid.equals(upper)) {
            leaf(s, t, lower, upper, counts, found);
            return;
        }
        for (KeyValue[] half : new KeyValue[][] {{lower, mid}, {mid, upper}}) {
            ChunkDigest[] both = digestBoth(s, t, half[0], half[1]);
            ChunkDigest hs = both[0];
            ChunkDigest ht = both[1];
            if (!hs.equals(ht)) {
                drill(s, t, half[0], half[1], hs, counts, found);
            }
        }
    }

    private void leaf(Connection s, Connection t, KeyValue lower, KeyValue upper, VerifyCounts counts,
                      List<Difference> found) throws SQLException {
        Map<String, Difference> diffs = persistentDifferences(s, t, lower, upper, counts);
        if (repair && !diffs.isEmpty()) {
            long before = diffs.size();
            copy(s, t, lower, upper);
            diffs = differences(compareRows(s, t, lower, upper));
            counts.repaired += Math.max(0, before - diffs.size());
            log.info("repaired {} row(s) of {} in ({}, {}]", before - diffs.size(), table.id(), lower, upper);
        }
        for (Difference d : diffs.values()) {
            switch (d.kind()) {
                case MISSING -> counts.missing++;
                case EXTRA -> counts.extra++;
                case DIFFERENT -> counts.different++;
            }
        }
        found.addAll(diffs.values());
    }

    /**
     * The leaf's differences, less those in flux while catch-up runs. Then each comparison reads the source rows,
     * waits until the target has applied everything the source had committed by then, and reads the target rows, so
     * replication lag alone makes no difference. Rows the application changes meanwhile still can, so a differing
     * key is compared again, for at most {@link #FLUX_ROUNDS} rounds: it is a difference when it differs again with
     * neither side's row changed in between (the target had every chance to catch up and did not move). Keys that
     * stop differing, or whose rows kept changing, are in flux (a row written constantly can stay there; the
     * cutover re-checks changed rows with writes fenced). Without catch-up running nothing is rechecked.
     */
    private Map<String, Difference> persistentDifferences(Connection s, Connection t, KeyValue lower, KeyValue upper,
                                                          VerifyCounts counts) throws SQLException {
        Map<String, RowDigestComparison.Mismatch> diffs = compareRows(s, t, lower, upper);
        long first = diffs.size();
        Set<String> stable = null;
        for (int round = 1; probe != null && round <= FLUX_ROUNDS && !diffs.isEmpty(); round++) {
            Map<String, RowDigestComparison.Mismatch> again = compareRows(s, t, lower, upper);
            Map<String, RowDigestComparison.Mismatch> still = new LinkedHashMap<>();
            stable = new HashSet<>();
            for (Map.Entry<String, RowDigestComparison.Mismatch> e : diffs.entrySet()) {
                RowDigestComparison.Mismatch now = again.get(e.getKey());
                if (now != null) {
                    still.put(e.getKey(), now);
                    if (now.sameStatesAs(e.getValue())) {
                        stable.add(e.getKey());
                    }
                }
            }
            diffs = still;
            if (stable.size() == diffs.size()) {
                break;
            }
        }
        if (stable != null) {
            diffs.keySet().retainAll(stable);
        }
        counts.inFlux += first - diffs.size();
        return differences(diffs);
    }

    private static Map<String, Difference> differences(Map<String, RowDigestComparison.Mismatch> mismatches) {
        Map<String, Difference> differences = new LinkedHashMap<>();
        mismatches.forEach((k, m) -> differences.put(k, m.difference()));
        return differences;
    }

    /** Rows of the leaf by key: the source's (at most a leaf's worth) held, the target's streamed past them. */
    private Map<String, RowDigestComparison.Mismatch> compareRows(Connection s, Connection t, KeyValue lower,
                                                                  KeyValue upper) throws SQLException {
        return RowDigestComparison.compareTracked(table.id().qualified(), digester.columns(),
                sink -> digester.rows(s, table.id(), lower, upper, sink),
                sink -> {
                    if (probe != null) {
                        awaitApplied(sourcePosition());
                    }
                    digester.rows(t, targetId, lower, upper, sink);
                }, LEAF_SAMPLES);
    }

    /** Re-copies the leaf as the copy job does: delete the range on the target and bulk-load it, one transaction. */
    private void copy(Connection s, Connection t, KeyValue lower, KeyValue upper) throws SQLException {
        boolean sAuto = s.getAutoCommit();
        boolean tAuto = t.getAutoCommit();
        s.setAutoCommit(false);
        t.setAutoCommit(false);
        try {
            resources.engine().copyRange(s, t, table, targetId, lower, upper, TargetRange.REPLACE);
            t.commit();
            s.commit();
        }
        catch (SQLException | RuntimeException e) {
            t.rollback();
            s.rollback();
            throw e;
        }
        finally {
            t.setAutoCommit(tAuto);
            s.setAutoCommit(sAuto);
        }
    }

    private String sourcePosition() throws SQLException {
        if (probe == null) {
            return null;
        }
        try {
            return probe.sourcePosition();
        }
        catch (SQLException | RuntimeException e) {
            throw e;
        }
        catch (Exception e) {
            throw new IllegalStateException("cannot read the source position for a recheck: " + e.getMessage(), e);
        }
    }

    private void awaitApplied(String position) {
        try {
            if (!probe.awaitApplied(position, FLUX_WAIT)) {
                log.warn("catch-up has not applied {} within {}; rechecking {} anyway", position, FLUX_WAIT, table.id());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for catch-up", e);
        }
        catch (Exception e) {
            throw new IllegalStateException("cannot read the applied position: " + e.getMessage(), e);
        }
    }
}
