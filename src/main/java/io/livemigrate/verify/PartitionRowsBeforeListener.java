package io.livemigrate.verify;

import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Notes, as a partition starts, how many rows its earlier executions verified: a restarted partition's context
 * carries their totals over (so the report counts every row once), and this is what tells the rows this execution
 * verified apart, for the summary's rows and rate. Local runs count them in process; remote workers cannot.
 */
final class PartitionRowsBeforeListener implements StepExecutionListener {

    static final String KEY = "verify.compared-before";

    @Override
    public void beforeStep(StepExecution stepExecution) {
        ExecutionContext ctx = stepExecution.getExecutionContext();
        ctx.putLong(KEY, VerifyCounts.from(ctx).compared());
    }

    /** Rows the execution whose context this is verified itself. */
    static long verifiedByThisExecution(ExecutionContext ctx) {
        return VerifyCounts.from(ctx).compared() - ctx.getLong(KEY, 0L);
    }
}
