package io.livemigrate.repository;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariDataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.EOFException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a repeated repository call leaves behind, on a real H2 repository. A call whose server went away failed at
 * one of its round trips; the one that matters here is the last, the commit: either the commit never reached the
 * server (the transaction rolled back with the session) or the server committed and exited before its reply. No
 * process can be stopped at that exact moment from outside ({@code CutoverFailureTest} stops the server under a
 * write that waits for a lock), so {@link LostServer} lets the call run to its end in a transaction of its own, then
 * rolls that back or commits it, and fails the call as the lost server does.
 */
class ReconnectingJobRepositoryTest {

    private static final JobParameters PARAMETERS = new JobParametersBuilder().addString("plan", "p")
            .toJobParameters();

    @TempDir
    Path dir;

    private HikariDataSource pool;
    private JdbcTransactionManager tx;
    private LostServer lostServer;
    /** Spring Batch's repository, failing as {@link #lostServer} says. */
    private JobRepository failing;
    /** {@link #failing}, wrapped. */
    private JobRepository repository;
    private JdbcTemplate jdbc;

    @BeforeEach
    void openRepository() throws Exception {
        RepositoryLocation location = RepositoryLocation.resolve("jdbc:h2:file:" + dir.resolve("repository"),
                Map.of(), dir);
        pool = location.pool("test-repository", 4);
        RepositorySchema.ensure(pool);
        tx = new JdbcTransactionManager(pool);
        JdbcJobRepositoryFactoryBean factory = new JdbcJobRepositoryFactoryBean();
        factory.setDataSource(pool);
        factory.setTransactionManager(tx);
        // LostServer runs a call in a transaction of its own to commit or roll it back: the creating calls, which
        // refuse to join a caller's transaction, must accept that one
        factory.setValidateTransactionState(false);
        factory.afterPropertiesSet();
        lostServer = new LostServer(new TransactionTemplate(tx));
        ProxyFactory failingRepository = new ProxyFactory();
        failingRepository.setTarget(factory.getObject());
        failingRepository.addInterface(JobRepository.class);
        failingRepository.addAdvice(lostServer);
        failing = (JobRepository) failingRepository.getProxy();
        repository = ReconnectingJobRepository.wrap(failing, pool, location);
        jdbc = new JdbcTemplate(pool);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aStepUpdateWhoseCommitNeverArrivedIsDoneOnce() {
        StepExecution step = newStep();
        int version = step.getVersion();
        lostServer.failNext("update", false);
        step.setStatus(BatchStatus.COMPLETED);
        repository.update(step);
        assertThat(lostServer.failures).isEqualTo(1);
        assertThat(storedStepVersion(step)).isEqualTo(version + 1).isEqualTo(step.getVersion());
        assertThat(jdbc.queryForObject("SELECT STATUS FROM BATCH_STEP_EXECUTION WHERE STEP_EXECUTION_ID = ?",
                String.class, step.getId())).isEqualTo("COMPLETED");
        repository.update(step); // the version in memory is the stored one: no concurrent modification
        assertThat(storedStepVersion(step)).isEqualTo(version + 2);
    }

    @Test
    void aStepUpdateWhoseReplyWasLostIsNotDoneTwice() {
        StepExecution step = newStep();
        int version = step.getVersion();
        lostServer.failNext("update", true);
        repository.update(step);
        assertThat(lostServer.failures).isEqualTo(1);
        assertThat(storedStepVersion(step)).isEqualTo(version + 1).isEqualTo(step.getVersion());
        repository.update(step);
        assertThat(storedStepVersion(step)).isEqualTo(version + 2);
    }

    @Test
    void aJobExecutionUpdateIsRepeatedWhetherItsCommitArrivedOrNot() {
        for (boolean committed : new boolean[] {false, true}) {
            JobExecution job = newJobExecution();
            lostServer.failNext("update", committed);
            job.setStatus(BatchStatus.STOPPING);
            repository.update(job);
            assertThat(jdbc.queryForObject("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                    String.class, job.getId())).isEqualTo("STOPPING");
            assertThat(jdbc.queryForObject("SELECT VERSION FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                    Integer.class, job.getId())).isEqualTo(job.getVersion());
        }
        assertThat(lostServer.failures).isEqualTo(2);
    }

    @Test
    void aStepExecutionIsCreatedAndListedOnceWhetherItsCommitArrivedOrNot() {
        for (boolean committed : new boolean[] {false, true}) {
            JobExecution job = newJobExecution();
            lostServer.failNext("createStepExecution", committed);
            StepExecution step = repository.createStepExecution("step", job);
            assertThat(job.getStepExecutions()).as("committed: " + committed).containsExactly(step);
            assertThat(jdbc.queryForList("SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                    Long.class, job.getId())).containsExactly(step.getId());
        }
        assertThat(lostServer.failures).isEqualTo(2);
    }

    @Test
    void aJobExecutionIsCreatedAndListedOnceWhetherItsCommitArrivedOrNot() {
        for (boolean committed : new boolean[] {false, true}) {
            JobInstance instance = repository.createJobInstance("job-" + committed, PARAMETERS);
            lostServer.failNext("createJobExecution", committed);
            JobExecution job = repository.createJobExecution(instance, PARAMETERS, new ExecutionContext());
            assertThat(instance.getJobExecutions()).as("committed: " + committed).containsExactly(job);
            assertThat(jdbc.queryForList("SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION WHERE JOB_INSTANCE_ID = ?",
                    Long.class, instance.getInstanceId())).containsExactly(job.getId());
        }
    }

    @Test
    void aJobInstanceWhoseReplyWasLostFailsLoudlyAsOneThatExists() {
        lostServer.failNext("createJobInstance", true);
        assertThatThrownBy(() -> repository.createJobInstance("job", PARAMETERS))
                .hasMessageContaining("JobInstance must not already exist");
        assertThat(repository.getJobInstance("job", PARAMETERS)).isNotNull();
    }

    @Test
    void aCallInsideTheCallersRepositoryTransactionIsNotRepeated() {
        JobExecution job = newJobExecution();
        lostServer.failNext("updateExecutionContext", true);
        new TransactionTemplate(tx).executeWithoutResult(status ->
                assertThatThrownBy(() -> repository.updateExecutionContext(job))
                        .isInstanceOf(DataAccessResourceFailureException.class));
        assertThat(lostServer.failures).isEqualTo(1);
    }

    @Test
    void whatARepeatLogsNamesTheRepositoryWithoutItsPassword() {
        JobRepository logged = ReconnectingJobRepository.wrap(failing, pool, RepositoryLocation.resolve(
                "jdbc:h2:tcp://ops:hunter2@repo-host/batch;PASSWORD=hunter2", Map.of(), dir));
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(ReconnectingJobRepository.class);
        appender.start();
        logger.addAppender(appender);
        try {
            JobExecution job = newJobExecution();
            lostServer.failNext("updateExecutionContext", false);
            logged.updateExecutionContext(job);
        }
        finally {
            logger.detachAppender(appender);
        }
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("connection lost") && m.contains("repo-host"))
                .anyMatch(m -> m.contains("reconnected"))
                .noneMatch(m -> m.contains("hunter2"));
    }

    @Test
    void onlyALostServerOrARaceToServeTheFileIsRepeated() {
        assertThat(ReconnectingJobRepository.repeatable(lost(H2ConnectionLoss.CONNECTION_BROKEN))).isTrue();
        assertThat(ReconnectingJobRepository.repeatable(lost(H2ConnectionLoss.CLOSED))).isTrue();
        assertThat(ReconnectingJobRepository.repeatable(lost(H2ConnectionLoss.DATABASE_CLOSED))).isTrue();
        assertThat(ReconnectingJobRepository.repeatable(new DataAccessResourceFailureException("open",
                new SQLException("Connection is broken", "90067", 90067, new EOFException())))).isTrue();
        assertThat(ReconnectingJobRepository.repeatable(new SQLException("Database may be already in use", "90020",
                90020))).isTrue();
        assertThat(ReconnectingJobRepository.repeatable(new DuplicateKeyException("JOB_INST_UN",
                new SQLException("Unique index or primary key violation", "23505", 23505)))).isFalse();
        assertThat(ReconnectingJobRepository.repeatable(new OptimisticLockingFailureException("version"))).isFalse();
    }

    private StepExecution newStep() {
        return repository.createStepExecution("step", newJobExecution());
    }

    private JobExecution newJobExecution() {
        JobInstance instance = repository.getJobInstance("job", PARAMETERS);
        if (instance == null) {
            instance = repository.createJobInstance("job", PARAMETERS);
        }
        return repository.createJobExecution(instance, PARAMETERS, new ExecutionContext());
    }

    private int storedStepVersion(StepExecution step) {
        return jdbc.queryForObject("SELECT VERSION FROM BATCH_STEP_EXECUTION WHERE STEP_EXECUTION_ID = ?",
                Integer.class, step.getId());
    }

    /** What Spring reports for a statement on a connection whose H2 server went away. */
    private static DataAccessResourceFailureException lost(int errorCode) {
        return new DataAccessResourceFailureException("PreparedStatementCallback",
                new SQLException("Connection is broken: \"session closed\"", String.valueOf(errorCode), errorCode));
    }

    /**
     * Fails the next call of one repository method as a server that went away under it: the call runs to its end in
     * a transaction, which is then committed (only the reply was lost) or rolled back (the commit never arrived), and
     * the call fails with H2's "Connection is broken".
     */
    private static final class LostServer implements MethodInterceptor {

        private final TransactionTemplate transaction;
        private String method;
        private boolean committed;
        int failures;

        LostServer(TransactionTemplate transaction) {
            this.transaction = transaction;
        }

        void failNext(String method, boolean committed) {
            this.method = method;
            this.committed = committed;
        }

        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            if (!invocation.getMethod().getName().equals(method)) {
                return invocation.proceed();
            }
            method = null;
            failures++;
            transaction.executeWithoutResult(status -> {
                try {
                    invocation.proceed();
                }
                catch (Throwable e) {
                    throw new IllegalStateException(e);
                }
                if (!committed) {
                    status.setRollbackOnly();
                }
            });
            throw lost(H2ConnectionLoss.CONNECTION_BROKEN);
        }
    }
}
