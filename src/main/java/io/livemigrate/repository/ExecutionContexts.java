package io.livemigrate.repository;

import org.springframework.batch.core.repository.dao.JacksonExecutionContextStringSerializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A job or step execution context as the repository stores it (JSON), read without Spring Batch's DAOs. */
final class ExecutionContexts {

    private ExecutionContexts() {
    }

    /** Empty for no context or one that cannot be read (a status must show what it can). */
    static Map<String, Object> parse(String json) {
        if (json == null || json.isEmpty()) {
            return Map.of();
        }
        try {
            return new JacksonExecutionContextStringSerializer()
                    .deserialize(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        }
        catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }
}
