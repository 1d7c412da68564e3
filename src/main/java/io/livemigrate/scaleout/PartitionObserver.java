package io.livemigrate.scaleout;

import org.springframework.batch.core.step.StepExecution;

import java.util.Collection;

/**
 * Sees the partitions' step executions as the manager polls the repository, e.g. to show rows copied by workers
 * in this process's progress display.
 */
@FunctionalInterface
public interface PartitionObserver {

    PartitionObserver NONE = partitions -> {
    };

    void observe(Collection<StepExecution> partitions);
}
