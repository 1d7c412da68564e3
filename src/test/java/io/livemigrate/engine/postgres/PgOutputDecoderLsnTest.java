package io.livemigrate.engine.postgres;

import org.junit.jupiter.api.Test;
import org.postgresql.replication.LogSequenceNumber;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class PgOutputDecoderLsnTest {

    @Test
    void commitPositionsWriteTheLsnAsPgJdbcAndPostgresqlDo() {
        long[] edges = {0, 1, 0xFFFFFFFFL, 0x100000000L, 0x16B3748L, Long.MAX_VALUE, -1L, Long.MIN_VALUE};
        for (long lsn : edges) {
            assertThat(PgOutputDecoder.lsnText(lsn)).isEqualTo(LogSequenceNumber.valueOf(lsn).asString());
        }
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long lsn = random.nextLong() >>> random.nextInt(64);
            assertThat(PgOutputDecoder.lsnText(lsn)).isEqualTo(LogSequenceNumber.valueOf(lsn).asString());
        }
        assertThat(PgOutputDecoder.position("livemigrate_shop", 0x1A0000028L).serialize())
                .isEqualTo("postgresql:slot=livemigrate_shop;lsn=1/A0000028");
    }
}
