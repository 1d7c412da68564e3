package io.livemigrate.check;

import io.livemigrate.engine.Finding;
import io.livemigrate.engine.TableInfo;

import java.util.List;

/**
 * What preflight found for one table.
 *
 * @param source      the table on the source
 * @param targetState "missing" (will be created), "empty", "has rows", or "resuming"
 * @param findings    problems, errors and warnings
 */
public record TableReport(TableInfo source, String targetState, List<Finding> findings) {

    public boolean refused() {
        return findings.stream().anyMatch(Finding::isError);
    }
}
