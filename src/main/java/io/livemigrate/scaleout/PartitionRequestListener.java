package io.livemigrate.scaleout;

import com.rabbitmq.client.Channel;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.amqp.support.converter.MessageConverter;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.integration.partition.StepExecutionRequest;
import org.springframework.batch.integration.partition.StepExecutionRequestHandler;

import java.io.IOException;
import java.io.PrintStream;

/**
 * A worker's consumer of partition requests. Each request is claimed in the repository first (refused if another
 * worker has it or the manager no longer waits for it), acknowledged to the broker once claimed, then run by
 * Spring Batch's {@link StepExecutionRequestHandler} with the lease beating. Acknowledging at claim time, not at
 * the end: a partition can run for hours, longer than RabbitMQ lets a delivery stay unacknowledged, and after a
 * crash the lease, not a redelivery, decides what runs again.
 */
final class PartitionRequestListener implements ChannelAwareMessageListener {

    private final MessageConverter converter;
    private final JobRepository jobRepository;
    private final StepExecutionRequestHandler handler;
    private final PartitionLeases leases;
    private final LeaseHeartbeat heartbeat;
    private final String worker;
    private final PrintStream out;

    PartitionRequestListener(MessageConverter converter, JobRepository jobRepository,
                             StepExecutionRequestHandler handler, PartitionLeases leases, LeaseHeartbeat heartbeat,
                             String worker, PrintStream out) {
        this.converter = converter;
        this.jobRepository = jobRepository;
        this.handler = handler;
        this.leases = leases;
        this.heartbeat = heartbeat;
        this.worker = worker;
        this.out = out;
    }

    @Override
    public void onMessage(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        if (!(converter.fromMessage(message) instanceof StepExecutionRequest request)) {
            out.println("worker " + worker + ": ignoring a message that is not a partition request");
            channel.basicAck(tag, false);
            return;
        }
        StepExecution step = jobRepository.getStepExecution(request.getStepExecutionId());
        if (step == null || step.getStatus() != BatchStatus.STARTING || !leases.claim(step.getId(),
                step.getJobExecutionId(), step.getStepName(), worker)) {
            out.println("worker " + worker + ": skipping " + request + ": already taken, or its job no longer waits");
            channel.basicAck(tag, false);
            return;
        }
        channel.basicAck(tag, false);
        out.println("worker " + worker + ": running " + step.getStepName() + " (step execution " + step.getId() + ")");
        try (AutoCloseable beating = heartbeat.track(step.getId())) {
            StepExecution result = handler.handle(request);
            recordIfUnrecorded(result);
            out.println("worker " + worker + ": " + step.getStepName() + " " + result.getStatus());
        }
        catch (Exception e) {
            out.println("worker " + worker + ": " + step.getStepName() + " failed: " + e);
        }
        finally {
            leases.finish(step.getId());
        }
    }

    /**
     * The handler turns an exception that escaped the step into FAILED on the object only, leaving the repository
     * row running, on which the manager would wait for ever: write it, unless the manager already failed it.
     */
    private void recordIfUnrecorded(StepExecution result) {
        StepExecution stored = jobRepository.getStepExecution(result.getId());
        if (stored != null && stored.getStatus().isRunning() && !result.getStatus().isRunning()) {
            stored.setStatus(result.getStatus());
            stored.setExitStatus(result.getExitStatus());
            stored.setEndTime(java.time.LocalDateTime.now());
            jobRepository.update(stored);
        }
    }
}
