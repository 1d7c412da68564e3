package io.livemigrate.repository;

import com.zaxxer.hikari.HikariDataSource;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import javax.sql.DataSource;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Set;

/**
 * The job repository of a process that may lose the H2 server it reaches the repository through. With AUTO_SERVER the
 * process that opened the file first serves it to the others, and when that process exits (the catch-up that the
 * cutover's step 9 stops, a {@code status} that happened to open the file first) every other process loses its
 * sessions, one in the middle of a repository transaction included. H2 reconnects a session only between
 * transactions, so a write under way fails ("session closed"): a cutover that had switched traffic would fail
 * recording it and be left FAILED or in an unknown state. See docs/design.md, "The job repository".
 *
 * <p>Wrapped, each call the job repository runs as a transaction of its own is run again, on a new connection, until
 * it succeeds or 60 s have passed: the first process to reconnect takes the file over and serves it, the others reach
 * it through that one. A call inside a caller's repository transaction (a chunk and its checkpoint) is not repeated:
 * that transaction is lost with its connection, the step fails as after a crash, and the step's restart redoes the
 * chunk, which is idempotent. {@link RepeatedCall} keeps a repeat from doing twice what a failed attempt committed
 * after all, and puts back what it changed in memory when it did not.
 */
public final class ReconnectingJobRepository {

    private static final Logger log = LoggerFactory.getLogger(ReconnectingJobRepository.class);
    /** Long enough for a killed server's lock file to age (H2 takes over a lock file 2 s old) on a loaded machine. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final RetryTemplate RETRY = new RetryTemplate(RetryPolicy.builder()
            .predicate(ReconnectingJobRepository::repeatable)
            .maxRetries(Long.MAX_VALUE)
            .delay(Duration.ofMillis(250))
            .timeout(PATIENCE)
            .build());
    /** The writes that are a transaction of their own and safe to run again (see {@link RepeatedCall}). */
    private static final Set<String> REPEATED_WRITES = Set.of("update", "updateExecutionContext", "createJobInstance",
            "createJobExecution", "createStepExecution");

    private ReconnectingJobRepository() {
    }

    /**
     * {@code repository} (Spring Batch's, transactional) with its calls run again after a lost H2 server.
     *
     * @param dataSource the repository's data source: a transaction of the caller on it means "do not repeat", and
     *                   its pool's connections are evicted when one has lost the server
     * @param location   named in the log when a call is repeated (password masked)
     */
    public static JobRepository wrap(JobRepository repository, DataSource dataSource, RepositoryLocation location) {
        ProxyFactory factory = new ProxyFactory();
        factory.setTarget(repository);
        factory.addInterface(JobRepository.class);
        factory.addAdvice(new Repeater(repository, dataSource, location.toString()));
        return (JobRepository) factory.getProxy(ReconnectingJobRepository.class.getClassLoader());
    }

    /**
     * A lost H2 server, or one of the races to become the next one (see {@link RepositoryLockRetry}). Spring may throw
     * the failed rollback that follows a lost connection in place of the loss; that rollback fails as a lost
     * connection too ("Database is already closed"), as long as the pool leaves the connection open under its user
     * (which is why the pool's connections are evicted softly, never aborted).
     */
    static boolean repeatable(Throwable e) {
        return H2ConnectionLoss.lost(e) || RepositoryLockRetry.locked(e);
    }

    static boolean repeated(Method method) {
        String name = method.getName();
        return name.startsWith("get") || name.startsWith("find") || REPEATED_WRITES.contains(name);
    }

    private record Repeater(JobRepository repository, DataSource dataSource, String location)
            implements MethodInterceptor {

        @Override
        public Object invoke(MethodInvocation invocation) throws Throwable {
            Method method = invocation.getMethod();
            if (!repeated(method) || TransactionSynchronizationManager.hasResource(dataSource)) {
                return invocation.proceed();
            }
            RepeatedCall call = RepeatedCall.of(repository, method, invocation.getArguments());
            try {
                return RETRY.execute(() -> attempt(call));
            }
            catch (RetryException e) {
                throw e.getCause() != null ? e.getCause() : e;
            }
        }

        private Object attempt(RepeatedCall call) throws Throwable {
            try {
                Object result = call.attempt();
                if (call.attempts() > 1) {
                    log.info("job repository {}: reconnected; {} done after {} attempts", location, call.name(),
                            call.attempts());
                }
                return result;
            }
            catch (Throwable e) {
                if (repeatable(e)) {
                    evictConnections();
                    if (call.attempts() == 1) {
                        log.warn("job repository {}: connection lost ({}): the process serving the H2 file has "
                                + "probably exited; repeating {} on a new connection while another process takes the "
                                + "file over (for up to {} s)", location, errorCode(e), call.name(),
                                PATIENCE.toSeconds());
                    }
                }
                throw e;
            }
        }

        /**
         * Every connection of the pool reached the repository through the server that went away: idle ones are closed
         * now, those in use when they come back (closing one under its user would make its rollback fail as "Connection
         * is closed", which says nothing of the loss). The next borrower gets a new session on the next server.
         */
        private void evictConnections() {
            if (dataSource instanceof HikariDataSource pool && pool.getHikariPoolMXBean() != null) {
                pool.getHikariPoolMXBean().softEvictConnections();
            }
        }
    }

    /**
     * The database's error code: H2's messages for these say nothing an operator can act on (90121's even suggests a
     * URL setting that would not help).
     */
    private static String errorCode(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && sql.getErrorCode() != 0) {
                return "H2 error " + sql.getErrorCode();
            }
        }
        return e.getClass().getSimpleName();
    }
}
