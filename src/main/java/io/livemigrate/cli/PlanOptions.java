package io.livemigrate.cli;

import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.plan.PlanLoader;
import io.livemigrate.repository.RepositoryLocation;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every plan-based command shares. */
public class PlanOptions {

    @Option(names = "--plan", required = true, paramLabel = "<file>", description = "The migration plan (jobs/*.yml).")
    Path plan;

    @Option(names = "--repository", paramLabel = "<jdbc-url>",
            description = "Job repository database (PostgreSQL or MySQL). Default: ${LIVEMIGRATE_REPOSITORY_URL:-an H2 "
                    + "file under .livemigrate/}. Credentials: LIVEMIGRATE_REPOSITORY_USER / _PASSWORD.")
    String repository;

    @Option(names = "--reverse", description = "The plan's reverse direction (target to source), e.g. the reverse "
            + "stream after a cutover: catchup --plan F --reverse.")
    boolean reverse;

    MigrationPlan loadPlan() {
        MigrationPlan loaded = new PlanLoader().load(plan);
        return reverse ? loaded.reversed() : loaded;
    }

    RepositoryLocation repositoryLocation() {
        return RepositoryLocation.resolve(repository, System.getenv(), Path.of(""));
    }
}
