package org.imagemanager.observability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.imagemanager.localkafka.LocalKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two endpoints as a service serves them, with a broker of the test's own that it can stop. */
class EndpointsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void healthIsUpWithKafkaAndDownWith503OnceKafkaIsGone() throws Exception {
        LocalKafka kafka = LocalKafka.start(dir);
        try (ApplicationContext service = start(kafka.bootstrapServers())) {
            HttpResponse<String> up = get(service, "/health");
            assertEquals(200, up.statusCode(), up.body());
            JsonNode body = new ObjectMapper().readTree(up.body());
            assertEquals("UP", body.get("status").asText(), up.body());
            assertEquals("UP", body.at("/checks/kafka/status").asText(), up.body());
            assertEquals(1, body.at("/checks/kafka/details/brokers").asInt(), up.body());

            kafka.close(); // its port is closed now

            HttpResponse<String> down = get(service, "/health");
            assertEquals(503, down.statusCode(), down.body());
            body = new ObjectMapper().readTree(down.body());
            assertEquals("DOWN", body.get("status").asText(), down.body());
            assertEquals("DOWN", body.at("/checks/kafka/status").asText(), down.body());
            assertFalse(body.at("/checks/kafka/details/error").asText().isBlank(), down.body());
        } finally {
            kafka.close();
        }
    }

    @Test
    void metricsAreServedInPrometheusTextFormat() throws Exception {
        try (LocalKafka kafka = LocalKafka.start(dir); ApplicationContext service = start(kafka.bootstrapServers())) {
            service.getBean(Metrics.class).definitionsPublished("team-a");

            HttpResponse<String> metrics = get(service, "/metrics");

            assertEquals(200, metrics.statusCode());
            assertEquals("text/plain; version=0.0.4; charset=utf-8", metrics.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(metrics.body().contains("\nimage_manager_definitions_published_total{repository=\"team-a\"} 1"), metrics.body());
            assertTrue(metrics.body().contains("# TYPE jvm_memory_used_bytes gauge"), metrics.body());
        }
    }

    private static ApplicationContext start(String bootstrapServers) {
        ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(Map.of(
                "kafka.bootstrap.servers", bootstrapServers,
                "image-manager.health.kafka-cache", "0s", // every request asks Kafka again
                // micronaut-kafka makes an admin client when the server stops, which would outlive the test retrying
                // a stopped broker; nothing here uses micronaut-kafka
                "kafka.enabled", false,
                "micronaut.server.port", -1,
                "micronaut.server.host", "127.0.0.1")).start();
        context.getBean(EmbeddedServer.class).start();
        return context;
    }

    private static HttpResponse<String> get(ApplicationContext service, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.getBean(EmbeddedServer.class).getURL() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
