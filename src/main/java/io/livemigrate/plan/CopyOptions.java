package io.livemigrate.plan;

/**
 * How the bulk copy runs.
 *
 * @param threads        partitions copied at once (across all tables)
 * @param chunkRows      rows per chunk: one target transaction and one checkpoint in the job repository
 * @param partitionRows  rows a partition aims for; tables are split into ranges of about this size
 * @param createSchema   create missing target tables from the source definitions
 */
public record CopyOptions(int threads, int chunkRows, long partitionRows, boolean createSchema) {

    /**
     * 50,000 rows a chunk: large enough that commits, boundary queries and repository writes are a small part of the
     * copy (docs/benchmarks.md, "Figures behind the code"); a crash redoes at most one chunk per partition, and the
     * bulk paths stream, so memory does not grow with it.
     */
    public static final CopyOptions DEFAULTS = new CopyOptions(4, 50_000, 1_000_000, true);
}
