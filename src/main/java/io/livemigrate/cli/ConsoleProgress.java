package io.livemigrate.cli;

import io.livemigrate.copy.CopyProgress;
import io.livemigrate.engine.TableId;

import java.io.PrintStream;
import java.util.Map;

/**
 * Prints one progress line per table while a copy runs (rows, rows/s, ETA): redrawn in place on a terminal,
 * appended every few seconds when the output is a log (Jenkins, Quartz).
 */
final class ConsoleProgress implements AutoCloseable {

    private final CopyProgress progress;
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private final Thread thread;
    private int linesDrawn;

    ConsoleProgress(CopyProgress progress, PrintStream out) {
        this.progress = progress;
        this.out = out;
        this.thread = new Thread(this::loop, "console-progress");
        this.thread.setDaemon(true);
    }

    ConsoleProgress start() {
        thread.start();
        return this;
    }

    private void loop() {
        long interval = terminal ? 1000 : 5000;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
            }
            catch (InterruptedException e) {
                return;
            }
            draw();
        }
    }

    synchronized void draw() {
        if (terminal && linesDrawn > 0) {
            out.print("\033[" + linesDrawn + "A");
        }
        linesDrawn = 0;
        for (Map.Entry<TableId, CopyProgress.TableCounter> e : progress.tables().entrySet()) {
            out.println(line(e.getKey(), e.getValue()) + (terminal ? "\033[K" : ""));
            linesDrawn++;
        }
        out.flush();
    }

    static String line(TableId table, CopyProgress.TableCounter c) {
        double rate = c.seconds() > 0 ? c.rows() / c.seconds() : 0;
        long remaining = Math.max(0, c.estimatedRows() - c.rows());
        String eta = rate > 0 && remaining > 0 ? duration(remaining / rate) : "-";
        return String.format("  %-36s %,13d / ~%,d rows  %,10.0f rows/s  ETA %s", table.qualified(), c.rows(),
                c.estimatedRows(), rate, eta);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(2000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
