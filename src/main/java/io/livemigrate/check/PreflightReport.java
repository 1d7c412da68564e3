package io.livemigrate.check;

import io.livemigrate.engine.Finding;

import java.io.PrintStream;
import java.util.List;

/** The whole preflight: server findings, then one entry per table. */
public record PreflightReport(List<Finding> serverFindings, List<TableReport> tables) {

    public boolean passed() {
        return serverFindings.stream().noneMatch(Finding::isError) && tables.stream().noneMatch(TableReport::refused);
    }

    public long errorCount() {
        return serverFindings.stream().filter(Finding::isError).count()
                + tables.stream().flatMap(t -> t.findings().stream()).filter(Finding::isError).count();
    }

    public void print(PrintStream out) {
        out.printf("%-40s %12s %10s  %-28s %s%n", "TABLE", "EST. ROWS", "SIZE", "PAGES BY", "TARGET");
        for (TableReport t : tables) {
            String key = t.source().hasKey() ? t.source().keyName() + " (" + String.join(", ", t.source().keyColumns()) + ")" : "-";
            out.printf("%-40s %12d %10s  %-28s %s%n", t.source().id().qualified(), t.source().estimatedRows(),
                    humanBytes(t.source().estimatedBytes()), key, t.targetState());
        }
        List<Finding> all = new java.util.ArrayList<>(serverFindings);
        tables.forEach(t -> all.addAll(t.findings()));
        if (!all.isEmpty()) {
            out.println();
        }
        for (Finding f : all) {
            out.println((f.isError() ? "ERROR   " : "WARNING ") + f.subject() + ": " + f.problem());
            if (f.remedy() != null && !f.remedy().isEmpty()) {
                out.println("        what to do: " + f.remedy());
            }
        }
        out.println();
        out.println(passed() ? "preflight passed: " + tables.size() + " table(s) ready to copy"
                : "preflight FAILED: " + errorCount() + " error(s); nothing was changed");
    }

    static String humanBytes(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]);
    }
}
