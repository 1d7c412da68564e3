package io.livemigrate.ops;

import io.livemigrate.repository.MigrationStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /}: the status page; {@code GET /status}: the same as {@code status --json}. Read-only. */
@RestController
class StatusPageController {

    private final RepositoryMetrics repository;
    private final ServerSchedules schedules;

    StatusPageController(RepositoryMetrics repository, ServerSchedules schedules) {
        this.repository = repository;
        this.schedules = schedules;
    }

    @GetMapping(path = "/", produces = MediaType.TEXT_HTML_VALUE)
    String page() {
        return StatusPage.render(repository.status(), repository.throttle(), schedules.all(),
                repository.lagHistory());
    }

    @GetMapping(path = "/status", produces = MediaType.APPLICATION_JSON_VALUE)
    MigrationStatus status() {
        return repository.status();
    }
}
