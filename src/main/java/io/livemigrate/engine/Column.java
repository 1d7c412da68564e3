package io.livemigrate.engine;

/**
 * One column as the source server declares it.
 *
 * @param name           column name
 * @param type           the declared type as the server prints it ({@code character varying(20)}, {@code int(10) unsigned})
 * @param nullable       whether NULL is allowed
 * @param generated      a generated (computed) column: recomputed by the target, never copied
 * @param identityAlways a PostgreSQL {@code GENERATED ALWAYS AS IDENTITY} column: copied, but an insert must say
 *                       {@code OVERRIDING SYSTEM VALUE} and an update cannot set it
 */
public record Column(String name, String type, boolean nullable, boolean generated, boolean identityAlways) {

    public Column(String name, String type, boolean nullable, boolean generated) {
        this(name, type, nullable, generated, false);
    }
}
