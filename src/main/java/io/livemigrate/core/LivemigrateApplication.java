package io.livemigrate.core;

import io.livemigrate.repository.RepositoryLockRetry;
import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.repository.RepositoryLocation;
import io.livemigrate.repository.ReconnectingJobRepository;
import io.livemigrate.repository.RepositorySchema;
import org.springframework.batch.core.repository.ExecutionContextSerializer;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.dao.JacksonExecutionContextStringSerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

import java.sql.SQLException;

/**
 * The Spring context a job runs in: the job repository's data source (schema created on first use), the
 * migration's resources (opened by {@link JobContexts} before the context), and Spring Boot's Batch auto-configuration (JDBC job repository, JobOperator).
 * Jobs are added by the command that opens the context.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
// Only the auto-configurations a job needs: evaluating all of Boot's conditions costs seconds of CPU at every
// command, which a 2-core machine copying data feels.
@ImportAutoConfiguration({DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
        BatchJdbcAutoConfiguration.class, BatchAutoConfiguration.class})
public class LivemigrateApplication {

    /** The bean name of the process's {@link #livemigrateScheduler() scheduler}. */
    public static final String SCHEDULER = "livemigrateScheduler";

    /**
     * The process's periodic work: the throttle's poll, a worker's lease heart-beats, the manager's lease watchdog.
     * Daemon threads, one per kind of work so a slow lag query never delays a heart-beat. When the context closes
     * (after the beans that scheduled on it), a round under way finishes, for up to 5 s, and no other starts.
     */
    @Bean(SCHEDULER)
    ThreadPoolTaskScheduler livemigrateScheduler() {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(3);
        scheduler.setThreadNamePrefix("livemigrate-scheduler-");
        scheduler.setDaemon(true);
        scheduler.setWaitForTasksToCompleteOnShutdown(true);
        scheduler.setAwaitTerminationMillis(5000);
        return scheduler;
    }

    @Bean
    HikariDataSource dataSource(RepositoryLocation location) throws SQLException {
        HikariDataSource ds = location.pool("livemigrate-repository", 16);
        RepositoryLockRetry.open(() -> {
            ds.getConnection().close();
            return null;
        });
        RepositorySchema.ensure(ds);
        return ds;
    }

    /**
     * On an H2 repository, the job repository repeats a call whose connection lost the process serving the file
     * ({@link ReconnectingJobRepository}): every user of it, JobOperator and the steps included, gets the wrapped one.
     */
    @Bean
    static BeanPostProcessor reconnectingJobRepository(ObjectProvider<RepositoryLocation> location,
                                                       ObjectProvider<HikariDataSource> dataSource) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof JobRepository repository && location.getObject().isH2()) {
                    return ReconnectingJobRepository.wrap(repository, dataSource.getObject(), location.getObject());
                }
                return bean;
            }
        };
    }

    /** JSON contexts, so ops can read positions and partition progress straight from BATCH_*_CONTEXT. */
    @Bean
    ExecutionContextSerializer executionContextSerializer() {
        return new JacksonExecutionContextStringSerializer();
    }

    @Bean
    MigrationTables migrationTables(MigrationResources resources) {
        return MigrationTables.list(resources);
    }

    @Bean
    ResumableJobRunner resumableJobRunner(org.springframework.batch.core.launch.JobOperator jobOperator,
                                          org.springframework.batch.core.repository.JobRepository jobRepository) {
        return new ResumableJobRunner(jobOperator, jobRepository);
    }
}
