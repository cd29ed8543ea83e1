package org.imagemanager.app;

import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A multi: true family through three successive versions pushed one after the other, with uuid_validity: last-2
 * and delete + confirmation, against the real Glance. Meanwhile Glance is sampled every 100 ms: at no moment may two
 * images carry the plain name.
 */
class RotationIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    Path files;
    @TempDir
    Path repositoryDir;

    @Test
    void rotatesThreeVersionsAndRetiresTheOldestWithoutEverShowingTwoPlainNames() throws Exception {
        String[] sha = {
                TestImages.sha256(TestImages.qcow2(files, "v1.qcow2", 8)),
                TestImages.sha256(TestImages.qcow2(files, "v2.qcow2", 16)),
                TestImages.sha256(TestImages.qcow2(files, "v3.qcow2", 24))};
        try (FileServer server = FileServer.serve(files);
             PipelineTestRun run = new PipelineTestRun();
             TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Ubuntu " + run.id;
            AtomicInteger mostPlainNames = new AtomicInteger();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (sampling.get()) {
                    mostPlainNames.accumulateAndGet(run.glance.listImagesNamed(name).size(), Math::max);
                    sleep(100);
                }
            });

            git.commit("images/ubuntu.yml", definition(name, server, sha, 1), "v1");
            run.start(git.directory(), Map.of("image-manager.plan.delete", true,
                    "image-manager.plan.confirm-delete", true));
            settle(run, name);
            assertEquals(List.of(name), names(run));
            assertDefined(byName(run).get(name), "20261101");

            git.commit("images/ubuntu.yml", definition(name, server, sha, 1, 2), "v2");
            settle(run, name);
            assertEquals(List.of(name, name + " (20261101)"), names(run));
            assertDefined(byName(run).get(name), "20261102");
            assertDefined(byName(run).get(name + " (20261101)"), "20261101");

            // v3 arrives and replaces the versions before it in the definition: both older images are outdated now,
            // and last-2 keeps the newest outdated one (v2) beside the current one, so v1 is deleted
            git.commit("images/ubuntu.yml", definition(name, server, sha, 3), "v3");
            settle(run, name);
            sampling.set(false);
            sampler.join();

            Map<String, ObservedImage> images = byName(run);
            assertEquals(List.of(name, name + " (20261102)"), names(run));
            assertDefined(images.get(name), "20261103");
            assertDefined(images.get(name + " (20261102)"), "20261102");
            assertTrue(mostPlainNames.get() <= 1, "at most one image carried the plain name at any sample: " + mostPlainNames.get());
            assertTrue(mostPlainNames.get() == 1, "the sampler saw the plain name");
        }
    }

    /** Visible, not hidden, active, with the definition's properties and the version's own. */
    private static void assertDefined(ObservedImage image, String internalVersion) {
        assertEquals(internalVersion, image.property("internal_version"), image.toString());
        assertEquals("public", image.visibility(), image.name());
        assertEquals("active", image.status(), image.name());
        assertTrue(!image.hidden(), image.name());
        assertEquals("ubuntu", image.property("os_distro"));
        assertEquals("24.04", image.property("os_version"));
        assertEquals("x86_64", image.property("architecture"));
        assertEquals("last-2", image.property("uuid_validity"));
        assertEquals("ubuntu", image.property("image_original_user"));
        assertEquals(internalVersion.substring(0, 4) + "-" + internalVersion.substring(4, 6) + "-" + internalVersion.substring(6),
                image.property("image_build_date"));
    }

    private static void settle(PipelineTestRun run, String name) {
        run.tracker.expectNewPlans();
        assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE), "pipeline settled");
    }

    private static List<String> names(PipelineTestRun run) {
        return run.managedImages().stream().map(ObservedImage::name).sorted().toList();
    }

    private static Map<String, ObservedImage> byName(PipelineTestRun run) {
        return run.managedImages().stream().collect(Collectors.toMap(ObservedImage::name, Function.identity()));
    }

    private static String definition(String name, FileServer server, String[] sha, int... versions) {
        List<String> entries = new ArrayList<>();
        for (int v : versions) {
            entries.add("""
                          - version: '2026110%d'
                            url: %s
                            checksum: "sha256:%s"
                            build_date: 2026-11-0%d
                    """.formatted(v, server.url("v" + v + ".qcow2"), sha[v - 1], v));
        }
        return """
                images:
                  - name: %s
                    enable: true
                    format: qcow2
                    login: ubuntu
                    min_disk: 1
                    min_ram: 512
                    status: active
                    visibility: public
                    multi: true
                    meta:
                      architecture: x86_64
                      os_distro: ubuntu
                      os_version: '24.04'
                      uuid_validity: last-2
                      hw_disk_bus: scsi
                      hypervisor_type: qemu
                      os_purpose: generic
                      provided_until: none
                      replace_frequency: never
                    tags: []
                    versions:
                """.formatted(name) + String.join("", entries);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
