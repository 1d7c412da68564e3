package io.livemigrate.ops;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The status page's chart of catch-up lag over time: inline SVG drawn on the server (no script, nothing fetched),
 * one line per stream. Each line carries its samples' values ({@code data-lags}, seconds) so a reader or a test can
 * compare them with the drawn points: y = TOP + (1 - lag / max) * PLOT_HEIGHT, x spread over the sampled time span.
 */
final class LagChart {

    static final int WIDTH = 640;
    static final int HEIGHT = 180;
    static final int LEFT = 56;
    static final int RIGHT = 10;
    static final int TOP = 10;
    static final int BOTTOM = 22;
    static final int PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;
    static final int PLOT_WIDTH = WIDTH - LEFT - RIGHT;
    static final String FORWARD_COLOR = "#1f77b4";
    static final String REVERSE_COLOR = "#ff7f0e";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private LagChart() {
    }

    static String svg(List<LagHistory.Sample> samples) {
        if (samples.isEmpty()) {
            return "<p id=\"lag-chart-empty\">No lag sampled yet: while a catch-up runs, the server samples the lag it "
                    + "records every 5 s.</p>";
        }
        long t0 = samples.get(0).epochMillis();
        long t1 = samples.get(samples.size() - 1).epochMillis();
        double max = Math.max(1.0, samples.stream().mapToDouble(LagHistory.Sample::lagSeconds).max().orElse(0) * 1.1);
        StringBuilder svg = new StringBuilder();
        svg.append("<svg id=\"lag-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" data-samples=\"").append(samples.size())
                .append("\" data-max=\"").append(num(max)).append("\" role=\"img\" aria-label=\"catch-up lag\">")
                .append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(PLOT_WIDTH)
                .append("\" height=\"").append(PLOT_HEIGHT).append("\" fill=\"#fafafa\" stroke=\"#ccc\"/>")
                .append(label(LEFT - 4, TOP + 10, "end", num(max) + " s"))
                .append(label(LEFT - 4, TOP + PLOT_HEIGHT, "end", "0 s"))
                .append(label(LEFT, HEIGHT - 6, "start", CLOCK.format(Instant.ofEpochMilli(t0))))
                .append(label(WIDTH - RIGHT, HEIGHT - 6, "end", CLOCK.format(Instant.ofEpochMilli(t1))));
        line(svg, samples, "forward", FORWARD_COLOR, t0, t1, max);
        line(svg, samples, "reverse", REVERSE_COLOR, t0, t1, max);
        return svg.append("</svg>").toString();
    }

    private static void line(StringBuilder svg, List<LagHistory.Sample> all, String stream, String color, long t0,
                             long t1, double max) {
        List<LagHistory.Sample> samples = all.stream().filter(s -> s.stream().equals(stream)).toList();
        if (samples.isEmpty()) {
            return;
        }
        StringBuilder points = new StringBuilder();
        StringBuilder lags = new StringBuilder();
        for (LagHistory.Sample s : samples) {
            points.append(points.isEmpty() ? "" : " ").append(num(x(s.epochMillis(), t0, t1))).append(',')
                    .append(num(y(s.lagSeconds(), max)));
            lags.append(lags.isEmpty() ? "" : " ").append(num3(s.lagSeconds()));
        }
        LagHistory.Sample last = samples.get(samples.size() - 1);
        svg.append("<polyline class=\"lag ").append(stream).append("\" fill=\"none\" stroke=\"").append(color)
                .append("\" stroke-width=\"2\" points=\"").append(points).append("\" data-lags=\"").append(lags)
                .append("\"/><circle class=\"lag-now ").append(stream).append("\" cx=\"")
                .append(num(x(last.epochMillis(), t0, t1))).append("\" cy=\"").append(num(y(last.lagSeconds(), max)))
                .append("\" r=\"3\" fill=\"").append(color).append("\"/>")
                .append(label(LEFT + 6 + ("reverse".equals(stream) ? 150 : 0), TOP + 14, "start", stream + " stream: "
                        + num3(last.lagSeconds()) + " s"));
    }

    static double x(long at, long t0, long t1) {
        return t1 == t0 ? LEFT + PLOT_WIDTH : LEFT + (double) (at - t0) / (t1 - t0) * PLOT_WIDTH;
    }

    static double y(double lag, double max) {
        return TOP + (1 - lag / max) * PLOT_HEIGHT;
    }

    private static String label(int x, int y, String anchor, String text) {
        return "<text x=\"" + x + "\" y=\"" + y + "\" text-anchor=\"" + anchor + "\" font-size=\"11\">" + text + "</text>";
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String num3(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
