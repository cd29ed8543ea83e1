package org.imagemanager.app;

import org.imagemanager.glance.GlanceClient;
import org.imagemanager.glance.NewImage;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Switching a cloud from the OpenStack Image Manager (the reference tool) to ours. The reference's images are made
 * here as it leaves them (its names, tags and properties, as seen running it on the dev cloud in December 2026),
 * so that the test needs no reference tool: synced with the reference's tag they are adopted as they are; with
 * another tag they are someone else's, and the sync ends at once with the cause instead of importing copies.
 */
class AdoptionIT {
    private static final Duration FINAL_ERROR = Duration.ofSeconds(30);

    @TempDir
    Path work;
    FileServer server;
    GlanceClient glance;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    /** The tag the reference managed the cloud with (its default is managed_by_osism; one per test run here). */
    final String referenceTag = "osism-" + id;
    final String family = "Adopt " + id;
    final Map<String, String> sha = new LinkedHashMap<>();

    @BeforeEach
    void setUp() throws IOException {
        Path files = Files.createDirectories(work.resolve("files"));
        sha.put("20261101", TestImages.sha256(TestImages.qcow2(files, "adopt-20261101.qcow2", 6)));
        sha.put("20261115", TestImages.sha256(TestImages.qcow2(files, "adopt-20261115.qcow2", 7)));
        server = FileServer.serve(files);
        glance = DevCloud.glance(DevCloud.ADMIN_CLOUD);
    }

    @AfterEach
    void tearDown() {
        server.close();
        glance.listImages(referenceTag).forEach(image -> glance.delete(image.id()));
        glance.listImages("ours-" + id).forEach(image -> glance.delete(image.id()));
    }

    @Test
    void aCloudTheReferenceConvergedGetsNoImportNoRenameAndNoDuplicateOnlyOurBookkeeping() throws Exception {
        Map<String, ObservedImage> before = referenceConverged();

        SyncCommandIT.Result first = sync(referenceTag);

        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("imported: 0  renamed: 0"), first.output());
        Map<String, ObservedImage> after = byName(glance.listImages(referenceTag));
        assertEquals(before.keySet(), after.keySet(), "the same names: " + after.keySet());
        for (ObservedImage was : before.values()) {
            ObservedImage is = after.get(was.name());
            assertEquals(was.id(), is.id(), "the same image under " + was.name());
            assertEquals(was.visibility(), is.visibility());
            assertEquals(was.status(), is.status());
            was.properties().forEach((key, value) -> assertEquals(value, is.property(key), was.name() + ": " + key + " kept"));
            List<String> added = is.properties().keySet().stream().filter(key -> was.property(key) == null).sorted().toList();
            assertTrue(added.stream().allMatch(ImageProperties::isBookkeeping), was.name() + ": only our bookkeeping is added: " + added);
            assertEquals(new java.util.TreeSet<>(was.tags()), new java.util.TreeSet<>(is.tags()), "its tags stay");
        }
        assertEquals(2, glance.listImagesNamed(family).size() + glance.listImagesNamed(family + " (20261101)").size(),
                "no duplicate");

        SyncCommandIT.Result second = sync(referenceTag);
        assertEquals(0, second.exitCode(), second.output());
        assertTrue(second.output().contains("imported: 0  renamed: 0  changed: 0  unchanged: 2  failed: 0"), second.output());
    }

    @Test
    void withAnotherTagTheReferencesImagesAreNotOursAndTheSyncEndsAtOnceWithoutACopy() throws Exception {
        Map<String, ObservedImage> before = referenceConverged();

        long started = System.nanoTime();
        SyncCommandIT.Result result = sync("ours-" + id);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertEquals(1, result.exitCode(), result.output());
        assertTrue(took.compareTo(FINAL_ERROR) < 0, "took " + took.toSeconds() + " s: " + result.output());
        assertTrue(result.output().contains("NAME_TAKEN"), result.output());
        assertTrue(result.output().contains(before.get(family).id()), "the holder of the plain name is named: " + result.output());
        assertEquals(List.of(), glance.listImages("ours-" + id), "no copy of the reference's builds");
        assertEquals(List.of(before.get(family).id()), glance.listImagesNamed(family).stream().map(ObservedImage::id).toList());
        assertEquals(before.keySet(), byName(glance.listImages(referenceTag)).keySet(), "the reference's images are untouched");
    }

    /** The two builds of a multi: true family as the reference leaves them: the newest plain, the older suffixed. */
    private Map<String, ObservedImage> referenceConverged() throws IOException {
        referenceImage(family, "20261115");
        referenceImage(family + " (20261101)", "20261101");
        return byName(glance.listImages(referenceTag));
    }

    /** One image as the reference imports it: every meta key, its own properties, tags, minimums, public. */
    private void referenceImage(String name, String version) throws IOException {
        Map<String, String> properties = new TreeMap<>(Map.of(
                "architecture", "x86_64", "hw_disk_bus", "scsi", "hw_scsi_model", "virtio-scsi",
                "hw_watchdog_action", "reset", "hypervisor_type", "qemu", "os_distro", "debian", "os_version", "13",
                "os_purpose", "generic", "replace_frequency", "monthly", "uuid_validity", "last-3"));
        properties.putAll(Map.of("provided_until", "none", "image_description", family, "image_name", family,
                "internal_version", version, "image_original_user", "adopt",
                "image_source", server.url("adopt-" + version + ".qcow2"),
                "image_build_date", version.substring(0, 4) + "-" + version.substring(4, 6) + "-" + version.substring(6)));
        String imageId = glance.create(new NewImage(null, name, "qcow2", 1, 128, properties, List.of(referenceTag, "os:debian")));
        try (InputStream data = Files.newInputStream(work.resolve("files/adopt-" + version + ".qcow2"))) {
            glance.upload(imageId, data);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!"active".equals(glance.get(imageId).orElseThrow().status())) {
            assertTrue(System.nanoTime() < deadline, name + " became active");
            sleep();
        }
        glance.setVisibility(imageId, "public");
    }

    private SyncCommandIT.Result sync(String tag) throws Exception {
        Path images = Files.createDirectories(work.resolve("images"));
        Files.writeString(images.resolve("adopt.yml"), definition());
        return SyncCommandIT.launch(work, DevCloud.cloudsFile(), "sync", "--cloud", DevCloud.ADMIN_CLOUD,
                "--images", images.toString(), "--tag", tag, "--kafka", org.imagemanager.testsupport.SharedKafka.bootstrapServers(),
                "--topic-prefix", "adopt-" + id + "-" + UUID.randomUUID().toString().substring(0, 4) + "-",
                "--group-prefix", "adopt-" + id, "--timeout", "PT3M", "--mirror-dir", work.resolve("s3").toString());
    }

    /** The definition the reference converged the cloud with (the seed's schema; a shipped file would look alike). */
    private String definition() {
        StringBuilder versions = new StringBuilder();
        sha.forEach((version, digest) -> versions.append("""
                      - version: '%s'
                        url: %s
                        checksum: "sha256:%s"
                        build_date: %s
                """.formatted(version, server.url("adopt-" + version + ".qcow2"), digest,
                version.substring(0, 4) + "-" + version.substring(4, 6) + "-" + version.substring(6))));
        return """
                ---
                images:
                  - name: %s
                    enable: true
                    format: qcow2
                    login: adopt
                    min_disk: 1
                    min_ram: 128
                    status: active
                    visibility: public
                    multi: true
                    meta:
                      architecture: x86_64
                      hw_disk_bus: scsi
                      hw_scsi_model: virtio-scsi
                      hw_watchdog_action: reset
                      hypervisor_type: qemu
                      os_distro: debian
                      os_version: '13'
                      os_purpose: generic
                      replace_frequency: monthly
                      uuid_validity: last-3
                      provided_until: none
                    tags: []
                    versions:
                """.formatted(family) + versions;
    }

    private static Map<String, ObservedImage> byName(List<ObservedImage> images) {
        return images.stream().collect(Collectors.toMap(ObservedImage::name, i -> i, (a, b) -> {
            throw new AssertionError("two images named " + a.name());
        }, TreeMap::new));
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
