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

    /** Every form of an H2 file URL is opened so that livemigrate's processes can share it, as the default is. */
    @Test
    void h2FileUrlsWithoutAutoServerAreSharedLikeTheDefault() {
        assertThat(RepositoryLocation.resolve(null, Map.of(), Path.of("/work")).url()).contains(";AUTO_SERVER=TRUE");
        for (String file : new String[] {"jdbc:h2:file:/tmp/r", "jdbc:h2:/tmp/r", "jdbc:h2:./r", "jdbc:h2:../r",
                "jdbc:h2:~/r", "jdbc:h2:file:./r;MODE=PostgreSQL"}) {
            assertThat(RepositoryLocation.resolve(file, Map.of(), Path.of("/")).url())
                    .isEqualTo(file + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
        }
        assertThat(RepositoryLocation.resolve("jdbc:h2:/tmp/r;auto_server=true;Write_Delay=10", Map.of(),
                Path.of("/")).url()).as("settings given in any case are kept").isEqualTo(
                "jdbc:h2:/tmp/r;auto_server=true;Write_Delay=10");
        for (String notAFile : new String[] {"jdbc:h2:tcp://repo:9092/batch", "jdbc:h2:ssl://repo/batch",
                "jdbc:h2:mem:batch"}) {
            assertThat(RepositoryLocation.resolve(notAFile, Map.of(), Path.of("/")).url()).isEqualTo(notAFile);
        }
    }

    /**
     * The settings refused are those with which H2 itself will not share the file: each is refused by H2 next to
     * AUTO_SERVER=TRUE (the first check), so livemigrate refuses it up front, naming it, with the URL masked.
     */
    @Test
    void anH2FileUrlThatRulesSharingOutIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) {
        for (String setting : new String[] {"FILE_LOCK=NO", "FILE_LOCK=FS", "DB_CLOSE_ON_EXIT=FALSE"}) {
            String url = "jdbc:h2:file:" + dir.resolve("r") + ";" + setting + ";AUTO_SERVER=TRUE";
            assertThatThrownBy(() -> java.sql.DriverManager.getConnection(url, "sa", "").close())
                    .as(setting).isInstanceOf(java.sql.SQLException.class).hasMessageContaining("AUTO_SERVER");
        }
        for (String setting : new String[] {"AUTO_SERVER=FALSE", "auto_server=false", "FILE_LOCK=NO", "file_lock=fs",
                "DB_CLOSE_ON_EXIT=FALSE"}) {
            assertThatThrownBy(() -> RepositoryLocation.resolve("jdbc:h2:file:/tmp/r;PASSWORD=hunter2;" + setting,
                    Map.of(), Path.of("/"))).as(setting).isInstanceOf(RepositoryUrlException.class)
                    .hasMessageContaining("sets " + setting.toUpperCase()).hasMessageContaining("remove that setting")
                    .hasMessageNotContaining("hunter2");
        }
        assertThat(RepositoryLocation.resolve("jdbc:h2:tcp://repo/batch;AUTO_SERVER=FALSE", Map.of(), Path.of("/"))
                .url()).as("a standalone server is shared anyway").isEqualTo("jdbc:h2:tcp://repo/batch;AUTO_SERVER=FALSE");
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
                .isEqualTo("jdbc:h2:file:/tmp/r;write_delay=100;AUTO_SERVER=TRUE");
        assertThat(RepositoryLocation.resolve("jdbc:postgresql://db/batch", Map.of(), Path.of("/")).url())
                .isEqualTo("jdbc:postgresql://db/batch");
        assertThat(RepositoryLocation.resolve("jdbc:mariadb://db/batch", Map.of(), Path.of("/")).url())
                .isEqualTo("jdbc:mysql://db/batch");
    }
}
