package io.livemigrate.repository;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepositoryLocationTest {

    @Test
    void h2FileStoresWriteEachCommitAtOnce() {
        assertThat(RepositoryLocation.resolve(null, Map.of(), Path.of("/work")).url())
                .startsWith("jdbc:h2:file:/work/.livemigrate/repository;").endsWith(";WRITE_DELAY=0");
        assertThat(RepositoryLocation.resolve("jdbc:h2:file:/tmp/r;AUTO_SERVER=TRUE", Map.of(), Path.of("/work")).url())
                .isEqualTo("jdbc:h2:file:/tmp/r;AUTO_SERVER=TRUE;WRITE_DELAY=0");
    }

    @Test
    void aPasswordInTheUrlNeverShowsWhereTheRepositoryIsNamed() {
        for (String url : new String[] {"jdbc:postgresql://db/batch?user=ops&password=hunter2&ssl=true",
                "jdbc:mysql://ops:hunter2@db:3306/batch", "jdbc:h2:tcp://repo/batch;PASSWORD=hunter2;IFEXISTS=TRUE",
                "jdbc:postgresql://db/batch?sslpassword=hunter2"}) {
            RepositoryLocation location = RepositoryLocation.resolve(url, Map.of(), Path.of("/"));
            assertThat(location.toString()).doesNotContain("hunter2").contains("****");
            assertThat(location.unreachable(new java.sql.SQLException("refused")).getMessage())
                    .doesNotContain("hunter2");
        }
        assertThatThrownBy(() -> RepositoryLocation.resolve("jdbc:oracle:thin:@db?password=hunter2", Map.of(),
                Path.of("/"))).hasMessageContaining("not a PostgreSQL, MySQL or H2 JDBC URL")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void anExplicitWriteDelayAndOtherDatabasesAreLeftAlone() {
        assertThat(RepositoryLocation.resolve("jdbc:h2:file:/tmp/r;write_delay=100", Map.of(), Path.of("/")).url())
                .isEqualTo("jdbc:h2:file:/tmp/r;write_delay=100");
        assertThat(RepositoryLocation.resolve("jdbc:postgresql://db/batch", Map.of(), Path.of("/")).url())
                .isEqualTo("jdbc:postgresql://db/batch");
        assertThat(RepositoryLocation.resolve("jdbc:mariadb://db/batch", Map.of(), Path.of("/")).url())
                .isEqualTo("jdbc:mysql://db/batch");
    }
}
