package io.livemigrate.repository;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.step.StepExecution;

import java.lang.reflect.Field;
import java.util.Collection;

/**
 * Takes back what a failed repository call added to Spring Batch's objects in memory: a step execution added to its
 * job execution, a job execution added to its job instance, whose rows the call's rolled-back transaction took with
 * it. Spring Batch offers adding only, so the lists are reached by their field; {@code ReconnectingJobRepositoryTest}
 * fails when a Spring Batch version renames them.
 */
final class InMemoryEntities {

    private InMemoryEntities() {
    }

    static void forget(JobExecution job, StepExecution step) {
        remove(JobExecution.class, "stepExecutions", job, step);
    }

    static void forget(JobInstance instance, JobExecution job) {
        remove(JobInstance.class, "jobExecutions", instance, job);
    }

    private static void remove(Class<?> type, String field, Object owner, Object element) {
        try {
            Field list = type.getDeclaredField(field);
            list.setAccessible(true);
            ((Collection<?>) list.get(owner)).remove(element);
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot take back " + element + " from " + type.getSimpleName() + "."
                    + field + " (a Spring Batch version this livemigrate was not built with?)", e);
        }
    }
}
