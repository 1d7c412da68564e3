package io.livemigrate.cutover;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.verify.ChangedKeyVerifier;
import io.livemigrate.verify.VerifyRuns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/**
 * Step 4: with writes fenced and catch-up drained, the rows catch-up changed since the last clean verification must
 * be exactly equal on both sides; they are compared by key within {@code cutover.reverify-budget} (with
 * {@code cutover.reverify: full}, all of them whatever it takes). A difference
 * fails the step (so the cutover rolls back and the source stays primary) and names the table and key. When the
 * budget runs out first the step records how many keys it checked and goes on: the full verification stands for
 * the rest. The outcome is in the step's execution context ({@code reverify*} keys) and printed.
 *
 * <p>Which changes: those after the mark the latest clean verification took when it started. Without one
 * ({@code --skip-verify}), and for the reverse direction (never verified), every key catch-up recorded. Catch-up's
 * {@link io.livemigrate.verify.ContinuousReverification} prunes the record as it re-checks, so by the fence only the
 * keys changed in the last moments remain.
 */
final class Reverification {

    static final String SUMMARY = "reverify";
    static final String MARK = "reverify.mark";
    static final String CHANGED = "reverify.keys.changed";
    static final String CHECKED = "reverify.keys.checked";
    static final String DIFFERENCES = "reverify.differences";
    /** {@code reverify: full} has no budget: the switch waits for every key (bounded by max-pause's drain only). */
    private static final Duration FULL_BUDGET = Duration.ofDays(1);
    private static final Logger log = LoggerFactory.getLogger(Reverification.class);

    private final MigrationResources resources;
    private final JobRepository repository;
    private final ChangedKeyVerifier verifier;

    /** Reads the tables' definitions for the digests now: called before the fence, so the pause does not carry it. */
    Reverification(MigrationResources resources, MigrationTables tables, JobRepository repository)
            throws java.sql.SQLException {
        this.resources = resources;
        this.repository = repository;
        this.verifier = resources.plan().cutover().reverifyBudget().isZero() && !resources.plan().cutover().reverifyFull()
                ? null : new ChangedKeyVerifier(resources, tables.ids()).prepared();
    }

    void run(ExecutionContext step) throws Exception {
        MigrationPlan plan = resources.plan();
        boolean full = plan.cutover().reverifyFull();
        Duration budget = full ? FULL_BUDGET : plan.cutover().reverifyBudget();
        if (budget.isZero()) {
            step.putString(SUMMARY, "skipped (cutover.reverify-budget: 0); the full verification stands");
            log.info("4/9 re-verify skipped (cutover.reverify-budget: 0)");
            return;
        }
        Optional<JobExecution> clean = plan.isReverse() ? Optional.empty() : VerifyRuns.lastClean(repository, plan.name());
        OptionalLong verified = clean.map(VerifyRuns::catchupMark).orElse(OptionalLong.empty());
        long mark = verified.orElse(0);
        String since = verified.isPresent()
                ? "since verification execution " + clean.get().getId() + " (after catch-up batch " + mark + ")"
                : plan.isReverse() ? "by the reverse stream (that direction is never verified)"
                : "by catch-up (no clean verification that recorded where it started)";
        ChangedKeyVerifier.Outcome o = verifier.verify(mark, budget, full);
        step.putLong(MARK, mark);
        step.putLong(CHANGED, o.changed());
        step.putLong(CHECKED, o.checked());
        step.putLong(DIFFERENCES, o.differences());
        if (o.differences() > 0) {
            String named = o.samples().stream().map(d -> d.table() + " key " + d.key() + " (" + d.describe() + ")")
                    .collect(Collectors.joining("; "));
            step.putString(SUMMARY, o.differences() + " difference(s) in " + o.checked() + " checked key(s): " + named);
            throw new IllegalStateException("re-verify: " + o.differences() + " row(s) changed " + since + " differ "
                    + "between source and target although writes are fenced and catch-up has drained: " + named
                    + (o.differences() > o.samples().size() ? "; ..." : "") + ". The cutover is rolled back; find the"
                    + " cause (a write that bypassed the fence, or a change applied wrongly), repair, verify again");
        }
        if (o.complete()) {
            step.putString(SUMMARY, o.checked() + " of " + o.changed() + " key(s) checked, all equal (those changed "
                    + since + " that catch-up's continuous re-check had not yet covered)");
            log.info("4/9 re-verified {} of {} key(s) changed {} (those catch-up's continuous re-check had not covered):"
                    + " all equal", o.checked(), o.changed(), since);
        }
        else {
            String of = (o.recordComplete() ? "" : "at least ") + o.changed();
            step.putString(SUMMARY, "partial: " + o.checked() + " of " + of + " key(s) checked within "
                    + budget.toMillis() + " ms, all equal; the full verification stands for the rest");
            log.warn("4/9 re-verify partial: {} of {} key(s) changed {} checked within cutover.reverify-budget {} ms, "
                    + "all equal; the full verification stands for the rest", o.checked(), of, since,
                    budget.toMillis());
        }
    }
}
