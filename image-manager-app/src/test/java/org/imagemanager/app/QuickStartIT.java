package org.imagemanager.app;

import org.imagemanager.glance.GlanceClient;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.ProjectRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quick start's sync of examples/images (its own names and tag here, the same definitions and files), without a
 * broker as the quick start runs it: the multi: true family imports both builds, then moves the plain name once;
 * Glance, sampled every 100 ms meanwhile, never shows two images with the plain name. A second run finds all in
 * line and starts nothing.
 */
class QuickStartIT {
    @TempDir
    Path work;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-quick-" + id;
    final GlanceClient glance = DevCloud.glance(DevCloud.ADMIN_CLOUD);

    @AfterEach
    void tearDown() {
        glance.listImages(tag).forEach(image -> glance.delete(image.id()));
    }

    @Test
    void theMultiFamilyImportsBothBuildsThenRenamesOnceNeverShowingTwoPlainNames() throws Exception {
        Path examples = ProjectRoot.find().resolve("examples");
        String rolling = "Rolling " + id;
        try (FileServer server = FileServer.serve(examples.resolve("files"))) {
            Path images = Files.createDirectories(work.resolve("images"));
            Files.writeString(images.resolve("demo.yml"), Files.readString(examples.resolve("images/demo.yml"))
                    .replace("name: Tiny Linux", "name: Tiny " + id)
                    .replace("name: Rolling Linux", "name: " + rolling)
                    .replace("http://127.0.0.1:18080/", server.url("")));
            AtomicInteger mostPlainNames = new AtomicInteger();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (sampling.get()) {
                    mostPlainNames.accumulateAndGet(glance.listImagesNamed(rolling).size(), Math::max);
                    try {
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            SyncCommandIT.Result first;
            try {
                first = sync(images);
            } finally {
                sampling.set(false);
                sampler.join();
            }
            assertEquals(0, first.exitCode(), first.output());
            assertTrue(first.output().contains("imported: 4  renamed: 1  changed: 0  unchanged: 0  failed: 0"), first.output());
            assertEquals(List.of("  renamed    dev: '" + rolling + " (20261115)' -> '" + rolling + "'"),
                    first.output().lines().filter(line -> line.contains("renamed  ")).toList(), first.output());
            assertFalse(first.output().contains("starting embedded Kafka broker"), first.output());
            assertEquals(1, mostPlainNames.get(), "never two images with the plain name, and the sampler saw it");
            assertEquals(List.of(rolling, rolling + " (20261101)", "Tiny " + id + " 1.0", "Tiny " + id + " 1.1"),
                    glance.listImages(tag).stream().map(ObservedImage::name).sorted().toList());

            SyncCommandIT.Result second = sync(images);
            assertEquals(0, second.exitCode(), second.output());
            assertTrue(second.output().contains("imported: 0  renamed: 0  changed: 0  unchanged: 4  failed: 0"), second.output());
            assertFalse(second.output().contains("starting embedded"), second.output());
        }
    }

    private SyncCommandIT.Result sync(Path images) throws Exception {
        return SyncCommandIT.launch(work, DevCloud.cloudsFile(), "sync", "--cloud", DevCloud.ADMIN_CLOUD,
                "--images", images.toString(), "--tag", tag, "--mirror-dir", work.resolve("s3").toString());
    }
}
