package io.livemigrate.keyrange;

import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.TableId;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * One partition of the copy: the rows of {@code table} with keys in {@code (lower, upper]}; a null bound is open.
 * Stored in execution contexts as plain strings so ops can read them in BATCH_STEP_EXECUTION_CONTEXT.
 */
public record CopyRange(TableId table, KeyValue lower, KeyValue upper) {

    static final String TABLE = "table";
    static final String LOWER = "range.lower";
    static final String UPPER = "range.upper";

    public ExecutionContext toContext() {
        ExecutionContext ctx = new ExecutionContext();
        ctx.putString(TABLE, table.qualified());
        if (lower != null) {
            ctx.putString(LOWER, lower.encode());
        }
        if (upper != null) {
            ctx.putString(UPPER, upper.encode());
        }
        return ctx;
    }

    public static CopyRange fromContext(ExecutionContext ctx) {
        return new CopyRange(TableId.parse(ctx.getString(TABLE)),
                KeyValue.decode(ctx.containsKey(LOWER) ? ctx.getString(LOWER) : null),
                KeyValue.decode(ctx.containsKey(UPPER) ? ctx.getString(UPPER) : null));
    }

    /** One line for the job execution context's list of ranges. */
    String encode() {
        return table.qualified() + '\u001e' + (lower == null ? "" : "+" + lower.encode()) + '\u001e'
                + (upper == null ? "" : "+" + upper.encode());
    }

    static CopyRange decode(String line) {
        String[] f = line.split("\u001e", -1);
        return new CopyRange(TableId.parse(f[0]), f[1].isEmpty() ? null : KeyValue.decode(f[1].substring(1)),
                f[2].isEmpty() ? null : KeyValue.decode(f[2].substring(1)));
    }
}
