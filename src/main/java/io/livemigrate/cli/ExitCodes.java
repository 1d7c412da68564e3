package io.livemigrate.cli;

/** Process exit codes, the contract with schedulers (Quartz, Jenkins) and scripts. */
public final class ExitCodes {

    /** Done. */
    public static final int OK = 0;
    /** The job failed; running the same command again resumes it. */
    public static final int JOB_FAILED = 1;
    /** Bad usage, bad plan or failed preflight: nothing was written. */
    public static final int BAD_INPUT = 2;
    /** Verification found differences. */
    public static final int DIFFERENCES = 3;

    private ExitCodes() {
    }
}
