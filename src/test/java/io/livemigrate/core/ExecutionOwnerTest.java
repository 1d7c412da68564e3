package io.livemigrate.core;

import org.junit.jupiter.api.Test;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What can be known of the process that runs an execution, from real processes: this one runs; a child killed with
 * SIGKILL is gone; another host's process cannot be checked, so it is never taken for gone.
 */
class ExecutionOwnerTest {

    @Test
    void aProcessOfThisHostRunsOrIsGoneAndOneOfAnotherHostCannotBeChecked() throws Exception {
        assertThat(ExecutionOwner.stateOf(ownedBy(OwnerListener.hostName(), ProcessHandle.current().pid())))
                .isEqualTo(ExecutionOwner.State.RUNNING);

        Process child = new ProcessBuilder("sleep", "600").start();
        JobExecution ofChild = ownedBy(OwnerListener.hostName(), child.pid());
        assertThat(ExecutionOwner.stateOf(ofChild)).isEqualTo(ExecutionOwner.State.RUNNING);
        assertThat(ExecutionOwner.mayBeRunning(ofChild)).isTrue();
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ExecutionOwner.stateOf(ofChild)).isEqualTo(ExecutionOwner.State.GONE);
        assertThat(ExecutionOwner.mayBeRunning(ofChild)).isFalse();
        assertThat(ExecutionOwner.of(ofChild).orElseThrow()).hasToString("process " + child.pid() + " on this host");

        // the same pid on another machine says nothing about this one's processes
        JobExecution elsewhere = ownedBy("another-" + OwnerListener.hostName(), child.pid());
        assertThat(ExecutionOwner.stateOf(elsewhere)).isEqualTo(ExecutionOwner.State.ELSEWHERE);
        assertThat(ExecutionOwner.mayBeRunning(elsewhere)).isTrue();
        assertThat(ExecutionOwner.of(elsewhere).orElseThrow()).hasToString("process " + child.pid()
                + " on host another-" + OwnerListener.hostName());

        JobExecution unrecorded = new JobExecution(3, new JobInstance(1, "catchup"), new JobParameters());
        assertThat(ExecutionOwner.stateOf(unrecorded)).isEqualTo(ExecutionOwner.State.UNRECORDED);
        assertThat(ExecutionOwner.mayBeRunning(unrecorded)).as("abandoned: a command run again recovers it").isFalse();
    }

    private static JobExecution ownedBy(String host, long pid) {
        JobExecution execution = new JobExecution(2, new JobInstance(1, "catchup"), new JobParameters());
        execution.getExecutionContext().putString(OwnerListener.HOST_KEY, host);
        execution.getExecutionContext().putLong(OwnerListener.PID_KEY, pid);
        return execution;
    }
}
