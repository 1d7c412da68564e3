package io.livemigrate.engine;

/**
 * One column as the source server declares it.
 *
 * @param name      column name
 * @param type      the declared type as the server prints it ({@code character varying(20)}, {@code int(10) unsigned})
 * @param nullable  whether NULL is allowed
 * @param generated a generated (computed) column: recomputed by the target, never copied
 */
public record Column(String name, String type, boolean nullable, boolean generated) {
}
