package org.imagemanager.observability;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.imagemanager.event.EventJson;

import java.util.List;

/** {@code GET /health}: 200 when every {@link HealthCheck} is UP, else 503; the body says which and why. */
@Controller
@ExecuteOn(TaskExecutors.BLOCKING) // a check may wait for Kafka: never on the event loop
public class HealthController {
    private final List<HealthCheck> checks;

    public HealthController(List<HealthCheck> checks) {
        this.checks = checks;
    }

    @Get(uri = "/health", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> health() {
        HealthReport report = HealthReport.of(checks);
        return HttpResponse.<String>status(report.up() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
                .contentType(MediaType.APPLICATION_JSON_TYPE).body(EventJson.encode(report.body()));
    }
}
