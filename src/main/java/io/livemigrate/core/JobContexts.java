package io.livemigrate.core;

import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.RepositoryLocation;
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
        return new SpringApplicationBuilder(sources)
                .web(WebApplicationType.NONE)
                .bannerMode(Banner.Mode.OFF)
                .logStartupInfo(false)
                .registerShutdownHook(true)
                .properties(properties)
                .initializers(ctx -> {
                    ctx.getBeanFactory().registerSingleton("migrationPlan", plan);
                    ctx.getBeanFactory().registerSingleton("repositoryLocation", repository);
                    beans.forEach(ctx.getBeanFactory()::registerSingleton);
                })
                .run();
    }
}
