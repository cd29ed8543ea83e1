package org.imagemanager.app;

import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.imagemanager.app.LifecycleDefinitions.family;
import static org.imagemanager.app.LifecycleDefinitions.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retirement policies, filters, visibility and properties, each carried out by the pipeline in the real Glance. */
class LifecycleIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    static Path files;
    static FileServer server;
    static String sha1;
    static String sha2;

    @TempDir
    Path repositoryDir;

    @BeforeAll
    static void makeImages() {
        sha1 = TestImages.sha256(TestImages.qcow2(files, "v1.qcow2", 8));
        sha2 = TestImages.sha256(TestImages.qcow2(files, "v2.qcow2", 16));
        server = FileServer.serve(files);
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @Test
    void hideTurnsTheOutdatedBuildCommunity() {
        Map<String, ObservedImage> images = rotateOnce(Map.of("image-manager.plan.hide", true), "");
        assertEquals("community", images.get("Family (1)").visibility());
        assertEquals("active", images.get("Family (1)").status());
        assertEquals("public", images.get("Family").visibility());
    }

    /**
     * The seed: "By default the last three images will be visible. When a fourth image is added, the visibility of
     * the last image in the list is changed to community and the image can be deleted in the future."
     */
    @Test
    void aFourthAndFifthBuildTurnTheOldestCommunityAndTheRetirementOptionsThenActOnThem() {
        String[] shas = new String[6];
        for (int v = 1; v <= 5; v++) {
            shas[v] = TestImages.sha256(TestImages.qcow2(files, "build" + v + ".qcow2", 4 + v));
        }
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Rolling " + run.id;
            Function<Integer, String> builds = count -> family(name, "public", true, java.util.stream.IntStream
                    .rangeClosed(1, count).mapToObj(v -> version(String.valueOf(v), server.url("build" + v + ".qcow2"), shas[v]))
                    .toArray(String[]::new));
            git.commit("images/rolling.yml", builds.apply(3), "three builds");
            run.start(repositoryDir);
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            assertEquals(Map.of("Rolling", "public", "Rolling (1)", "public", "Rolling (2)", "public"), visibilities(run));

            java.time.Instant before4 = java.time.Instant.now();
            git.commit("images/rolling.yml", builds.apply(4), "a fourth build");
            run.tracker.expectNewPlans(before4, "DEFINITION"); // the plan of the commit, and what follows it
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            assertEquals(Map.of("Rolling", "public", "Rolling (3)", "public", "Rolling (2)", "public",
                    "Rolling (1)", "community"), visibilities(run));

            java.time.Instant before5 = java.time.Instant.now();
            git.commit("images/rolling.yml", builds.apply(5), "a fifth build");
            run.tracker.expectNewPlans(before5, "DEFINITION"); // the plan of the commit, and what follows it
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            assertEquals(Map.of("Rolling", "public", "Rolling (4)", "public", "Rolling (3)", "public",
                    "Rolling (2)", "community", "Rolling (1)", "community"), visibilities(run));
            assertEquals("5", byName(run).get(name).property("internal_version"));
            Map<String, String> ids = run.managedImages().stream()
                    .collect(Collectors.toMap(ObservedImage::name, ObservedImage::id));

            // --hide: the community builds are already what it would make them; nothing else is touched
            run.restart(repositoryDir, Map.of("image-manager.plan.hide", true));
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            assertEquals(ids, run.managedImages().stream().collect(Collectors.toMap(ObservedImage::name, ObservedImage::id)));
            assertEquals(Map.of("Rolling", "public", "Rolling (4)", "public", "Rolling (3)", "public",
                    "Rolling (2)", "community", "Rolling (1)", "community"), visibilities(run));
            assertTrue(run.managedImages().stream().allMatch(i -> i.status().equals("active")));

            // --delete --yes-i-really-know-what-i-do: the community builds go, and are not imported again
            run.restart(repositoryDir, Map.of("image-manager.plan.delete", true, "image-manager.plan.confirm-delete", true,
                    "image-manager.plan.resync-interval", "2s"));
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            assertEquals(Map.of("Rolling", "public", "Rolling (4)", "public", "Rolling (3)", "public"), visibilities(run));
            run.tracker.expectNewPlans(); // a resync later: still nothing to import
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            assertEquals(3, run.managedImages().size(), run.managedImages().toString());
            assertEquals(ids.get(name), byName(run).get(name).id(), "the newest build kept the plain name");
        }
    }

    /**
     * The reference writes {@code upstream_checksum} as the bare hex digest, our older releases as {@code sha256:<hex>}:
     * both name the same upstream build, so flipping the stored form either way imports nothing.
     */
    @Test
    void aLatestBuildIsNotImportedAgainWhicheverFormItsStoredUpstreamChecksumHas() throws Exception {
        java.nio.file.Files.writeString(files.resolve("SHA256SUMS"), sha1 + "  v1.qcow2\n");
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Latest " + run.id;
            git.commit("images/l.yml", family(name, "private", true, """
                          - version: latest
                            url: %s
                            checksum_url: %s
                            build_date: 2026-11-01
                    """.formatted(server.url("v1.qcow2"), server.url("SHA256SUMS"))), "latest");
            run.start(repositoryDir, Map.of("image-manager.plan.resync-interval", "1s"));
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            ObservedImage build = run.managedImages().getFirst();
            assertEquals(1, run.managedImages().size());
            assertEquals(sha1, build.property("upstream_checksum"), "written as the reference writes it");

            for (String stored : List.of("sha256:" + sha1, sha1)) {
                java.time.Instant changed = java.time.Instant.now();
                run.glance.setProperties(build.id(), Map.of("upstream_checksum", stored));
                run.tracker.expectNewPlans(changed); // a resync after the change
                assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
                assertEquals(List.of(build.id()), run.managedImages().stream().map(ObservedImage::id).toList(),
                        "stored as '" + stored + "': no import, no second image");
            }
            assertEquals(1, run.eventsNow().stream().filter(e -> e instanceof org.imagemanager.event.ImportStarted).count(),
                    "one import in all");
        }
    }

    /** Name (without the run's id) → visibility of every managed image. */
    private static Map<String, String> visibilities(PipelineTestRun run) {
        return run.managedImages().stream().collect(Collectors.toMap(i -> i.name().replace(" " + run.id, ""),
                ObservedImage::visibility));
    }

    @Test
    void osHiddenHidesEveryBuildButTheCurrentOneFromListings() {
        Map<String, ObservedImage> images = addSecondBuild(Map.of("image-manager.plan.use-os-hidden", true));
        assertTrue(images.get("Family (1)").hidden(), images.get("Family (1)").toString());
        assertTrue(!images.get("Family").hidden());
    }

    @Test
    void deactivateDeactivatesTheOutdatedBuild() {
        Map<String, ObservedImage> images = rotateOnce(Map.of("image-manager.plan.deactivate", true), "");
        assertEquals("deactivated", images.get("Family (1)").status());
        assertEquals("active", images.get("Family").status());
    }

    @Test
    void keepKeepsTheOutdatedBuildEvenWithDeleteConfirmed() {
        Map<String, ObservedImage> images = rotateOnce(Map.of("image-manager.plan.delete", true,
                "image-manager.plan.confirm-delete", true), "keep: true");
        assertEquals(List.of("Family", "Family (1)"), images.keySet().stream().sorted().toList());
        assertEquals("active", images.get("Family (1)").status());
    }

    @Test
    void deleteWithConfirmationDeletesTheOutdatedBuild() {
        Map<String, ObservedImage> images = rotateOnce(Map.of("image-manager.plan.delete", true,
                "image-manager.plan.confirm-delete", true), "");
        assertEquals(List.of("Family"), images.keySet().stream().sorted().toList());
    }

    @Test
    void aFilterLeavesOtherFamiliesAlone() {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String selected = "Selected " + run.id;
            String other = "Other " + run.id;
            git.commit("images/a.yml", family(selected, "private", false, version("1", server.url("v1.qcow2"), sha1)), "a");
            git.commit("images/b.yml", family(other, "private", false, version("1", server.url("v1.qcow2"), sha1)), "b");
            run.start(git.directory(), Map.of("image-manager.plan.filter", "Selected"));
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(selected), SETTLE));
            assertEquals(List.of(selected + " 1"), names(run));
        }
    }

    @Test
    void aVersionsOwnVisibilityWinsOverTheImages() {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Mixed " + run.id;
            git.commit("images/m.yml", family(name, "private", false,
                    version("1", server.url("v1.qcow2"), sha1, "visibility: public"),
                    version("2", server.url("v2.qcow2"), sha2)), "mixed");
            run.start(git.directory());
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            Map<String, ObservedImage> images = byName(run);
            assertEquals("public", images.get(name + " 1").visibility());
            assertEquals("private", images.get(name + " 2").visibility());
        }
    }

    @Test
    void aPropertyRemovedFromTheDefinitionIsRemovedFromTheImage() {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Props " + run.id;
            git.commit("images/p.yml", family(name, "private", false, Map.of("hw_qemu_guest_agent", "yes", "support_contact", "ops@example.org"), "",
                    version("1", server.url("v1.qcow2"), sha1)), "with properties");
            run.start(git.directory());
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            ObservedImage before = byName(run).get(name + " 1");
            assertEquals("yes", before.property("hw_qemu_guest_agent"));
            assertEquals("ops@example.org", before.property("support_contact"));

            java.time.Instant committed = java.time.Instant.now();
            git.commit("images/p.yml", family(name, "private", false, Map.of("support_contact", "ops@example.org"), "",
                    version("1", server.url("v1.qcow2"), sha1)), "without the guest agent");
            run.tracker.expectNewPlans(committed, "DEFINITION");
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            ObservedImage after = byName(run).get(name + " 1");
            assertNull(after.property("hw_qemu_guest_agent"), after.properties().toString());
            assertEquals("ops@example.org", after.property("support_contact"));
            assertEquals(before.id(), after.id(), "changed in place, not imported again");
        }
    }

    @Test
    void aManagedImageThatLostPropertiesWeExpectIsRepaired() throws Exception {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Stripped " + run.id;
            git.commit("images/s.yml", family(name, "private", false, version("1", server.url("v1.qcow2"), sha1)), "v1");
            run.start(git.directory(), Map.of("image-manager.plan.resync-interval", "2s"));
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            ObservedImage image = byName(run).get(name + " 1");
            List<String> expected = List.of("os_distro", "image_build_date", "image_original_user", "os_version");
            for (String key : expected) {
                assertTrue(image.property(key) != null, key + " set by the import: " + image.properties());
            }
            run.glance.removeProperties(image.id(), expected);

            ObservedImage repaired = DriftIT.await(() -> run.glance.get(image.id()).orElseThrow(),
                    i -> expected.stream().allMatch(key -> i.property(key) != null));
            assertEquals(image.property("image_build_date"), repaired.property("image_build_date"));
            assertEquals("ubuntu", repaired.property("os_distro"));
        }
    }

    /**
     * Family v1, then v2 in its place (multi: true, uuid_validity: last-1, so the outdated v1 is due for
     * retirement): returns the images after v2 with run-independent names.
     */
    private Map<String, ObservedImage> rotateOnce(Map<String, Object> options, String extraKeys) {
        return twoBuilds(options, extraKeys, true);
    }

    /** Family v1, then v1 and v2 (both defined): returns the images after v2 with run-independent names. */
    private Map<String, ObservedImage> addSecondBuild(Map<String, Object> options) {
        return twoBuilds(options, "", false);
    }

    private Map<String, ObservedImage> twoBuilds(Map<String, Object> options, String extraKeys, boolean replace) {
        try (PipelineTestRun run = new PipelineTestRun(); TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Family " + run.id;
            git.commit("images/f.yml", family(name, "public", true, Map.of(), extraKeys,
                    version("1", server.url("v1.qcow2"), sha1)), "v1");
            run.start(git.directory(), options);
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            String v2 = version("2", server.url("v2.qcow2"), sha2);
            java.time.Instant committed = java.time.Instant.now();
            git.commit("images/f.yml", replace ? family(name, "public", true, Map.of(), extraKeys, v2)
                    : family(name, "public", true, Map.of(), extraKeys, version("1", server.url("v1.qcow2"), sha1), v2), "v2");
            run.tracker.expectNewPlans(committed, "DEFINITION");
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            return run.managedImages().stream().collect(Collectors.toMap(
                    i -> i.name().replace(" " + run.id, ""), Function.identity()));
        }
    }

    private static List<String> names(PipelineTestRun run) {
        return run.managedImages().stream().map(ObservedImage::name).sorted().toList();
    }

    private static Map<String, ObservedImage> byName(PipelineTestRun run) {
        return run.managedImages().stream().collect(Collectors.toMap(ObservedImage::name, Function.identity()));
    }
}
