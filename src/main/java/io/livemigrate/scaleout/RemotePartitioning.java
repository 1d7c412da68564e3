package io.livemigrate.scaleout;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.integration.partition.MessageChannelPartitionHandler;
import org.springframework.integration.core.MessagingTemplate;
import org.springframework.messaging.MessageChannel;
import org.springframework.scheduling.TaskScheduler;

/**
 * Builds manager steps whose partitions run on remote workers: a job configuration asks for one when this bean
 * exists (the command added {@link RemoteManagerConfiguration}) and builds its usual local step otherwise.
 * Spring Batch's {@code RemotePartitioningManagerStepBuilder} creates its handler internally, leaving no place
 * for the lease checks, so the same parts are assembled here.
 */
public final class RemotePartitioning {

    private final JobRepository jobRepository;
    private final MessageChannel requests;
    private final PartitionLeases leases;
    private final ScaleOutSettings settings;
    private final TaskScheduler scheduler;

    RemotePartitioning(JobRepository jobRepository, MessageChannel requests, PartitionLeases leases,
                       ScaleOutSettings settings, TaskScheduler scheduler) {
        this.jobRepository = jobRepository;
        this.requests = requests;
        this.leases = leases;
        this.settings = settings;
        this.scheduler = scheduler;
    }

    /**
     * @param stepName       the manager step, e.g. {@code copy}
     * @param workerStepName the step the workers run per partition, e.g. {@code copy-range}; workers find it by
     *                       this name
     */
    public Step managerStep(String stepName, String workerStepName, Partitioner partitioner,
                            PartitionObserver observer) throws Exception {
        return managerStep(stepName, workerStepName, workerStepName, partitioner, observer);
    }

    /**
     * As {@link #managerStep(String, String, Partitioner, PartitionObserver)}, the partitions named
     * {@code <partitionNames>:<key>}.
     */
    public Step managerStep(String stepName, String partitionNames, String workerStepName, Partitioner partitioner,
                            PartitionObserver observer) throws Exception {
        MessageChannelPartitionHandler messaging = new MessageChannelPartitionHandler();
        messaging.setStepName(workerStepName);
        messaging.setMessagingOperations(new MessagingTemplate(requests));
        messaging.setJobRepository(jobRepository); // poll the repository for results: no reply queue to lose
        messaging.setPollInterval(Math.max(200, settings.heartbeat().toMillis() / 2));
        messaging.afterPropertiesSet();
        return new StepBuilder(stepName, jobRepository)
                .partitioner(partitionNames, partitioner)
                .partitionHandler(new LeasedPartitionHandler(messaging, leases, jobRepository, settings, observer,
                        System.out, scheduler))
                .build();
    }
}
