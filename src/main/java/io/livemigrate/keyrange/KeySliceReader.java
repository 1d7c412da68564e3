package io.livemigrate.keyrange;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableInfo;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Walks one partition's key range in slices of {@code chunk-rows} rows by keyset pagination: each slice ends at the
 * key of its last row, found on the key index. The position after the last written slice is saved in the step
 * execution context at every chunk, so a restarted partition continues from its last committed chunk.
 */
public class KeySliceReader implements ItemStreamReader<KeySlice> {

    static final String CURSOR_KEY = "range.cursor";
    static final String FINISHED_KEY = "range.finished";

    private final MigrationResources resources;
    private final int chunkRows;
    private TableInfo table;
    private KeysetSql keyset;
    private KeyValue upper;
    private KeyValue cursor;
    private boolean finished;

    public KeySliceReader(MigrationResources resources, int chunkRows) {
        this.resources = resources;
        this.chunkRows = chunkRows;
    }

    @Override
    public void open(ExecutionContext ctx) {
        CopyRange range = CopyRange.fromContext(ctx);
        table = resources.sourceTable(range.table());
        keyset = new KeysetSql(resources.engine().dialect(), table);
        upper = range.upper();
        cursor = ctx.containsKey(CURSOR_KEY) ? KeyValue.decode(ctx.getString(CURSOR_KEY)) : range.lower();
        finished = ctx.containsKey(FINISHED_KEY) && Boolean.parseBoolean(ctx.getString(FINISHED_KEY));
    }

    @Override
    public KeySlice read() {
        if (finished) {
            return null;
        }
        KeyValue next;
        try (Connection c = resources.source().getConnection()) {
            next = keyset.nextBoundary(c, cursor, upper, chunkRows);
        }
        catch (SQLException e) {
            throw new ItemStreamException("cannot read the next key slice of " + table.id() + " after " + cursor, e);
        }
        KeySlice slice = new KeySlice(table, cursor, next == null ? upper : next);
        if (next == null || next.equals(upper)) {
            finished = true;
        }
        cursor = next;
        return slice;
    }

    @Override
    public void update(ExecutionContext ctx) {
        if (cursor != null) {
            ctx.putString(CURSOR_KEY, cursor.encode());
        }
        ctx.putString(FINISHED_KEY, String.valueOf(finished));
    }
}
