package io.livemigrate.catchup;

/** The change stream cannot go on safely; the message says what happened and what to do. */
public class CatchupStoppedException extends RuntimeException {

    public CatchupStoppedException(String message) {
        super(message);
    }
}
