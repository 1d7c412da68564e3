package io.livemigrate.ops;

import io.livemigrate.plan.Schedule;
import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.MigrationStatus;
import io.livemigrate.repository.RehearsalHistory;
import io.livemigrate.repository.SwitchHistory;
import org.springframework.web.util.HtmlUtils;

import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The server's read-only status page: plain HTML with inline SVG (a lag chart, per-table progress bars), no scripts
 * and nothing fetched from elsewhere, refreshed by the browser every 10 seconds.
 */
final class StatusPage {

    private static final int RECENT_EXECUTIONS = 20;

    private final StringBuilder html = new StringBuilder();

    static String render(MigrationStatus s, ThrottleSettings throttle, List<Schedule> schedules,
                         List<LagHistory.Sample> lagHistory) {
        StatusPage page = new StatusPage();
        page.raw("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"10\">"
                + "<title>livemigrate ").text(s.plan()).raw("</title><style>body{font-family:sans-serif;margin:2em}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
                + "</style></head><body>");
        page.raw("<h1>livemigrate: <span id=\"plan\">").text(s.plan()).raw("</span></h1>");
        page.raw("<p>Phase: <b id=\"phase\">").text(s.phase()).raw("</b></p>");
        page.raw("<p>Primary (where the application writes): <b id=\"primary\">").text(s.primary()).raw("</b></p>");
        page.raw("<p>Throttle: <span id=\"throttle\">").text(throttle.describe()).raw("</span></p>");
        if (s.changeCaptureStart() != null) {
            page.raw("<p>Change capture starts at ").text(s.changeCaptureStart()).raw("</p>");
        }
        page.raw("<p>Catch-up lag: <span id=\"lag\">").text(lag(s.catchup())).raw("</span></p>");
        if (s.reverseCatchup() != null) {
            page.raw("<p>Reverse catch-up lag: <span id=\"reverse-lag\">").text(lag(s.reverseCatchup()))
                    .raw("</span></p>");
        }
        page.raw("<h2>Catch-up lag over time</h2>").raw(LagChart.svg(lagHistory));
        page.tables(s);
        page.switches(s.switches());
        page.verification(s);
        page.rehearsal(s.lastRehearsal());
        page.schedules(schedules);
        page.executions(s.executions());
        return page.raw("</body></html>").html.toString();
    }

    private static String lag(MigrationStatus.Catchup c) {
        if (c == null || c.lagSeconds() == null) {
            return "no catch-up recorded";
        }
        return String.format(Locale.ROOT, "%.1f s (%s, applied up to %s)", c.lagSeconds(), c.status().toLowerCase(),
                c.position());
    }

    private void tables(MigrationStatus s) {
        raw("<h2>Tables</h2><table id=\"tables\"><tr><th>Table</th><th>Copy progress</th><th>Partitions done</th>"
                + "<th>Failed</th><th>Rows copied</th></tr>");
        for (MigrationStatus.TableProgress t : s.tables()) {
            raw("<tr><td>").text(t.table()).raw("</td><td>").raw(ProgressBar.svg(t)).raw("</td>");
            cells(t.partitionsDone() + "/" + t.partitions(), t.partitionsFailed(),
                    String.format(Locale.ROOT, "%,d", t.rows()));
            raw("</tr>");
        }
        raw("</table>");
    }

    private void verification(MigrationStatus s) {
        if (s.lastVerification().isEmpty()) {
            return;
        }
        raw("<h2>Last verification</h2><table id=\"verification\"><tr><th>Table</th><th>Compared</th><th>Missing</th>"
                + "<th>Extra</th><th>Different</th><th>In flux</th></tr>");
        for (MigrationStatus.VerifiedTable v : s.lastVerification()) {
            row(v.table(), v.compared(), v.missing(), v.extra(), v.different(), v.inFlux());
        }
        raw("</table>");
    }

    /** The latest finished rehearsal: its outcome and totals, then its worst fingerprints. */
    private void rehearsal(RehearsalHistory.Rehearsal last) {
        if (last == null) {
            return;
        }
        RehearsalHistory.Run r = last.run();
        raw("<h2>Last rehearsal</h2><p id=\"rehearsal\">").raw("<b id=\"rehearsal-outcome\">").text(r.outcome())
                .raw("</b> ").text(String.format(Locale.ROOT, "at %s (execution %d): %,d statement(s), %,d replayed,"
                                + " %,d compared, %,d result difference(s), %,d error difference(s), %,d regression(s),"
                                + " %,d fingerprint(s)%s", r.finishedAt().truncatedTo(ChronoUnit.SECONDS),
                        r.execution(), r.statements(), r.replayed(), r.compared(), r.resultDiffs(), r.errorDiffs(),
                        r.regressions(), r.fingerprints(), r.catchupRunning() ? ""
                                : "; catch-up was not running, so results were not compared"))
                .raw("</p>");
        raw("<table id=\"rehearsal-fingerprints\"><tr><th>Fingerprint</th><th>Runs</th><th>Compared</th>"
                + "<th>Result differences</th><th>Error differences</th><th>Source p95</th><th>Target p95</th>"
                + "<th>Regression</th><th>First difference</th></tr>");
        for (RehearsalHistory.Row f : last.worst()) {
            raw("<tr data-fingerprint=\"").text(f.id()).raw("\">");
            cells(f.fingerprint(), f.executions(), f.compared(), f.resultDiffs(), f.errorDiffs(),
                    micros(f.source().p95()), micros(f.target().p95()), f.regression() ? "REGRESSION" : "no",
                    f.firstDiff());
            raw("</tr>");
        }
        raw("</table>");
        if (r.fingerprints() > last.worst().size()) {
            raw("<p>").text("The " + last.worst().size() + " worst of " + r.fingerprints()
                    + " fingerprints; all are in LIVEMIGRATE_REHEARSAL.").raw("</p>");
        }
    }

    private static String micros(long us) {
        return us >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000.0) : us + " µs";
    }

    private void schedules(List<Schedule> schedules) {
        raw("<h2>Schedules</h2><table id=\"schedules\"><tr><th>Name</th><th>Cron</th><th>Time zone</th>"
                + "<th>Command</th></tr>");
        for (Schedule sc : schedules) {
            row(sc.name(), sc.cron(), sc.timeZone(), String.join(" ", sc.command()));
        }
        raw("</table>");
    }

    private void executions(List<MigrationHistory.JobRun> runs) {
        raw("<h2>Recent executions</h2><table id=\"executions\"><tr><th>Execution</th><th>Job</th><th>Status</th>"
                + "<th>Started</th><th>Ended</th><th>Exit</th></tr>");
        for (int i = runs.size() - 1; i >= Math.max(0, runs.size() - RECENT_EXECUTIONS); i--) {
            MigrationHistory.JobRun r = runs.get(i);
            row(r.executionId(), r.jobName(), r.status(), r.start(), r.end(), r.exitCode());
        }
        raw("</table>");
    }

    /** Every cutover and revert: outcome, writes held, re-check, each step's duration and its timed phases. */
    private void switches(List<SwitchHistory.Switch> switches) {
        if (switches.isEmpty()) {
            return;
        }
        raw("<h2>Cutovers and reverts</h2><table id=\"switches\"><tr><th>Switch</th><th>Run</th><th>Status</th>"
                + "<th>Started</th><th>Writes held</th><th>Re-verify</th><th>Steps</th><th>Note</th></tr>");
        for (SwitchHistory.Switch sw : switches) {
            raw("<tr class=\"switch\" data-direction=\"").text(sw.direction()).raw("\" data-run=\"")
                    .text(String.valueOf(sw.run())).raw("\">");
            cells(sw.direction(), sw.run(), sw.status(), sw.start(),
                    sw.pauseMillis() == null ? null : sw.pauseMillis() + " ms",
                    sw.reverify() == null ? null : sw.reverify().summary());
            raw("<td><ol class=\"steps\">");
            for (SwitchHistory.StepTiming step : sw.steps()) {
                raw("<li data-step=\"").text(step.name()).raw("\" data-ms=\"")
                        .text(step.millis() == null ? "" : step.millis().toString()).raw("\">").text(step.name() + " "
                                + step.status().toLowerCase(Locale.ROOT) + " " + (step.millis() == null ? "-"
                                : step.millis() + " ms"));
                if (!step.phases().isEmpty()) {
                    raw("<ul class=\"phases\">");
                    for (SwitchHistory.PhaseTiming phase : step.phases()) {
                        raw("<li data-phase=\"").text(phase.name()).raw("\" data-ms=\"")
                                .text(String.valueOf(phase.millis())).raw("\">")
                                .text(phase.name() + " " + phase.millis() + " ms").raw("</li>");
                    }
                    raw("</ul>");
                }
                raw("</li>");
            }
            raw("</ol></td>");
            cells(sw.message());
            raw("</tr>");
        }
        raw("</table>");
    }

    private void row(Object... cells) {
        raw("<tr>");
        cells(cells);
        raw("</tr>");
    }

    private void cells(Object... cells) {
        for (Object cell : cells) {
            raw("<td>").text(cell == null ? "-" : cell.toString()).raw("</td>");
        }
    }

    private StatusPage raw(String s) {
        html.append(s);
        return this;
    }

    private StatusPage text(String s) {
        html.append(HtmlUtils.htmlEscape(s));
        return this;
    }
}
