package io.livemigrate.cutover;

import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The timed phases {@link CutoverPause} recorded in its step's context, for the operator's read-outs. */
public final class CutoverPhases {

    private CutoverPhases() {
    }

    /** Phase name to milliseconds, in the order they run; empty for a context that has none. */
    public static Map<String, Long> of(ExecutionContext context) {
        List<String> order = new ArrayList<>(List.of("prepare"));
        order.addAll(CutoverJobConfiguration.STEPS);
        Map<String, Long> phases = new LinkedHashMap<>();
        for (String phase : order) {
            String key = CutoverPause.PHASE_PREFIX + phase + ".ms";
            if (context.containsKey(key)) {
                phases.put(phase, context.getLong(key));
            }
        }
        return phases;
    }
}
