package io.livemigrate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo} on a small shop shows the whole move on embedded PostgreSQL: copy, catch-up and verify, then a
 * rehearsal of the application's logged reads (clean, results compared while catch-up runs), cutover, revert and
 * cutover again with its application writing through the read-only fence and a switch command it follows, and
 * complete; each switch prints the writes held, and every write the application committed is on the primary.
 * (MariaDB runs the same steps through the same code; one engine keeps the build short.)
 */
class DemoCommandTest {

    private static final Pattern SWITCH = Pattern.compile("switch (\\d) \\((cutover|revert)\\): writes were held (\\d+) ms;"
            + ".* the application now writes to the (source|target) \\(([0-9,]+) transactions committed on the source, "
            + "([0-9,]+) on the target");

    @TempDir
    Path dir;

    @Test
    void showsCutoverRevertCutoverAndCompleteWithTheApplicationWriting() {
        String output = run("demo", "--engine", "postgresql", "--small", "--dir", dir.toString());

        assertThat(exit).as(output).isZero();
        Matcher m = SWITCH.matcher(output);
        List<String> seen = new java.util.ArrayList<>();
        long targetWrites = -1;
        while (m.find()) {
            seen.add(m.group(1) + " " + m.group(2) + " to the " + m.group(4));
            long onTarget = Long.parseLong(m.group(6).replace(",", ""));
            assertThat(onTarget).as("the application writes to the target after each cutover").isGreaterThan(targetWrites);
            targetWrites = m.group(4).equals("target") ? onTarget : targetWrites;
        }
        assertThat(seen).as(output).containsExactly("1 cutover to the target", "2 revert to the source",
                "3 cutover to the target");
        assertThat(output).contains("== livemigrate complete").contains("every committed write is on the primary")
                .doesNotContain(": FAILED");
        String rehearsal = output.substring(output.indexOf("== livemigrate rehearse"),
                output.indexOf("== livemigrate cutover"));
        assertThat(rehearsal).as("the rehearsal runs before the first cutover")
                .contains("catch-up is running: results are compared at matched positions")
                .contains("select name, balance from customers where id = ?")
                .contains("skipped: writes data")
                .containsPattern("rehearse: CLEAN: [0-9,]+ statement\\(s\\), [0-9,]+ replayed, [1-9][0-9,]* compared, 0 result"
                        + " difference\\(s\\), 0 error difference\\(s\\), 0 regression\\(s\\)");
    }

    private int exit;

    private String run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                captured.write(b);
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                captured.write(b, off, len);
                out.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            exit = Main.execute(args);
        }
        finally {
            System.setOut(out);
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
