package org.imagemanager.app;

import org.imagemanager.event.ActionFailed;
import org.imagemanager.event.FailureReason;
import org.imagemanager.event.ImportFailed;
import org.imagemanager.event.PlanComputed;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.imagemanager.app.LifecycleDefinitions.family;
import static org.imagemanager.app.LifecycleDefinitions.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One set of definitions, several clouds (projects of the local Keystone), each with its own options; a failure in
 * one cloud (an import, a refused call, a cloud that cannot be reached) never holds up another.
 */
class MultiCloudIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);
    private static final String ADMIN = DevCloud.ADMIN_CLOUD;
    private static final String DEMO = DevCloud.DEMO_CLOUD;

    @TempDir
    Path files;
    @TempDir
    Path repositoryDir;

    @Test
    void twoProjectsConvergeFromOneDefinitionSetEachWithItsOwnDeletePolicy() {
        String sha1 = TestImages.sha256(TestImages.qcow2(files, "v1.qcow2", 8));
        String sha2 = TestImages.sha256(TestImages.qcow2(files, "v2.qcow2", 16));
        try (FileServer server = FileServer.serve(files);
             PipelineTestRun run = new PipelineTestRun();
             TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Shared Definitions " + run.id;
            git.commit("images/f.yml", family(name, "private", true, version("1", server.url("v1.qcow2"), sha1)), "v1");
            run.start(List.of(ADMIN, DEMO), git.directory(), Map.of(
                    "image-manager.cloud-options." + DEMO + ".delete", true,
                    "image-manager.cloud-options." + DEMO + ".confirm-delete", true));
            assertTrue(run.tracker.awaitSettled(List.of(ADMIN, DEMO), List.of(name), SETTLE));
            assertEquals(List.of(name), names(run, ADMIN));
            assertEquals(List.of(name), names(run, DEMO));

            // v2 replaces v1 in the definition: v1 is outdated (uuid_validity last-1) and due for retirement
            java.time.Instant committed = java.time.Instant.now();
            git.commit("images/f.yml", family(name, "private", true, version("2", server.url("v2.qcow2"), sha2)), "v2");
            run.tracker.expectNewPlans(committed, "DEFINITION"); // the plan of this commit, not a late one of v1
            assertTrue(run.tracker.awaitSettled(List.of(ADMIN, DEMO), List.of(name), SETTLE));
            assertEquals(List.of(name, name + " (1)"), names(run, ADMIN), "no delete policy: the outdated build stays");
            assertEquals(List.of(name), names(run, DEMO), "delete policy: the outdated build is gone");
            assertTrue(run.glance(DEMO).listImagesNamed(name).stream().filter(i -> i.owner().equals(run.glance(DEMO).projectId()))
                    .findFirst().orElseThrow().property("internal_version").endsWith("2"));
            String summary = run.tracker.summary().format();
            assertTrue(summary.contains(ADMIN + ":") && summary.contains(DEMO + ":"), summary);
        }
    }

    @Test
    void aCloudThatFailsHoldsUpNoOther() throws Exception {
        String sha1 = TestImages.sha256(TestImages.qcow2(files, "v1.qcow2", 8));
        // a third cloud whose credentials are wrong: it can never be listed
        Path clouds = repositoryDir.resolve("clouds.yaml");
        String original = Files.readString(DevCloud.cloudsFile());
        String wrong = original.substring(original.indexOf("  " + DEMO + ":")).replaceFirst(DEMO + ":", "dev-wrong:")
                .replaceFirst("password: .*", "password: not-the-password");
        Files.writeString(clouds, original.stripTrailing() + "\n" + wrong);
        try (FileServer server = FileServer.serve(files);
             PipelineTestRun run = new PipelineTestRun(clouds);
             TestGitRepository git = TestGitRepository.create(repositoryDir.resolve("repo"))) {
            String name = "Isolated " + run.id;
            git.commit("images/f.yml", family(name, "private", false, version("1", server.url("v1.qcow2"), sha1)), "v1");
            // the demo project may not publish images: making them public there is refused (403)
            run.start(List.of("dev-wrong", DEMO, ADMIN), git.directory(), Map.of(
                    "image-manager.cloud-options." + DEMO + ".visibility", "public"));
            assertTrue(run.tracker.awaitSettled(List.of(ADMIN), List.of(name), SETTLE), "the admin cloud converged");
            ObservedImage inAdmin = run.glance(ADMIN).listImagesNamed(name + " 1").stream()
                    .filter(i -> i.owner().equals(run.glance(ADMIN).projectId())).findFirst().orElseThrow();
            assertEquals("private", inAdmin.visibility());

            ActionFailed refused = DriftIT.await(() -> run.eventsNow().stream()
                    .filter(e -> e instanceof ActionFailed f && f.cloud().equals(DEMO)).map(ActionFailed.class::cast)
                    .findFirst().orElse(null), java.util.Objects::nonNull);
            assertEquals(403, refused.status(), refused.toString());
            assertEquals("private", run.glance(DEMO).listImagesNamed(name + " 1").getFirst().visibility(),
                    "imported there, but not made public");
            assertFalse(run.eventsNow().stream().anyMatch(e -> e instanceof PlanComputed p && p.cloud().equals("dev-wrong")),
                    "the unreachable cloud was never planned");
            run.tracker.awaitSettled(List.of(ADMIN), List.of(name), Duration.ofSeconds(5)); // reads what came meanwhile
            String summary = run.tracker.summary().format();
            System.out.print(summary); // as `sync` ends (the README shows it)
            assertTrue(summary.contains("REFUSED 403"), summary);
        }
    }

    @Test
    void aFailingImportInOneCloudLeavesTheOtherConverged() throws Exception {
        byte[] good = Files.readAllBytes(TestImages.qcow2(files, "v1.qcow2", 8));
        String sha1 = TestImages.sha256(files.resolve("v1.qcow2"));
        byte[] corrupt = good.clone();
        corrupt[corrupt.length / 2] ^= 0x5a;
        // the first download gets the published bytes, every later one a corrupted copy: one cloud's import fails
        java.util.concurrent.atomic.AtomicInteger downloads = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer source = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 8);
        source.createContext("/v1.qcow2", exchange -> {
            try (exchange) {
                byte[] body = downloads.getAndIncrement() == 0 ? good : corrupt;
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
        });
        source.start();
        try (PipelineTestRun run = new PipelineTestRun();
             TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Half Failed " + run.id;
            String url = "http://127.0.0.1:" + source.getAddress().getPort() + "/v1.qcow2";
            git.commit("images/f.yml", family(name, "private", false, version("1", url, sha1)), "v1");
            run.start(List.of(ADMIN, DEMO), git.directory(), Map.of("image-manager.importer.attempts", 1));
            assertTrue(run.tracker.awaitSettled(List.of(ADMIN, DEMO), List.of(name), SETTLE));

            List<ImportFailed> failed = run.eventsNow().stream().filter(ImportFailed.class::isInstance)
                    .map(ImportFailed.class::cast).toList();
            assertEquals(1, failed.size(), failed.toString());
            assertEquals(FailureReason.CHECKSUM_MISMATCH, failed.getFirst().reason());
            String broken = failed.getFirst().cloud();
            String fine = broken.equals(ADMIN) ? DEMO : ADMIN;
            assertEquals(List.of(name + " 1"), names(run, fine), "the other cloud converged");
            assertEquals(List.of(), names(run, broken), "nothing half-made is left where the import failed");
            System.out.print(run.tracker.summary().format());
        } finally {
            source.stop(0);
        }
    }

    private static List<String> names(PipelineTestRun run, String cloud) {
        // an admin lists every project's images: only this cloud's own count
        String project = run.glance(cloud).projectId();
        return run.glance(cloud).listImages(run.tag).stream().filter(i -> project.equals(i.owner()))
                .map(ObservedImage::name).sorted().toList();
    }
}
