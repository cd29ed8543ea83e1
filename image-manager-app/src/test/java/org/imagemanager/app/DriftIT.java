package org.imagemanager.app;

import org.imagemanager.event.PlanComputed;
import org.imagemanager.glance.NewImage;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changes made by hand in Glance are corrected by the periodic resync, with no event to trigger it; an image
 * without the management tag is never touched, even under the same name.
 */
class DriftIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    Path files;
    @TempDir
    Path repositoryDir;

    @Test
    void theResyncRestoresPropertyNameVisibilityAndTagsChangedByHand() throws Exception {
        String sha = TestImages.sha256(TestImages.qcow2(files, "v1.qcow2", 8));
        try (FileServer server = FileServer.serve(files);
             PipelineTestRun run = new PipelineTestRun();
             TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Drift " + run.id;
            git.commit("images/drift.yml", LifecycleDefinitions.family(name, "private", false,
                    LifecycleDefinitions.version("1", server.url("v1.qcow2"), sha)), "v1");
            run.start(git.directory(), Map.of("image-manager.plan.resync-interval", "2s"));
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            ObservedImage image = single(run);
            String defined = name + " 1"; // multi: false: the version is part of the name
            assertEquals(defined, image.name());

            // an unmanaged image that happens to carry a managed name's suffix must stay as it is
            String stranger = run.glance.create(new NewImage(null, name + " (stranger)", "qcow2", 0, 0,
                    Map.of("os_distro", "other"), List.of("not-ours")));

            run.glance.setProperties(image.id(), Map.of("os_distro", "windows"));
            run.glance.rename(image.id(), name + " renamed by hand");
            run.glance.setVisibility(image.id(), "community");
            run.glance.addTag(image.id(), "foreign-tag");

            ObservedImage repaired = await(() -> run.glance.get(image.id()).orElseThrow(),
                    i -> i.name().equals(defined) && "ubuntu".equals(i.property("os_distro")) && "private".equals(i.visibility())
                            && !i.tags().contains("foreign-tag"));
            assertEquals(defined, repaired.name());
            // the plan's own event follows its actions, which may already be carried out
            await(() -> run.eventsNow().stream().anyMatch(e -> e instanceof PlanComputed p
                    && "RESYNC".equals(p.trigger()) && !p.actions().isEmpty()), found -> found);

            ObservedImage untouched = run.glance.get(stranger).orElseThrow();
            assertEquals(name + " (stranger)", untouched.name());
            assertEquals("other", untouched.property("os_distro"));
            assertEquals(List.of("not-ours"), untouched.tags());
            run.glance.delete(stranger);
        }
    }

    private static ObservedImage single(PipelineTestRun run) {
        List<ObservedImage> images = run.managedImages();
        assertEquals(1, images.size(), images.toString());
        return images.getFirst();
    }

    static <T> T await(Supplier<T> probe, java.util.function.Predicate<T> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        T value = probe.get();
        while (!done.test(value)) {
            assertFalse(System.nanoTime() > deadline, "not restored within 60 s: " + value);
            Thread.sleep(250);
            value = probe.get();
        }
        return value;
    }
}
