package io.livemigrate.keyrange;

import io.livemigrate.scaleout.PartitionObserver;
import io.livemigrate.scaleout.RemotePartitioning;
import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;

/**
 * Builds the manager step that runs a job's key ranges, one partition per range, each partition the worker step:
 * on remote workers when the command asked for them ({@code --workers remote} added a {@link RemotePartitioning}),
 * otherwise on a pool of local threads named after the step ({@code copy-1}, {@code verify-1}, ...).
 */
public final class RangePartitionStepBuilder {

    private final String name;
    private final JobRepository jobRepository;
    private Partitioner partitioner;
    private Step workerStep;
    private String partitionNames;
    private int threads = 1;
    private RemotePartitioning remote;
    private PartitionObserver observer = PartitionObserver.NONE;

    /** @param name the manager step, e.g. {@code copy} */
    public RangePartitionStepBuilder(String name, JobRepository jobRepository) {
        this.name = name;
        this.jobRepository = jobRepository;
    }

    /**
     * The ranges (or other partitions, e.g. rehearse's session groups), and the step that runs one of them; workers
     * find that step by its name.
     */
    public RangePartitionStepBuilder ranges(Partitioner partitioner, Step workerStep) {
        this.partitioner = partitioner;
        this.workerStep = workerStep;
        return this;
    }

    /**
     * Names the partitions {@code <names>:<key>} rather than after the worker step, for a job that picks one of
     * several worker steps for the same partitions (rehearse's chunk size differs when following).
     */
    public RangePartitionStepBuilder partitionNames(String names) {
        this.partitionNames = names;
        return this;
    }

    /** How many partitions run at once in this process when they run locally. */
    public RangePartitionStepBuilder localThreads(int threads) {
        this.threads = threads;
        return this;
    }

    /**
     * Runs the partitions on remote workers instead, when {@code remote} is not null; {@code observer} sees their
     * step executions as the manager polls them.
     */
    public RangePartitionStepBuilder remote(RemotePartitioning remote, PartitionObserver observer) {
        this.remote = remote;
        this.observer = observer;
        return this;
    }

    public Step build() throws Exception {
        String partitions = partitionNames != null ? partitionNames : workerStep.getName();
        if (remote != null) {
            return remote.managerStep(name, partitions, workerStep.getName(), partitioner, observer);
        }
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setCorePoolSize(threads);
        executor.setMaxPoolSize(threads);
        executor.setThreadNamePrefix(name + "-");
        executor.initialize();
        return new StepBuilder(name, jobRepository)
                .partitioner(partitions, partitioner)
                .step(workerStep)
                .gridSize(threads)
                .taskExecutor(executor)
                .build();
    }
}
