package io.livemigrate.core;

import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.RepositoryLocation;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.Banner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.HashMap;
import java.util.Map;

/** Opens the Spring context for one command: plan and repository registered, the given job configurations added. */
public final class JobContexts {

    private JobContexts() {
    }

    public static ConfigurableApplicationContext open(MigrationPlan plan, RepositoryLocation repository,
                                                      Class<?>... jobConfigurations) {
        return open(plan, repository, Map.of(), jobConfigurations);
    }

    /** As {@link #open(MigrationPlan, RepositoryLocation, Class[])}, with more objects registered as beans by name. */
    public static ConfigurableApplicationContext open(MigrationPlan plan, RepositoryLocation repository,
                                                      Map<String, Object> beans, Class<?>... jobConfigurations) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.batch.job.enabled", "false");
        properties.put("spring.batch.jdbc.initialize-schema", "never");
        properties.put("spring.main.allow-bean-definition-overriding", "false");
        Class<?>[] sources = new Class<?>[jobConfigurations.length + 1];
        sources[0] = LivemigrateApplication.class;
        System.arraycopy(jobConfigurations, 0, sources, 1, jobConfigurations.length);
        // The servers and a shared repository are connected to before Spring starts, so an unreachable one or a wrong
        // password is one line and exit 2 (ConnectionFailure), not a failed context with its stack trace.
        repository.requireReachable();
        MigrationResources resources = new MigrationResources(plan);
        try {
            return new SpringApplicationBuilder(sources)
                    .web(WebApplicationType.NONE)
                    .bannerMode(Banner.Mode.OFF)
                    .logStartupInfo(false)
                    .registerShutdownHook(true)
                    .properties(properties)
                    .initializers(ctx -> {
                        ConfigurableListableBeanFactory factory = ctx.getBeanFactory();
                        factory.registerSingleton("migrationPlan", plan);
                        factory.registerSingleton("repositoryLocation", repository);
                        factory.registerSingleton("migrationResources", resources);
                        ((DefaultListableBeanFactory) factory).registerDisposableBean("migrationResources",
                                resources::close);
                        beans.forEach(factory::registerSingleton);
                    })
                    .run();
        }
        catch (RuntimeException e) {
            resources.close();
            throw e;
        }
    }
}
