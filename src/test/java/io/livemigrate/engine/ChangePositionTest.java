package io.livemigrate.engine;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangePositionTest {

    @Test
    void aPositionSurvivesItsTextForm() {
        ChangePosition p = ChangePosition.parse("mysql:file=mysql-bin.000003;pos=4;gtid=0-1-2383;flavor=mariadb");
        assertThat(p.engine()).isEqualTo("mysql");
        assertThat(p.get("gtid")).isEqualTo("0-1-2383");
        assertThat(ChangePosition.parse(p.serialize())).isEqualTo(p);
        assertThat(new ChangePosition("postgresql", Map.of("last_lsn", "0/16B3748")).serialize())
                .isEqualTo("postgresql:last_lsn=0/16B3748");
    }

    @Test
    void anEngineOrFieldThatIsNotALowerCaseWordIsRefused() {
        for (String engine : new String[] {"", "Postgres", "my-sql", "pg1", "mysql "}) {
            assertThatThrownBy(() -> new ChangePosition(engine, Map.of()))
                    .as(engine).hasMessageContaining("bad change position engine");
        }
        assertThatThrownBy(() -> new ChangePosition(null, Map.of())).hasMessageContaining("engine");
        assertThatThrownBy(() -> new ChangePosition("mysql", Map.of("pos", "1;2"))).hasMessageContaining("pos");
        for (String field : new String[] {"", "Pos", "pos1", "p-s", "_"}) {
            if (field.equals("_")) {
                assertThat(new ChangePosition("mysql", Map.of(field, "1")).get("_")).isEqualTo("1");
                continue;
            }
            assertThatThrownBy(() -> new ChangePosition("mysql", Map.of(field, "1")))
                    .as(field).hasMessageContaining("bad change position field");
        }
        assertThatThrownBy(() -> ChangePosition.parse("mysql:file")).hasMessageContaining("not a change position");
    }
}
