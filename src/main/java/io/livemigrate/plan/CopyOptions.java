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

    public static final CopyOptions DEFAULTS = new CopyOptions(4, 10_000, 1_000_000, true);
}
