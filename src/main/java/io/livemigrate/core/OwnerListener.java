package io.livemigrate.core;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Records which process runs a job execution (host and pid), so the next command can tell a running execution
 * from one whose process died (kill -9) and can be recovered and restarted. Stored at once: Spring Batch saves a
 * job's execution context only after each step, so a job in its first (or only) step, such as catch-up or a followed
 * rehearsal, would otherwise look ownerless, and a second command would recover it and run beside it.
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
