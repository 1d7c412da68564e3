package io.livemigrate.copy;

import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.util.Arrays;
import java.util.List;

/**
 * DDL statements kept in the job execution context as one string, one statement per record, so the context
 * stays plain, readable JSON for ops.
 */
final class DeferredDdl {

    private static final String SEPARATOR = "\n;;\n";

    private DeferredDdl() {
    }

    static List<String> read(ExecutionContext ctx, String key) {
        if (!ctx.containsKey(key) || ctx.getString(key).isEmpty()) {
            return List.of();
        }
        return Arrays.asList(ctx.getString(key).split(SEPARATOR));
    }

    static void write(ExecutionContext ctx, String key, List<String> statements) {
        ctx.putString(key, String.join(SEPARATOR, statements));
    }
}
