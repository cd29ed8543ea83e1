package org.imagemanager.observability;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A container's health check: exits 0 when {@code GET /health} on this host answers 200, else 1. It is Java
 * because the service images carry a JRE and no HTTP client program. The port comes from
 * {@code MICRONAUT_SERVER_PORT} (default 8080), as the service's own does.
 */
public final class HealthProbe {
    private HealthProbe() {
    }

    public static void main(String[] args) {
        String port = System.getenv().getOrDefault("MICRONAUT_SERVER_PORT", "8080");
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            System.exit(status == 200 ? 0 : 1);
        } catch (Exception e) {
            System.err.println("health: " + e.getMessage());
            System.exit(1);
        }
    }
}
