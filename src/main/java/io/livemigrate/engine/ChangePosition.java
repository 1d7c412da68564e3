package io.livemigrate.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where change capture starts (or has got to) on a source, typed per engine: {@link WalPosition} for PostgreSQL,
 * {@link BinlogPosition} for MySQL/MariaDB. Stored as text in the job repository, in {@code catchup_state} and in the
 * cutover record, as {@code engine:k=v;k=v}; {@link #parse} reads every text form an earlier version wrote and
 * {@link #serialize} writes it back byte for byte, so existing repositories and restarts keep working.
 */
public sealed interface ChangePosition permits WalPosition, BinlogPosition {

    /** The engine word of the text form: {@code postgresql} or {@code mysql}. */
    String engine();

    /**
     * Whether this position (one catch-up committed on the target) is at or past {@code mark}: every source
     * transaction committed before {@code mark} was taken is then applied.
     *
     * @throws IllegalArgumentException when {@code mark} is another engine's position
     */
    boolean reached(ChangePosition mark);

    /** The text form, {@code engine:k=v;k=v}, fields in the order an earlier version wrote them. */
    String serialize();

    /** Reads a text form {@link #serialize} wrote; refuses an unknown engine, unknown fields and malformed values. */
    static ChangePosition parse(String serialized) {
        int colon = serialized.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("not a change position: " + serialized);
        }
        String engine = serialized.substring(0, colon);
        if (!PositionText.lowerCaseWord(engine, false)) {
            throw new IllegalArgumentException("bad change position engine: " + engine);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String rest = serialized.substring(colon + 1);
        if (!rest.isEmpty()) {
            for (String pair : rest.split(";", -1)) {
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("not a change position: " + serialized);
                }
                String field = pair.substring(0, eq);
                if (!PositionText.lowerCaseWord(field, true) || fields.put(field, pair.substring(eq + 1)) != null) {
                    throw new IllegalArgumentException("bad change position field: " + field);
                }
            }
        }
        return switch (engine) {
            case WalPosition.ENGINE -> WalPosition.of(fields);
            case BinlogPosition.ENGINE -> BinlogPosition.of(fields);
            default -> throw new IllegalArgumentException("bad change position engine: " + engine);
        };
    }
}
