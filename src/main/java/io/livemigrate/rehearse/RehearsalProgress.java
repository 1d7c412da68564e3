package io.livemigrate.rehearse;

import org.springframework.batch.infrastructure.item.Chunk;

import java.util.concurrent.atomic.AtomicLong;

/** Statements this process has handled, for the command's progress line (the repository holds the totals). */
public final class RehearsalProgress {

    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong replayed = new AtomicLong();
    private final AtomicLong differences = new AtomicLong();

    void add(Chunk<? extends ReplayOutcome> chunk) {
        for (ReplayOutcome o : chunk) {
            statements.incrementAndGet();
            if (o.replayed()) {
                replayed.incrementAndGet();
            }
            if (o.difference() != null) {
                differences.incrementAndGet();
            }
        }
    }

    public long statements() {
        return statements.get();
    }

    public long replayed() {
        return replayed.get();
    }

    public long differences() {
        return differences.get();
    }
}
