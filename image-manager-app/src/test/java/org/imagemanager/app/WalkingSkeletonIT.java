package org.imagemanager.app;

import org.imagemanager.event.ImageChanged;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.FailureReason;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.definitions.webhook.WebhookSignatures;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.GitHttpServer;
import org.imagemanager.testsupport.GitWorkingCopy;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real image travels git → Kafka → planner → importer → Glance → rotator: real broker, real Keystone + Glance,
 * real git repository, image files made here and served over HTTP on 127.0.0.1.
 */
class WalkingSkeletonIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    static Path files;
    static FileServer server;
    static String sha062;
    static String sha063;

    @TempDir
    Path repositoryDir;

    @BeforeAll
    static void makeImages() {
        sha062 = TestImages.sha256(TestImages.qcow2(files, "cirros-0.6.2.qcow2", 16));
        sha063 = TestImages.sha256(TestImages.qcow2(files, "cirros-0.6.3.qcow2", 32));
        server = FileServer.serve(files);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void importsBothVersionsOfAMultiFalseImageFromAGitCommitIntoGlance() throws IOException {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Cirros " + run.id;
            git.commit("images/cirros.yml", definition(name, false, sha062, sha063), "add " + name);
            run.start(git.directory());

            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE), "pipeline settled");

            Map<String, ObservedImage> byName = run.managedImages().stream()
                    .collect(Collectors.toMap(ObservedImage::name, Function.identity()));
            assertEquals(List.of(name + " 0.6.2", name + " 0.6.3"), byName.keySet().stream().sorted().toList());
            assertImage(run, byName.get(name + " 0.6.2"), name, "0.6.2", "cirros-0.6.2.qcow2", "2023-05-30", sha062);
            assertImage(run, byName.get(name + " 0.6.3"), name, "0.6.3", "cirros-0.6.3.qcow2", "2024-09-26", sha063);

            List<ImportCompleted> completed = run.tracker.events().stream()
                    .filter(e -> e instanceof ImportCompleted c && !c.alreadyPresent())
                    .map(ImportCompleted.class::cast).toList();
            assertEquals(2, completed.size(), "one ImportCompleted per version: " + completed);
            assertEquals(List.of("sha256:" + sha062, "sha256:" + sha063),
                    completed.stream().map(ImportCompleted::checksum).sorted().toList());
        }
    }

    @Test
    void aPushToAServedRepositoryAndItsWebhookEndWithTheImageInGlance() throws Exception {
        try (PipelineTestRun run = new PipelineTestRun();
             GitHttpServer git = GitHttpServer.start(Files.createTempDirectory(repositoryDir, "served"))) {
            String url = git.createBareRepository("definitions");
            Path secret = Files.writeString(repositoryDir.resolve("webhook-secret"), "e2e-hook-secret\n");
            // no polling to speak of: only the webhook can bring the push in
            Pipeline pipeline = run.start(url, "1h", Map.of(
                    "image-manager.definitions.webhook-secret-file", secret.toString(),
                    "micronaut.server.port", -1, "micronaut.server.host", "127.0.0.1"));
            String name = "Pushed " + run.id;
            try (GitWorkingCopy work = GitWorkingCopy.cloneOf(url, repositoryDir.resolve("work"), null, null)) {
                work.write("images/pushed.yml", definition(name, false, sha062, sha063));
                String commit = work.commit("add " + name);
                work.push();
                byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commit + "\",\"repository\":{\"full_name\":\"ops/definitions\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(pipeline.url().orElseThrow() + "/webhooks/default"))
                        .header("Content-Type", "application/json")
                        .header("X-GitHub-Event", "push")
                        .header("X-Hub-Signature-256", "sha256=" + WebhookSignatures.hmacSha256Hex(
                                "e2e-hook-secret".getBytes(StandardCharsets.UTF_8), body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(202, response.statusCode(), response.body());
            }

            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE), "pipeline settled");
            Map<String, ObservedImage> byName = run.managedImages().stream()
                    .collect(Collectors.toMap(ObservedImage::name, Function.identity()));
            assertEquals(List.of(name + " 0.6.2", name + " 0.6.3"), byName.keySet().stream().sorted().toList());
            assertImage(run, byName.get(name + " 0.6.3"), name, "0.6.3", "cirros-0.6.3.qcow2", "2024-09-26", sha063);
            assertOneServerShowsEveryService(pipeline.url().orElseThrow().toString(), run.cloud);
        }
    }

    /** The launcher's one HTTP server: the metrics of all four services, and the health of Kafka and the repository. */
    private static void assertOneServerShowsEveryService(String url, String cloud) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String metrics = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.contains("\nimage_manager_definitions_published_total{repository=\"default\"} "), metrics);
        assertTrue(metrics.contains("\nimage_manager_plan_actions_count{cloud=\"" + cloud + "\"} "), metrics);
        assertTrue(metrics.contains("\nimage_manager_imports_completed_total{cloud=\"" + cloud + "\",method=\"upload\"} 2"), metrics);
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(url + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertTrue(health.body().contains("\"kafka\":{\"status\":\"UP\""), health.body());
        assertTrue(health.body().contains("\"repositories\":{\"status\":\"UP\""), health.body());
    }

    @Test
    void wrongChecksumLeavesNoImageInGlanceAndNamesBothDigests() {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Broken " + run.id;
            String wrong = "0".repeat(64);
            String yaml = """
                    images:
                      - name: %s
                        enable: true
                        format: qcow2
                        login: cirros
                        min_disk: 1
                        min_ram: 32
                        status: active
                        visibility: private
                        multi: false
                        meta:
                          os_distro: cirros
                          architecture: x86_64
                          hw_disk_bus: scsi
                          hypervisor_type: qemu
                          os_purpose: generic
                          provided_until: none
                          replace_frequency: never
                          uuid_validity: none
                        tags: []
                        versions:
                          - version: '0.6.2'
                            url: %s
                            checksum: "sha256:%s"
                            build_date: 2023-05-30
                    """.formatted(name, server.url("cirros-0.6.2.qcow2"), wrong);
            git.commit("images/broken.yml", yaml, "add " + name);
            run.start(git.directory());

            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE), "pipeline settled");

            List<ImportFailed> failures = run.tracker.events().stream()
                    .filter(ImportFailed.class::isInstance).map(ImportFailed.class::cast).toList();
            assertTrue(!failures.isEmpty(), "an ImportFailed event was published");
            ImportFailed failure = failures.getFirst();
            assertEquals(FailureReason.CHECKSUM_MISMATCH, failure.reason());
            assertEquals("sha256:" + wrong, failure.expected());
            assertEquals("sha256:" + sha062, failure.actual());
            assertEquals(List.of(), run.managedImages(), "no image left behind");
            assertEquals(List.of(), run.glance.listImagesNamed(name + " 0.6.2"), "not even an unmanaged one");
        }
    }

    @Test
    void multiTrueGivesTheNewestThePlainNameAndTheOlderOneASuffix() {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Rolling " + run.id;
            git.commit("images/rolling.yml", definition(name, true, sha062, sha063), "add " + name);
            run.start(git.directory());

            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE), "pipeline settled");

            Map<String, ObservedImage> byName = run.managedImages().stream()
                    .collect(Collectors.toMap(ObservedImage::name, Function.identity()));
            assertEquals(List.of(name, name + " (0.6.2)"), byName.keySet().stream().sorted().toList());
            assertEquals("0.6.3", byName.get(name).property("internal_version"));
            assertEquals("0.6.2", byName.get(name + " (0.6.2)").property("internal_version"));
            assertTrue(run.tracker.events().stream().anyMatch(e -> e instanceof ImageChanged r
                    && r.change() == ImageChanged.Change.RENAMED
                    && r.before().equals(name + " (0.6.3)") && r.after().equals(name)), "the rotator renamed the newest");
        }
    }

    private static void assertImage(PipelineTestRun run, ObservedImage image, String name, String version, String file,
                                    String buildDate, String sha256) throws IOException {
        assertEquals("active", image.status());
        assertEquals("private", image.visibility());
        assertEquals("qcow2", image.diskFormat());
        assertEquals(server.url(file), image.property("image_source"));
        assertEquals(buildDate, image.property("image_build_date"));
        assertEquals("cirros", image.property("image_original_user"));
        assertEquals(name, image.property("image_description"));
        assertEquals(version, image.property("internal_version"));
        assertEquals(version, image.property("os_version"));
        assertEquals("x86_64", image.property("architecture"));
        assertTrue(image.tags().contains(run.tag), "management tag: " + image.tags());
        assertEquals(128, String.valueOf(image.property("os_hash_value")).length(), "Glance's sha512 is there to verify");
        assertTrue(image.tags().contains("os:cirros"), "os tag: " + image.tags());
        try (InputStream bytes = run.glance.download(image.id())) {
            assertEquals(sha256, TestImages.sha256(bytes), "the bytes in Glance are the definition's");
        }
    }

    static String definition(String name, boolean multi, String sha062, String sha063) {
        return """
                ---
                images:
                  - name: %s
                    enable: true
                    format: qcow2
                    login: cirros
                    password: gocubsgo
                    min_disk: 1
                    min_ram: 32
                    status: active
                    visibility: private
                    multi: %s
                    meta:
                      architecture: x86_64
                      hw_disk_bus: scsi
                      hw_rng_model: virtio
                      hw_scsi_model: virtio-scsi
                      hw_watchdog_action: reset
                      hypervisor_type: qemu
                      os_distro: cirros
                      replace_frequency: never
                      uuid_validity: none
                      provided_until: none
                      os_purpose: generic
                    tags: []
                    versions:
                      - version: '0.6.2'
                        url: %s
                        checksum: "sha256:%s"
                        build_date: 2023-05-30
                      - version: '0.6.3'
                        url: %s
                        checksum: "sha256:%s"
                        build_date: 2024-09-26
                """.formatted(name, multi, server.url("cirros-0.6.2.qcow2"), sha062, server.url("cirros-0.6.3.qcow2"), sha063);
    }
}
