package org.imagemanager.importer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.ImportImage;
import org.imagemanager.glance.Glance;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The importer service's {@code /metrics} and {@code /health} after real imports into the local Glance: what an
 * operator's Prometheus would scrape, and nothing of clouds.yaml's secrets in it.
 */
class ImportMetricsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ID = UUID.randomUUID().toString().substring(0, 8);
    private static final String TAG = "im-metrics-" + ID;
    private static Path files;
    private static FileServer server;
    private static String sha;
    private static ApplicationContext service;
    private static Glance glance;

    @BeforeAll
    static void startService() throws Exception {
        files = Files.createTempDirectory("import-metrics");
        sha = TestImages.sha256(TestImages.qcow2(files, "disk.qcow2", 16));
        server = FileServer.serve(files);
        glance = new Clouds(DevCloud.cloudsFile().toString()).glance(DevCloud.ADMIN_CLOUD);
        TopicNames topics = new TopicNames("md-" + ID, "ma-" + ID, "me-" + ID);
        Map<String, Object> properties = new HashMap<>();
        properties.put("kafka.bootstrap.servers", SharedKafka.bootstrapServers());
        properties.put("image-manager.topics.definitions", topics.definitions());
        properties.put("image-manager.topics.actions", topics.actions());
        properties.put("image-manager.topics.events", topics.events());
        properties.put("image-manager.topics.partitions", 1);
        properties.put("image-manager.clouds-file", DevCloud.cloudsFile().toString());
        properties.put("image-manager.importer.enabled", false); // the test hands the actions to the importer itself
        properties.put("micronaut.server.port", -1);
        properties.put("micronaut.server.host", "127.0.0.1");
        service = ApplicationContext.builder().deduceEnvironment(false).properties(properties).start();
        service.getBean(EmbeddedServer.class).start();
    }

    @AfterAll
    static void stopService() {
        service.close();
        server.close();
        glance.listImages(TAG).forEach(image -> glance.delete(image.id()));
    }

    @Test
    void metricsShowTheCompletedImportItsBytesAndAFailureWithItsReason() throws Exception {
        String before = get("/metrics").body(); // the other tests' imports count too
        ImportService importer = service.getBean(ImportService.class);
        ImportCompleted done = assertInstanceOf(ImportCompleted.class,
                importer.importImage(action("ok", server.url("disk.qcow2"), "sha256:" + sha)));
        ImportFailed failed = assertInstanceOf(ImportFailed.class,
                importer.importImage(action("bad", server.url("disk.qcow2"), "sha256:" + "0".repeat(64))));
        assertEquals(FailureReason.CHECKSUM_MISMATCH, failed.reason());

        HttpResponse<String> response = get("/metrics");

        assertEquals(200, response.statusCode());
        String metrics = response.body();
        String dev = "cloud=\"" + DevCloud.ADMIN_CLOUD + "\",method=\"upload\"";
        assertEquals(2, increase(before, metrics, "image_manager_imports_started_total{" + dev + "}"), metrics);
        assertEquals(1, increase(before, metrics, "image_manager_imports_completed_total{" + dev + "}"), metrics);
        assertTrue(done.bytes() > 0);
        assertEquals(done.bytes(), increase(before, metrics, "image_manager_import_bytes_total{" + dev + "}"), metrics);
        assertEquals(1, increase(before, metrics, "image_manager_import_duration_seconds_count{" + dev + "}"), metrics);
        assertEquals(1, increase(before, metrics, "image_manager_imports_failed_total{" + dev + ",reason=\"CHECKSUM_MISMATCH\"}"), metrics);
    }

    @Test
    void healthIsUpWithKafka() throws Exception {
        HttpResponse<String> response = get("/health");

        assertEquals(200, response.statusCode(), response.body());
        JsonNode health = new ObjectMapper().readTree(response.body());
        assertEquals("UP", health.get("status").asText());
        assertEquals("UP", health.at("/checks/kafka/status").asText());
    }

    @Test
    void neitherMetricsNorHealthShowASecretOfCloudsYaml() throws Exception {
        // a failure names the cloud in its tags: the cloud's credentials must not come along
        importerFails();
        List<String> secrets = secretsOf(DevCloud.cloudsFile());
        assertFalse(secrets.isEmpty(), "the dev cloud's clouds.yaml has passwords to look for");

        for (String path : List.of("/metrics", "/health")) {
            String body = get(path).body();
            for (String secret : secrets) {
                assertFalse(body.contains(secret), path + " shows a secret of clouds.yaml");
            }
        }
    }

    private static void importerFails() {
        assertInstanceOf(ImportFailed.class, service.getBean(ImportService.class)
                .importImage(action("missing", server.url("missing.qcow2"), "sha256:" + sha)));
    }

    /** Every value under a key that names a secret (password, secret, token), anywhere in the file. */
    private static List<String> secretsOf(Path cloudsFile) throws Exception {
        List<String> secrets = new ArrayList<>();
        collectSecrets(new ObjectMapper(new YAMLFactory()).readTree(cloudsFile.toFile()), secrets);
        return secrets;
    }

    private static void collectSecrets(JsonNode node, List<String> secrets) {
        node.fields().forEachRemaining(field -> {
            if (field.getValue().isValueNode() && field.getKey().matches("(?i).*(password|secret|token).*")) {
                secrets.add(field.getValue().asText());
            } else {
                collectSecrets(field.getValue(), secrets);
            }
        });
    }

    /** How much one series grew between two scrapes; a series appears with its first count. */
    private static double increase(String before, String after, String series) {
        return sample(after, series) - sample(before, series);
    }

    /** The value of one series in the Prometheus text (whatever number format the client writes), 0 if absent. */
    private static double sample(String metrics, String series) {
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)").matcher(metrics);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.getBean(EmbeddedServer.class).getURL() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ImportImage action(String suffix, String url, String checksum) {
        String family = "Metrics " + ID;
        return new ImportImage("m-" + ID + "-" + suffix, DevCloud.ADMIN_CLOUD, family, "1", family + " " + suffix,
                url, null, checksum, null, null, "qcow2", 1, 64,
                Map.of(ImageProperties.FAMILY, family, ImageProperties.INTERNAL_VERSION, "1"), List.of(TAG), null);
    }
}
