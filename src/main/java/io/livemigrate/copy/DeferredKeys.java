package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.TableId;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paging-key indexes of tables the copy created without them (see {@code TableDdl.keyIndex}), kept in the job
 * execution context until they are built. While a table is listed here, nothing in its key ranges can predate this
 * run's first attempt at them, so slices skip their delete, which without the index would scan the whole table. A
 * restarted copy builds them before it copies again: redone slices must find the rows an interrupted attempt left.
 */
final class DeferredKeys {

    static final String KEY = "ddl.keys";
    private static final char TAB = '\t';

    private DeferredKeys() {
    }

    /** Target table to the statement that builds its key index. */
    static Map<TableId, String> read(ExecutionContext jobContext) {
        Map<TableId, String> keys = new LinkedHashMap<>();
        for (String entry : DeferredDdl.read(jobContext, KEY)) {
            int tab = entry.indexOf(TAB);
            keys.put(TableId.parse(entry.substring(0, tab)), entry.substring(tab + 1));
        }
        return keys;
    }

    static void write(ExecutionContext jobContext, Map<TableId, String> keys) {
        List<String> entries = new ArrayList<>();
        keys.forEach((table, statement) -> entries.add(table.qualified() + TAB + statement));
        DeferredDdl.write(jobContext, KEY, entries);
    }

    /** Builds every listed key index the target table does not have yet, then empties the list. */
    static int buildAll(MigrationResources resources, ExecutionContext jobContext) throws Exception {
        Map<TableId, String> keys = read(jobContext);
        List<String> missing = new ArrayList<>();
        try (Connection target = resources.target().getConnection()) {
            for (Map.Entry<TableId, String> key : keys.entrySet()) {
                boolean built = resources.engine().describe(target, key.getKey()).map(t -> t.hasKey()).orElse(false);
                if (!built) {
                    missing.add(key.getValue());
                }
            }
        }
        ParallelDdl.runAll(resources, missing, resources.plan().copy().threads());
        write(jobContext, Map.of());
        return missing.size();
    }
}
