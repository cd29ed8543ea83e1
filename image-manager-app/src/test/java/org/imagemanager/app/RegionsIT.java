package org.imagemanager.app;

import org.imagemanager.glance.GlanceClient;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One cloud with two regions (the dev cloud's dev-regions entry: regions [RegionOne, RegionTwo], one Keystone, a Glance
 * of its own in each): one definition set converges in both, each region a target of its own.
 */
class RegionsIT {
    private static final String CLOUD = "dev-regions";
    private static final List<String> TARGETS = List.of(CLOUD + "/RegionOne", CLOUD + "/RegionTwo");

    @TempDir
    Path work;
    FileServer server;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-regions-" + id;
    Path images;

    @BeforeEach
    void setUp() throws Exception {
        Path files = Files.createDirectories(work.resolve("files"));
        String sha = TestImages.sha256(TestImages.qcow2(files, "tiny.qcow2", 8));
        server = FileServer.serve(files);
        images = Files.createDirectories(work.resolve("images"));
        Files.writeString(images.resolve("images.yml"), TinyDefinition.yaml("Regional " + id, "private", server.url("tiny.qcow2"), "sha256:" + sha));
    }

    @AfterEach
    void tearDown() {
        server.close();
        for (String target : TARGETS) {
            GlanceClient glance = DevCloud.glance(target);
            glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        }
    }

    private SyncCommandIT.Result sync() throws Exception {
        return SyncCommandIT.launch(work, DevCloud.cloudsFile(), "sync", "--cloud", CLOUD, "--images", images.toString(),
                "--tag", tag, "--kafka", SharedKafka.bootstrapServers(), "--topic-prefix", "regions-" + id + "-",
                "--group-prefix", "regions-" + id, "--no-mirror", "--timeout", "PT3M");
    }

    @Test
    void oneDefinitionSetConvergesInEveryRegionEachATargetOfItsOwn() throws Exception {
        SyncCommandIT.Result plan = SyncCommandIT.launch(work, DevCloud.cloudsFile(), "plan", "--cloud", CLOUD,
                "--images", images.toString(), "--tag", tag);
        assertEquals(0, plan.exitCode(), plan.output());
        for (String target : TARGETS) {
            assertTrue(plan.output().lines().anyMatch(line -> line.startsWith(target + " ") && line.contains("Regional " + id + " 1.0")
                    && line.contains("import")), target + ": " + plan.output());
        }

        SyncCommandIT.Result first = sync();
        assertEquals(0, first.exitCode(), first.output());
        for (String target : TARGETS) {
            assertTrue(first.output().contains(target + ": imported: 1  renamed: 0  changed: 0  unchanged: 0  failed: 0"),
                    target + ": " + first.output());
        }
        List<ObservedImage> one = DevCloud.glance(TARGETS.get(0)).listImages(tag);
        List<ObservedImage> two = DevCloud.glance(TARGETS.get(1)).listImages(tag);
        assertEquals(List.of("Regional " + id + " 1.0"), one.stream().map(ObservedImage::name).toList());
        assertEquals(List.of("Regional " + id + " 1.0"), two.stream().map(ObservedImage::name).toList());
        assertNotEquals(one.getFirst().id(), two.getFirst().id(), "two Glances, one image in each");

        SyncCommandIT.Result second = sync();
        assertEquals(0, second.exitCode(), second.output());
        for (String target : TARGETS) {
            assertTrue(second.output().contains(target + ": imported: 0  renamed: 0  changed: 0  unchanged: 1  failed: 0"),
                    target + ": " + second.output());
        }
    }
}
