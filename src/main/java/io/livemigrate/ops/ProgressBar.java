package io.livemigrate.ops;

import io.livemigrate.repository.MigrationStatus;

import java.util.Locale;

/**
 * A table's copy progress as an inline SVG bar: the share of its partitions (key ranges) copied, in green, and of
 * those failed, in red (run copy again to resume them). Partitions, not rows: their number is exact, a table's row
 * count is only estimated.
 */
final class ProgressBar {

    static final int WIDTH = 200;
    static final int HEIGHT = 14;
    static final String DONE_COLOR = "#2ca02c";
    static final String FAILED_COLOR = "#d62728";

    private ProgressBar() {
    }

    static String svg(MigrationStatus.TableProgress t) {
        double done = t.partitions() == 0 ? 0 : (double) t.partitionsDone() / t.partitions();
        double failed = t.partitions() == 0 ? 0 : (double) t.partitionsFailed() / t.partitions();
        String percent = String.format(Locale.ROOT, "%.0f", done * 100);
        String table = org.springframework.web.util.HtmlUtils.htmlEscape(t.table());
        return "<svg class=\"progress\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + HEIGHT
                + "\" data-table=\"" + table + "\" data-done=\"" + t.partitionsDone() + "\" data-failed=\""
                + t.partitionsFailed() + "\" data-total=\"" + t.partitions() + "\" data-percent=\"" + percent
                + "\" role=\"img\" aria-label=\"" + table + " " + percent + " % copied\">"
                + "<rect width=\"" + WIDTH + "\" height=\"" + HEIGHT + "\" fill=\"#eee\"/>"
                + "<rect class=\"done\" width=\"" + width(done) + "\" height=\"" + HEIGHT + "\" fill=\"" + DONE_COLOR + "\"/>"
                + "<rect class=\"failed\" x=\"" + width(done) + "\" width=\"" + width(failed) + "\" height=\"" + HEIGHT
                + "\" fill=\"" + FAILED_COLOR + "\"/>"
                + "<text x=\"" + (WIDTH / 2) + "\" y=\"11\" text-anchor=\"middle\" font-size=\"11\">" + percent
                + " %</text></svg>";
    }

    private static String width(double share) {
        return String.format(Locale.ROOT, "%.1f", share * WIDTH);
    }
}
