package io.livemigrate.repository;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RepositoryLocationTest {

    @Test
    void h2FileStoresWriteEachCommitAtOnce() {
        assertThat(RepositoryLocation.resolve(null, Map.of(), Path.of("/work")).url())
                .startsWith("jdbc:h2:file:/work/.livemigrate/repository;").endsWith(";WRITE_DELAY=0");
        assertThat(RepositoryLocation.resolve("jdbc:h2:file:/tmp/r;AUTO_SERVER=TRUE", Map.of(), Path.of("/work")).url())
                .isEqualTo("jdbc:h2:file:/tmp/r;AUTO_SERVER=TRUE;WRITE_DELAY=0");
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
