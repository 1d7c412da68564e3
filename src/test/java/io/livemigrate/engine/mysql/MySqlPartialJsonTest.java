package io.livemigrate.engine.mysql;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * MySQL 8 logs a JSON column's update as the changed paths only when binlog_row_value_options=PARTIAL_JSON: not a
 * whole row image, so catch-up stops rather than drop or half-apply it (issue 16 case 8). The embedded server is
 * MariaDB, which has no such events, so the translator is given the event as the connector decodes it.
 */
class MySqlPartialJsonTest {

    /** MySQL 8 only, so the translator is given the event as the connector decodes it. */
    @Test
    void aPartialJsonUpdateOfAPlannedTableStopsAndOneOfAnotherTableDoesNot() {
        TableInfo t = new TableInfo(new TableId("app", "docs"), List.of(new Column("id", "int", false, false),
                new Column("doc", "json", true, false)), List.of("id"), "PRIMARY KEY", 0, 0);
        MySqlRowDecoder decoder = new MySqlRowDecoder(t, t.columns(), java.util.Arrays.asList(null, "utf8mb4"));
        List<ChangeEvent> emitted = new ArrayList<>();
        MySqlBinlogTranslator translator = new MySqlBinlogTranslator(
                MySqlBinlogPosition.of(ChangePosition.parse("mysql:file=binlog.000001;pos=4")),
                Map.of("app.docs", decoder), new MySqlBinlogTranslator.Sink() {
                    @Override
                    public void emit(ChangeEvent event) {
                        emitted.add(event);
                    }

                    @Override
                    public boolean idle() {
                        return true;
                    }
                });
        translator.onEvent(tableMap(7, "app", "docs"));
        translator.onEvent(tableMap(8, "app", "other"));
        translator.onEvent(event(EventType.PARTIAL_UPDATE_ROWS_EVENT, new MySqlRowsDeserializers.PartialUpdateRows(8)));
        assertThat(emitted).isEmpty();
        translator.onEvent(event(EventType.PARTIAL_UPDATE_ROWS_EVENT, new MySqlRowsDeserializers.PartialUpdateRows(7)));
        assertThat(emitted).singleElement().isInstanceOfSatisfying(ChangeEvent.Stop.class, s ->
                assertThat(s.message()).contains("partial JSON update of app.docs", "binlog_row_value_options"));
    }

    private static Event tableMap(long id, String database, String table) {
        TableMapEventData m = new TableMapEventData();
        m.setTableId(id);
        m.setDatabase(database);
        m.setTable(table);
        return event(EventType.TABLE_MAP, m);
    }

    private static Event event(EventType type, com.github.shyiko.mysql.binlog.event.EventData data) {
        EventHeaderV4 h = new EventHeaderV4();
        h.setEventType(type);
        h.setTimestamp(System.currentTimeMillis());
        h.setEventLength(100);
        h.setNextPosition(200);
        return new Event(h, data);
    }

}
