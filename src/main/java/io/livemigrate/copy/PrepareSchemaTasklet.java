package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.TableDdl;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 2: creates the target tables that do not exist yet, with no index but where the engine keeps rows in the
 * key (InnoDB), and records their key indexes, secondary indexes and foreign keys for the last step. Loading into a
 * table without indexes is much faster, and foreign keys could not hold while partitions arrive in any order.
 *
 * <p>It runs again on every restart of the job: key indexes an interrupted run deferred are built then, before any
 * slice is copied again (see {@link DeferredKeys}).
 */
public class PrepareSchemaTasklet implements Tasklet {

    public static final String INDEXES_KEY = "ddl.indexes";
    public static final String FOREIGN_KEYS_KEY = "ddl.foreign-keys";
    private static final Logger log = LoggerFactory.getLogger(PrepareSchemaTasklet.class);

    private final MigrationResources resources;
    private final List<TableId> tables;

    public PrepareSchemaTasklet(MigrationResources resources, List<TableId> tables) {
        this.resources = resources;
        this.tables = tables;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        ExecutionContext jobContext = chunkContext.getStepContext().getStepExecution().getJobExecution()
                .getExecutionContext();
        List<String> indexes = new ArrayList<>(DeferredDdl.read(jobContext, INDEXES_KEY));
        List<String> foreignKeys = new ArrayList<>(DeferredDdl.read(jobContext, FOREIGN_KEYS_KEY));
        if (!DeferredKeys.read(jobContext).isEmpty()) {
            long start = System.nanoTime();
            int built = DeferredKeys.buildAll(resources, jobContext);
            log.info("2/5 schema: built the key index of {} table(s) an interrupted run left without, in {} s, so the "
                    + "slices it redoes replace what it wrote", built, String.format("%.1f", (System.nanoTime() - start) / 1e9));
        }
        Map<TableId, String> keys = new LinkedHashMap<>();
        int created = 0;
        try (Connection source = resources.source().getConnection();
             Connection target = resources.target().getConnection()) {
            for (TableId id : tables) {
                TableId targetId = resources.plan().targetTable(id);
                if (resources.engine().describe(target, targetId).isPresent()) {
                    continue;
                }
                TableInfo info = resources.sourceTable(id);
                TableDdl ddl = resources.engine().tableDdl(source, info, targetId);
                run(target, ddl.prerequisites());
                run(target, List.of(ddl.createTable()));
                if (ddl.keyIndex() != null) {
                    keys.put(targetId, ddl.keyIndex());
                }
                indexes.addAll(ddl.indexes());
                foreignKeys.addAll(ddl.foreignKeys());
                created++;
                // Recorded after each table, so a failure half way still knows what the created tables lack.
                DeferredKeys.write(jobContext, keys);
                DeferredDdl.write(jobContext, INDEXES_KEY, indexes);
                DeferredDdl.write(jobContext, FOREIGN_KEYS_KEY, foreignKeys);
            }
        }
        log.info("2/5 schema: created {} table(s) on the target; {} key(s), {} index(es) and {} foreign key(s) "
                + "deferred until the data is in", created, keys.size(), indexes.size(), foreignKeys.size());
        return RepeatStatus.FINISHED;
    }

    private static void run(Connection c, List<String> statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
