package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.schema.StateTables;
import io.livemigrate.engine.TableDdl;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.schema.DdlPhase;
import io.livemigrate.schema.DeferredDdl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Step 2: creates the target tables that do not exist yet, with no index but where the engine keeps rows in the
 * key (InnoDB). What each table is created without (its key index, secondary indexes, unique constraints, foreign
 * keys) is recorded durably on the target first ({@link DeferredDdl}), so a run killed half way still knows it.
 * Loading into a table without indexes is much faster, and constraints could not hold while partitions arrive in
 * any order.
 *
 * <p>It runs again on every restart of the job: key indexes an interrupted run deferred are built then, before any
 * slice is copied again, so redone slices find (and replace) what the interrupted attempt wrote.
 */
public class PrepareSchemaTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(PrepareSchemaTasklet.class);

    private final MigrationResources resources;
    private final List<TableId> tables;

    public PrepareSchemaTasklet(MigrationResources resources, List<TableId> tables) {
        this.resources = resources;
        this.tables = tables;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        String plan = resources.plan().name();
        try (Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            StateTables.ensure(target, resources.engine());
        }
        long start = System.nanoTime();
        int rebuilt = DeferredDdl.build(resources.target(), plan, List.of(DdlPhase.KEY), null,
                resources.plan().copy().threads());
        if (rebuilt > 0) {
            log.info("2/5 schema: built the key index of {} table(s) an interrupted run left without, in {} s, so the "
                    + "slices it redoes replace what it wrote", rebuilt, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        }
        Map<DdlPhase, Integer> deferred = new EnumMap<>(DdlPhase.class);
        int created = 0;
        try (Connection source = resources.source().getConnection();
             Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            for (TableId id : tables) {
                TableId targetId = resources.plan().targetTable(id);
                if (resources.engine().describe(target, targetId).isPresent()) {
                    continue;
                }
                TableInfo info = resources.sourceTable(id);
                TableDdl ddl = resources.engine().tableDdl(source, info, targetId);
                // Recorded before the table exists: once it does, a restart skips it and learns what it lacks only here.
                DeferredDdl.record(target, plan, targetId, ddl);
                run(target, ddl.prerequisites());
                run(target, List.of(ddl.createTable()));
                count(deferred, DdlPhase.KEY, ddl.keyIndex() == null ? 0 : 1);
                count(deferred, DdlPhase.INDEX, ddl.indexes().size());
                count(deferred, DdlPhase.CONSTRAINT, ddl.constraints().size());
                count(deferred, DdlPhase.FOREIGN_KEY, ddl.foreignKeys().size());
                created++;
            }
        }
        log.info("2/5 schema: created {} table(s) on the target; {} key(s) and {} index(es) deferred until the data is "
                        + "in, {} unique constraint(s) and {} foreign key(s) until catch-up has applied past the copy's end",
                created, deferred.getOrDefault(DdlPhase.KEY, 0), deferred.getOrDefault(DdlPhase.INDEX, 0),
                deferred.getOrDefault(DdlPhase.CONSTRAINT, 0), deferred.getOrDefault(DdlPhase.FOREIGN_KEY, 0));
        return RepeatStatus.FINISHED;
    }

    private static void count(Map<DdlPhase, Integer> deferred, DdlPhase phase, int n) {
        deferred.merge(phase, n, Integer::sum);
    }

    private static void run(Connection c, List<String> statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
