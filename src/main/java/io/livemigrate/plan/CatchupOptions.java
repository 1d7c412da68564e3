package io.livemigrate.plan;

/**
 * How catch-up applies the change stream.
 *
 * @param applyThreads target connections that apply source transactions at once; transactions that share a row, a
 *                     unique value or a foreign-key value keep their source order (docs/design.md, "Parallel apply")
 */
public record CatchupOptions(int applyThreads) {

    /** One apply connection, as a native subscription has, until measurement says more pays on most machines. */
    public static final CatchupOptions DEFAULTS = new CatchupOptions(1);

    /** The most apply connections a plan may ask for. */
    public static final int MAX_APPLY_THREADS = 64;
}
