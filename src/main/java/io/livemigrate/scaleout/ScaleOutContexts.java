package io.livemigrate.scaleout;

import io.livemigrate.core.JobContexts;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.RepositoryLocation;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Opens the Spring context of a scaled-out manager or worker, after checking what an operator must fix first (so
 * a missing broker is one line and exit 2, not a failed context with a stack trace).
 */
public final class ScaleOutContexts {

    private ScaleOutContexts() {
    }

    /**
     * The context of a job command: local partitions when {@code settings} is null, otherwise partitions sent to
     * the broker.
     */
    public static ConfigurableApplicationContext manager(MigrationPlan plan, RepositoryLocation repository,
                                                         ScaleOutSettings settings, Class<?>... jobConfigurations) {
        return manager(plan, repository, settings, Map.of(), jobConfigurations);
    }

    /** As {@link #manager(MigrationPlan, RepositoryLocation, ScaleOutSettings, Class[])}, with the command's beans. */
    public static ConfigurableApplicationContext manager(MigrationPlan plan, RepositoryLocation repository,
                                                         ScaleOutSettings settings, Map<String, Object> beans,
                                                         Class<?>... jobConfigurations) {
        if (settings == null) {
            return JobContexts.open(plan, repository, beans, jobConfigurations);
        }
        check(repository, settings);
        Map<String, Object> all = new java.util.HashMap<>(beans);
        all.put("scaleOut", settings);
        return JobContexts.open(plan, repository, all, with(jobConfigurations, RemoteManagerConfiguration.class));
    }

    /** The context of a worker process, running the worker steps of the given job configurations. */
    public static ConfigurableApplicationContext worker(MigrationPlan plan, RepositoryLocation repository,
                                                        ScaleOutSettings settings, Class<?>... jobConfigurations) {
        check(repository, settings);
        return JobContexts.open(plan, repository, Map.of("scaleOut", settings),
                with(jobConfigurations, WorkerConfiguration.class));
    }

    private static void check(RepositoryLocation repository, ScaleOutSettings settings) {
        requireSharedRepository(repository);
        BrokerConnections.open(settings).destroy();
    }

    /**
     * Manager and workers must use one repository, named explicitly (the default H2 file lives in each process's
     * working directory, so a worker started elsewhere would silently use another one), and one that outlives any
     * of them: PostgreSQL or MySQL. Not H2, even with AUTO_SERVER=TRUE: the process that opened the file first
     * serves it to the others, so killing that worker (exactly what liveness is for) stalls the manager.
     */
    static void requireSharedRepository(RepositoryLocation repository) {
        if (repository.isDefault()) {
            throw new ScaleOutException("remote workers share the job repository with the manager: pass the same "
                    + "--repository jdbc:postgresql://... or jdbc:mysql://... (or " + RepositoryLocation.URL_VARIABLE
                    + ") to the command and every worker");
        }
        if (repository.url().startsWith("jdbc:h2:")) {
            throw new ScaleOutException("--repository " + repository + ": H2 cannot be the repository of remote "
                    + "workers (one process serves the file to the others, and a killed worker would take it down); "
                    + "use a PostgreSQL or MySQL database");
        }
    }

    private static Class<?>[] with(Class<?>[] jobs, Class<?> extra) {
        return Stream.concat(Arrays.stream(jobs), Stream.of(extra)).toArray(Class<?>[]::new);
    }
}
