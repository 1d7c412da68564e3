package io.livemigrate.cli;

import io.livemigrate.plan.ConnectionFailure;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.plan.PlanException;
import picocli.CommandLine;

/**
 * Turns exceptions that escape a command into one message and an exit code. Operator mistakes get exit 2 and
 * no stack trace; anything else is a failed job (exit 1) whose details are in the log and the job repository.
 */
class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        Throwable cause = rootOperatorError(ex);
        if (cause != null) {
            System.err.println("livemigrate: " + cause.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        System.err.println("livemigrate: " + cmd.getCommandName() + " failed: " + ex);
        return ExitCodes.JOB_FAILED;
    }

    private static Throwable rootOperatorError(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof PlanException || t instanceof ConnectionFailure
                    || t instanceof ResumableJobRunner.AlreadyRunningException || t instanceof UsageException
                    || t instanceof io.livemigrate.scaleout.ScaleOutException
                    || t instanceof io.livemigrate.repository.RepositoryUrlException) {
                return t;
            }
        }
        return null;
    }

    /** A command line that parses but makes no sense. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }
}
