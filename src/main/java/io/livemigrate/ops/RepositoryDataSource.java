package io.livemigrate.ops;

import io.livemigrate.repository.RepositoryLocation;
import io.livemigrate.repository.RepositorySchema;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import javax.sql.DataSource;
import java.sql.SQLException;

/** A plain, unpooled connection source to the job repository, for commands that need no Spring Batch context. */
public final class RepositoryDataSource {

    private RepositoryDataSource() {
    }

    /** Creates the repository's tables if they are missing (as any job would), then returns the data source. */
    public static DataSource open(RepositoryLocation location) throws SQLException {
        location.requireReachable();
        DriverManagerDataSource ds = new DriverManagerDataSource(location.url(), location.user(),
                location.password().reveal());
        RepositorySchema.ensure(ds);
        return ds;
    }
}
