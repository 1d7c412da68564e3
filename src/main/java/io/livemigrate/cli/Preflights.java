package io.livemigrate.cli;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.check.MigrationPreflight;
import io.livemigrate.check.PreflightReport;
import io.livemigrate.copy.CopyJobConfiguration;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.Engines;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.RepositoryLocation;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/** Runs preflight for a plan: connects to both servers (one connection each) and checks every table. */
final class Preflights {

    private Preflights() {
    }

    static PreflightReport run(MigrationPlan plan, RepositoryLocation repository) throws SQLException {
        Engine engine = Engines.of(plan.engineKind());
        boolean resuming = copyRecorded(plan, repository);
        try (HikariDataSource source = open(engine, plan.source());
             HikariDataSource target = open(engine, plan.target());
             Connection s = source.getConnection();
             Connection t = target.getConnection()) {
            return new MigrationPreflight(plan, engine).run(s, t, resuming);
        }
    }

    private static HikariDataSource open(Engine engine, Endpoint endpoint) {
        return MigrationResources.openPool(engine, endpoint, 1);
    }

    private static boolean copyRecorded(MigrationPlan plan, RepositoryLocation repository) throws SQLException {
        Optional<MigrationHistory> history = MigrationHistory.open(repository);
        if (history.isEmpty()) {
            return false;
        }
        try (MigrationHistory h = history.get()) {
            return h.hasJob(CopyJobConfiguration.JOB_NAME, plan.name());
        }
    }
}
