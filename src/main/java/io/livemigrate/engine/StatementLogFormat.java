package io.livemigrate.engine;

import java.util.List;
import java.util.function.Consumer;

/**
 * A statement log layout a server writes (PostgreSQL csvlog and jsonlog; MySQL/MariaDB slow and general log), read
 * line by line, so a log is streamed, never loaded whole, and a growing log can be followed.
 */
public interface StatementLogFormat {

    /** The name an operator knows it by, e.g. {@code csvlog}, {@code slow log}. */
    String name();

    /** Whether the first lines of a file (up to 20, fewer for a short file) are in this layout. */
    boolean recognizes(List<String> head);

    /** A parser holding the state of one pass over one file. */
    Parser parser();

    /** Turns lines into statements; entries that are not statements (connections, errors, durations) are dropped. */
    interface Parser {

        /** One line without its line terminator; completed statements go to {@code out}. */
        void line(String line, Consumer<LoggedStatement> out);

        /**
         * The file ended (or a followed file stayed quiet): the entry still open is complete when the layout allows
         * telling (a slow log's statement ends at its last line).
         */
        void end(Consumer<LoggedStatement> out);
    }
}
