package io.livemigrate.engine.mysql;

import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.DeleteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.TableMapEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.UpdateRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;

import java.io.IOException;
import java.io.Serializable;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Plugs {@link MySqlRowDecoder} into the connector: rows events (v1, v2, pre-GA; MySQL and MariaDB spell them the
 * same) of planned tables decode to {@code String[]} rows of exact text; rows of other tables are skipped without
 * decoding (their events then carry no rows).
 */
final class MySqlRowsDeserializers {

    private static final Serializable[] SKIPPED = new Serializable[0];

    private MySqlRowsDeserializers() {
    }

    /** @param decoders by {@code schema.table} */
    static EventDeserializer create(Map<String, MySqlRowDecoder> decoders) {
        EventDeserializer deserializer = new EventDeserializer();
        Map<Long, TableMapEventData> tableMaps = new HashMap<>();
        TableMapEventDataDeserializer tableMap = new TableMapEventDataDeserializer();
        deserializer.setEventDataDeserializer(EventType.TABLE_MAP, in -> {
            TableMapEventData data = tableMap.deserialize(in);
            tableMaps.put(data.getTableId(), data);
            return data;
        });
        RowReader rows = (tableId, included, in) -> {
            TableMapEventData map = tableMaps.get(tableId);
            MySqlRowDecoder decoder = map == null ? null : decoders.get(map.getDatabase() + "." + map.getTable());
            if (decoder == null) {
                in.read(in.available()); // consumes the rest of this event's body, inside its block
                return SKIPPED;
            }
            return decoder.decodeRow(map, included, in);
        };
        for (EventType t : new EventType[] {EventType.WRITE_ROWS, EventType.EXT_WRITE_ROWS,
                EventType.PRE_GA_WRITE_ROWS}) {
            deserializer.setEventDataDeserializer(t, new WriteRowsEventDataDeserializer(tableMaps) {
                @Override
                protected Serializable[] deserializeRow(long id, BitSet inc, ByteArrayInputStream in)
                        throws IOException {
                    return rows.read(id, inc, in);
                }
            }.setMayContainExtraInformation(t == EventType.EXT_WRITE_ROWS));
        }
        for (EventType t : new EventType[] {EventType.UPDATE_ROWS, EventType.EXT_UPDATE_ROWS,
                EventType.PRE_GA_UPDATE_ROWS}) {
            deserializer.setEventDataDeserializer(t, new UpdateRowsEventDataDeserializer(tableMaps) {
                @Override
                protected Serializable[] deserializeRow(long id, BitSet inc, ByteArrayInputStream in)
                        throws IOException {
                    return rows.read(id, inc, in);
                }
            }.setMayContainExtraInformation(t == EventType.EXT_UPDATE_ROWS));
        }
        for (EventType t : new EventType[] {EventType.DELETE_ROWS, EventType.EXT_DELETE_ROWS,
                EventType.PRE_GA_DELETE_ROWS}) {
            deserializer.setEventDataDeserializer(t, new DeleteRowsEventDataDeserializer(tableMaps) {
                @Override
                protected Serializable[] deserializeRow(long id, BitSet inc, ByteArrayInputStream in)
                        throws IOException {
                    return rows.read(id, inc, in);
                }
            }.setMayContainExtraInformation(t == EventType.EXT_DELETE_ROWS));
        }
        // MySQL 8's partial JSON updates: only the table is read, so the translator can stop on a planned one
        deserializer.setEventDataDeserializer(EventType.PARTIAL_UPDATE_ROWS_EVENT, in -> {
            PartialUpdateRows data = new PartialUpdateRows(in.readLong(6));
            in.read(in.available());
            return data;
        });
        return deserializer;
    }

    /** A partial-update rows event: which table it changes, nothing else decoded. */
    record PartialUpdateRows(long tableId) implements com.github.shyiko.mysql.binlog.event.EventData {
    }

    /** True for the rows a skipped (unplanned) table's event carries. */
    static boolean isSkipped(Serializable[] row) {
        return row.length == 0;
    }

    @FunctionalInterface
    private interface RowReader {
        Serializable[] read(long tableId, BitSet included, ByteArrayInputStream in) throws IOException;
    }
}
