package io.livemigrate.cutover;

/** A precondition failed: nothing was touched (exit 2). */
public final class CutoverRefusedException extends RuntimeException {

    CutoverRefusedException(String message) {
        super(message);
    }
}
