package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.engine.TableId;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;

/** Seeds the progress counters with each table's estimated size, so the console can show an ETA. */
class ExpectedRowsListener implements JobExecutionListener {

    private final MigrationResources resources;
    private final MigrationTables tables;
    private final CopyProgress progress;

    ExpectedRowsListener(MigrationResources resources, MigrationTables tables, CopyProgress progress) {
        this.resources = resources;
        this.tables = tables;
        this.progress = progress;
    }

    @Override
    public void beforeJob(JobExecution jobExecution) {
        for (TableId id : tables.ids()) {
            progress.expect(id, resources.sourceTable(id).estimatedRows());
        }
    }
}
