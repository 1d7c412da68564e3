package io.livemigrate.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangePositionTest {

    @Test
    void aPositionSurvivesItsTextForm() {
        ChangePosition p = ChangePosition.parse("mysql:file=mysql-bin.000003;pos=4;gtid=0-1-2383;flavor=mariadb");
        assertThat(p.engine()).isEqualTo("mysql");
        assertThat(p).isInstanceOfSatisfying(BinlogPosition.class, b -> {
            assertThat(b.gtid()).isEqualTo("0-1-2383");
            assertThat(b.pos()).isEqualTo(4);
            assertThat(b.mariaDb()).isTrue();
        });
        assertThat(ChangePosition.parse(p.serialize())).isEqualTo(p);
        assertThat(new WalPosition("livemigrate_shop", "0/16B3748").serialize())
                .isEqualTo("postgresql:slot=livemigrate_shop;lsn=0/16B3748");
    }

    /** The text forms earlier versions stored in job repositories and catchup_state read back byte for byte. */
    @Test
    void everyStoredTextFormIsWrittenBackByteForByte() {
        String[] stored = {
                "postgresql:slot=livemigrate_shop;lsn=1/A0000028",
                "postgresql:lsn=0/16B3748",
                "postgresql:slot=s;lsn=0/0",
                "postgresql:slot=s;lsn=0/016B3748",
                "postgresql:slot=s;lsn=ffffffff/ffffffff",
                "mysql:file=mysql-bin.000003;pos=4;gtid=0-1-2383,1-2-7;flavor=mariadb",
                "mysql:file=binlog.000012;pos=157;gtid=;flavor=mysql",
                "mysql:file=binlog.000012;pos=157;gtid=3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5:11;flavor=mysql",
                "mysql:file=binlog.000001;pos=4",
        };
        for (String text : stored) {
            ChangePosition p = ChangePosition.parse(text);
            assertThat(p.serialize()).as(text).isEqualTo(text);
            assertThat(p.toString()).as(text).isEqualTo(text);
            assertThat(ChangePosition.parse(p.serialize())).as(text).isEqualTo(p).hasSameHashCodeAs(p);
        }
        assertThat(ChangePosition.parse("mysql:file=binlog.000001;pos=4")).isInstanceOfSatisfying(
                BinlogPosition.class, b -> {
                    assertThat(b.gtid()).isNull();
                    assertThat(b.mariaDb()).as("written before flavors were").isTrue();
                });
        assertThat(ChangePosition.parse("postgresql:lsn=0/16B3748")).isInstanceOfSatisfying(WalPosition.class,
                w -> assertThat(w.slot()).isNull());
    }

    @Test
    void anEngineOrFieldThatIsNotALowerCaseWordIsRefused() {
        for (String engine : new String[] {"", "Postgres", "my-sql", "pg1", "mysql "}) {
            assertThatThrownBy(() -> ChangePosition.parse(engine + ":lsn=0/1"))
                    .as(engine).hasMessageContaining(engine.isEmpty() ? "not a change position"
                            : "bad change position engine");
        }
        assertThatThrownBy(() -> ChangePosition.parse("oracle:scn=1")).hasMessageContaining("engine");
        assertThatThrownBy(() -> new BinlogPosition("a;b.000001", 1, null, null)).hasMessageContaining("file");
        for (String field : new String[] {"Pos", "pos1", "p-s", "_"}) {
            assertThatThrownBy(() -> ChangePosition.parse("mysql:file=b.000001;pos=1;" + field + "=1"))
                    .as(field).hasMessageContaining("bad change position field");
        }
        assertThatThrownBy(() -> ChangePosition.parse("mysql:file")).hasMessageContaining("not a change position");
        assertThatThrownBy(() -> ChangePosition.parse("mysql:file=b.000001;pos=1;pos=2"))
                .hasMessageContaining("bad change position field: pos");
    }

    @Test
    void aPositionMissingWhatItsEngineNeedsIsRefused() {
        assertThatThrownBy(() -> ChangePosition.parse("mysql:file=b.000001")).hasMessageContaining("file and pos");
        assertThatThrownBy(() -> ChangePosition.parse("mysql:pos=4")).hasMessageContaining("file and pos");
        assertThatThrownBy(() -> ChangePosition.parse("mysql:file=b.000001;pos=-4")).hasMessageContaining("pos");
        assertThatThrownBy(() -> ChangePosition.parse("mysql:file=b.000001;pos=x")).hasMessageContaining("pos");
        assertThatThrownBy(() -> ChangePosition.parse("postgresql:slot=s")).hasMessageContaining("lsn");
        for (String lsn : new String[] {"16B3748", "/1", "1/", "0/G", "123456789/0", "0/-1", "0/+1"}) {
            assertThatThrownBy(() -> ChangePosition.parse("postgresql:lsn=" + lsn)).as(lsn)
                    .hasMessageContaining("lsn");
        }
        assertThatThrownBy(() -> ChangePosition.parse("postgresql:lsn=0/1;file=x"))
                .hasMessageContaining("bad change position field: file");
    }

    @Test
    void walPositionsAreOrderedByLsn() {
        WalPosition mark = new WalPosition(null, "1/A0000028");
        assertThat(new WalPosition("s", "1/A0000028").reached(mark)).isTrue();
        assertThat(new WalPosition("s", "1/A0000029").reached(mark)).isTrue();
        assertThat(new WalPosition("s", "2/0").reached(mark)).isTrue();
        assertThat(new WalPosition("s", "1/A0000027").reached(mark)).isFalse();
        assertThat(new WalPosition("s", "0/FFFFFFFF").reached(mark)).as("the high half weighs more").isFalse();
        assertThat(new WalPosition("s", "1/0A000028").reached(new WalPosition(null, "1/A000028")))
                .as("zero padding reads the same LSN").isTrue();
        assertThat(new WalPosition("s", "FFFFFFFF/0").reached(mark)).as("ordered unsigned").isTrue();
        assertThat(new WalPosition("s", "1/A0000028").lsnValue()).isEqualTo(0x1A0000028L);
    }

    @Test
    void binlogPositionsAreOrderedByFileNumberThenOffset() {
        BinlogPosition mark = new BinlogPosition("mysql-bin.000009", 500, "", "mysql");
        assertThat(new BinlogPosition("mysql-bin.000009", 500, "", "mysql").reached(mark)).isTrue();
        assertThat(new BinlogPosition("mysql-bin.000009", 501, "", "mysql").reached(mark)).isTrue();
        assertThat(new BinlogPosition("mysql-bin.000009", 499, "", "mysql").reached(mark)).isFalse();
        assertThat(new BinlogPosition("mysql-bin.000010", 4, "", "mysql").reached(mark))
                .as("a later file, whatever its offset").isTrue();
        assertThat(new BinlogPosition("mysql-bin.000008", 90_000, "", "mysql").reached(mark)).isFalse();
        assertThat(new BinlogPosition("mysql-bin.1000000", 4, "", "mysql")
                .reached(new BinlogPosition("mysql-bin.999999", 4, "", "mysql")))
                .as("numbered, not compared as text").isTrue();
    }

    @Test
    void positionsOfDifferentEnginesAreNotCompared() {
        assertThatThrownBy(() -> new WalPosition("s", "0/1").reached(new BinlogPosition("b.000001", 4, null, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BinlogPosition("b.000001", 4, null, null).reached(new WalPosition("s", "0/1")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
