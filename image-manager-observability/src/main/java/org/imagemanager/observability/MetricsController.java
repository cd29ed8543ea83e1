package org.imagemanager.observability;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** {@code GET /metrics}: every meter of this process in Prometheus' text format. */
@Controller
public class MetricsController {
    /** The text format (0.0.4) that every Prometheus version scrapes. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    public MetricsController(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Get(uri = "/metrics", produces = CONTENT_TYPE)
    public HttpResponse<String> scrape() {
        return HttpResponse.ok(registry.scrape(CONTENT_TYPE)).contentType(CONTENT_TYPE);
    }
}
