package io.livemigrate.catchup;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plan's tables as catch-up applies them: by source table, the definition the target has (columns, key) and
 * the target table's name. A table missing on the target or without a usable key stops catch-up before it starts.
 */
record CatchupTables(Map<TableId, TableInfo> targetShaped, Map<TableId, TableId> targetIds) {

    static CatchupTables describe(MigrationResources resources, List<TableId> ids, Connection target)
            throws SQLException {
        Map<TableId, TableInfo> targetShaped = new LinkedHashMap<>();
        Map<TableId, TableId> targetIds = new LinkedHashMap<>();
        for (TableId id : ids) {
            TableInfo source = resources.sourceTable(id);
            TableId targetId = resources.plan().targetTable(id);
            TableInfo t = resources.engine().describe(target, targetId).orElseThrow(() -> new CatchupStoppedException(
                    "table " + targetId + " does not exist on the target: run copy first"));
            if (!source.hasKey() || !t.hasKey()) {
                throw new CatchupStoppedException("table " + id + " has no usable key (primary key or non-null "
                        + "unique key) on the " + (source.hasKey() ? "target" : "source") + ", so its changes cannot "
                        + "be applied by key: add one on both sides, then run catchup again");
            }
            targetShaped.put(id, new TableInfo(id, t.columns(), t.keyColumns(), t.keyName(), t.estimatedRows(),
                    t.estimatedBytes()));
            targetIds.put(id, targetId);
        }
        return new CatchupTables(Collections.unmodifiableMap(targetShaped), Collections.unmodifiableMap(targetIds));
    }

    /** The target-shaped definitions, in the plan's order: what the change stream decodes against. */
    List<TableInfo> definitions() {
        return List.copyOf(targetShaped.values());
    }
}
