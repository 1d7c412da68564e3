package io.livemigrate.core;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Records which process runs a job execution (host and pid, read back by {@link ExecutionOwner}), so the next command
 * can tell a running execution from one whose process died (kill -9) and can be recovered and restarted.
 *
 * <p>The record is saved at once: Spring Batch saves a job's context only after each of its steps, and catch-up is
 * one step that runs for days, so without this its owner would be unknown for as long as it runs.
 */
public class OwnerListener implements JobExecutionListener {

    public static final String HOST_KEY = "owner.host";
    public static final String PID_KEY = "owner.pid";

    private final JobRepository repository;

    public OwnerListener(JobRepository repository) {
        this.repository = repository;
    }

    @Override
    public void beforeJob(JobExecution jobExecution) {
        // A restart inherits the context of the execution it resumes; Spring Batch's recover() marks contexts
        // "batch.recovered" and would refuse to recover this new execution if the mark were carried over.
        jobExecution.getExecutionContext().remove("batch.recovered");
        jobExecution.getExecutionContext().putString(HOST_KEY, hostName());
        jobExecution.getExecutionContext().putLong(PID_KEY, ProcessHandle.current().pid());
        repository.updateExecutionContext(jobExecution);
    }

    public static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
