package io.livemigrate.ops;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.RepositoryLocation;
import io.livemigrate.repository.RepositorySchema;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.quartz.Scheduler;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code server} mode's Spring context: Boot's full auto-configuration (web, Actuator with Prometheus, Quartz) over
 * the job repository database. Quartz keeps its schedules there with the JDBC job store, clustered, so any number
 * of servers of a plan share the work and each fire runs on exactly one of them. The Batch auto-configuration is
 * left out: jobs run in contexts of their own, exactly as from the command line. It listens where {@link ServerAccess}
 * says, with the authentication it asks for, and offers read-only endpoints only.
 */
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = {"org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration",
        "org.springframework.boot.batch.autoconfigure.BatchJobLauncherAutoConfiguration",
        "org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration",
        "org.springframework.boot.batch.autoconfigure.observation.BatchObservationAutoConfiguration",
        // The server's one user comes from ServerSecurity; Boot's would log a generated password.
        "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration"})
@Import({StatusPageController.class, ServerSecurity.class})
public class OpsServer {

    /** Starts the server; it runs until the context closes (SIGTERM, or the caller closes it). */
    public static ConfigurableApplicationContext start(MigrationPlan plan, RepositoryLocation repository,
                                                       ServerSchedules schedules, ScheduledCommandRunnerFactory runner,
                                                       int port, ServerAccess access) {
        // As for the job commands: an unreachable repository is one line and exit 2, not a failed context.
        repository.requireReachable();
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", port);
        p.put("server.address", access.address().getHostAddress());
        p.put("spring.main.banner-mode", "off");
        p.put("management.endpoints.web.exposure.include", "health,info,prometheus,metrics,quartz");
        // Nothing on the server starts, stops or changes anything: Actuator's write operations (Quartz's "trigger
        // now", loggers, shutdown...) are not mapped at all. Commands and throttle stay on the command line.
        p.put("management.endpoints.access.default", "read-only");
        p.put("management.endpoints.access.max-permitted", "read-only");
        p.put("management.metrics.tags.plan", plan.name());
        p.put("spring.quartz.job-store-type", "jdbc");
        p.put("spring.quartz.jdbc.initialize-schema", "never");
        p.put("spring.quartz.wait-for-jobs-to-complete-on-shutdown", "false");
        // One Quartz cluster per plan: a server only ever runs its own plan's schedules.
        p.put("spring.quartz.scheduler-name", "livemigrate-" + plan.name());
        p.put("spring.quartz.properties.org.quartz.scheduler.instanceId", "AUTO");
        p.put("spring.quartz.properties.org.quartz.jobStore.isClustered", "true");
        p.put("spring.quartz.properties.org.quartz.jobStore.clusterCheckinInterval", "5000");
        p.put("spring.quartz.properties.org.quartz.jobStore.driverDelegateClass", QuartzSchema.delegate(repository.url()));
        p.put("spring.quartz.properties.org.quartz.threadPool.threadCount", "4");
        return new SpringApplicationBuilder(OpsServer.class)
                .web(WebApplicationType.SERVLET)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .registerShutdownHook(true)
                .properties(p)
                .initializers(ctx -> {
                    ctx.getBeanFactory().registerSingleton("migrationPlan", plan);
                    ctx.getBeanFactory().registerSingleton("repositoryLocation", repository);
                    ctx.getBeanFactory().registerSingleton("serverSchedules", schedules);
                    ctx.getBeanFactory().registerSingleton("runnerFactory", runner);
                    ctx.getBeanFactory().registerSingleton("serverAccess", access);
                })
                .run();
    }

    /** Builds the runner once the repository's data source exists. */
    public interface ScheduledCommandRunnerFactory {
        ScheduledCommandRunner create(javax.sql.DataSource repository);
    }

    @Bean
    HikariDataSource dataSource(RepositoryLocation location) throws SQLException {
        HikariDataSource ds = location.pool("livemigrate-server", 10);
        RepositorySchema.ensure(ds);
        QuartzSchema.ensure(ds);
        return ds;
    }

    @Bean
    ScheduledCommandRunner scheduledCommandRunner(ScheduledCommandRunnerFactory runnerFactory,
                                                  HikariDataSource dataSource) {
        return runnerFactory.create(dataSource);
    }

    @Bean
    ApplicationRunner planSchedules(Scheduler scheduler, MigrationPlan plan, ServerSchedules schedules) {
        return args -> ScheduleRegistrar.register(scheduler, plan.name(), schedules.all());
    }

    @Bean(destroyMethod = "close")
    RepositoryMetrics repositoryMetrics(MigrationPlan plan, RepositoryLocation location, HikariDataSource dataSource,
                                        MeterRegistry registry) {
        return new RepositoryMetrics(plan.name(), location, new ThrottleStore(dataSource), registry).start();
    }
}
