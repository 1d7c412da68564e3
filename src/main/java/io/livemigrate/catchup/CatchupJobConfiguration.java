package io.livemigrate.catchup;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.core.OwnerListener;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;

/**
 * The catch-up job: one long-running tasklet step, "catchup", that streams source changes to the target until
 * stopped. It ends STOPPED (stop, SIGTERM, caught up with --until-caught-up), so the next run restarts it from the
 * position the target committed; it never completes before cutover.
 */
@Configuration(proxyBeanMethods = false)
public class CatchupJobConfiguration {

    public static final String JOB_NAME = "catchup";
    public static final String STEP_NAME = "catchup";

    @Bean
    Job catchupJob(JobRepository jobRepository, PlatformTransactionManager tx, CatchupTasklet catchupTasklet) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .listener(new OwnerListener(jobRepository))
                .start(new StepBuilder(STEP_NAME, jobRepository)
                        .tasklet(catchupTasklet, tx)
                        .listener(catchupTasklet)
                        .build())
                .build();
    }

    @Bean
    CatchupTasklet catchupTasklet(MigrationResources resources, MigrationTables tables, CatchupControl control,
                                  CatchupProgress progress, JobRepository jobRepository, DataSource dataSource) {
        return new CatchupTasklet(resources, tables, control, progress, jobRepository, dataSource);
    }

    @Bean
    CatchupControl catchupControl() {
        return new CatchupControl();
    }

    @Bean
    CatchupProgress catchupProgress() {
        return new CatchupProgress();
    }
}
