package io.livemigrate.rehearse;

/** The log given to rehearse cannot be read as the source's statement log: exit 2, nothing written. */
public final class RehearsalInputException extends RuntimeException {

    public RehearsalInputException(String message) {
        super(message);
    }
}
