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
import java.util.List;

/**
 * Step 2: creates the target tables that do not exist yet, with only their paging key, and records their
 * secondary indexes and foreign keys for the last step. Loading into a table without secondary indexes is much
 * faster, and foreign keys could not hold while partitions arrive in any order.
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
                indexes.addAll(ddl.indexes());
                foreignKeys.addAll(ddl.foreignKeys());
                created++;
                // Recorded after each table, so a failure half way still knows what the created tables lack.
                DeferredDdl.write(jobContext, INDEXES_KEY, indexes);
                DeferredDdl.write(jobContext, FOREIGN_KEYS_KEY, foreignKeys);
            }
        }
        log.info("2/5 schema: created {} table(s) on the target; {} index(es) and {} foreign key(s) deferred until "
                + "the data is in", created, indexes.size(), foreignKeys.size());
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
