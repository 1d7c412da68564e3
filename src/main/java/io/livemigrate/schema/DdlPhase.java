package io.livemigrate.schema;

/** When a statement the copy deferred is built (see {@link DeferredDdl}). */
public enum DdlPhase {

    /** The paging key's own index: when the copy's data is in, and before a restarted copy redoes a slice. */
    KEY("the key index"),
    /** Secondary indexes that reject nothing: when the copy's data is in. */
    INDEX("an index"),
    /** Unique and exclusion constraints: once catch-up has applied past the copy's end. */
    CONSTRAINT("a unique or exclusion constraint"),
    /** Foreign keys: after the constraints they may rest on. */
    FOREIGN_KEY("a foreign key");

    private final String label;

    DdlPhase(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
