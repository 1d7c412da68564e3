package io.livemigrate.copy;

import io.livemigrate.engine.TableId;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** Rows copied per table in this process, for the console progress line and the end-of-run summary. */
public class CopyProgress {

    /** One table's counters. */
    public static final class TableCounter {
        private final AtomicLong rows = new AtomicLong();
        private volatile long estimatedRows;
        private volatile long firstNanos;
        private volatile long lastNanos;

        public long rows() {
            return rows.get();
        }

        public long estimatedRows() {
            return estimatedRows;
        }

        /** Seconds this table has been copying: from its first slice to its last one (or now, while running). */
        public double seconds() {
            if (firstNanos == 0) {
                return 0;
            }
            boolean done = estimatedRows > 0 && rows.get() >= estimatedRows;
            return ((done ? lastNanos : System.nanoTime()) - firstNanos) / 1e9;
        }

        void add(long n) {
            long now = System.nanoTime();
            if (firstNanos == 0) {
                firstNanos = now;
            }
            rows.addAndGet(n);
            lastNanos = now;
        }
    }

    private final Map<TableId, TableCounter> tables = new ConcurrentSkipListMap<>();
    private final long startNanos = System.nanoTime();

    public void expect(TableId table, long estimatedRows) {
        tables.computeIfAbsent(table, t -> new TableCounter()).estimatedRows = estimatedRows;
    }

    public void copied(TableId table, long rows) {
        tables.computeIfAbsent(table, t -> new TableCounter()).add(rows);
    }

    public Map<TableId, TableCounter> tables() {
        return tables;
    }

    public long totalRows() {
        return tables.values().stream().mapToLong(TableCounter::rows).sum();
    }

    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
