package org.imagemanager.app;

import org.imagemanager.plan.ObservedImage;
import org.imagemanager.rotator.RotatorServiceMain;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.ServiceProcess;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.imagemanager.app.LifecycleDefinitions.family;
import static org.imagemanager.app.LifecycleDefinitions.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rotator is SIGKILLed between the two renames of a rotation (the old build has given up the plain name, the
 * new one has not taken it yet). After a restart the rotation completes; two images never share the plain name.
 */
class RotationCrashIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    Path files;
    @TempDir
    Path repositoryDir;

    @Test
    void aRotatorKilledBetweenTheTwoRenamesIsRepairedAfterItsRestart() throws Exception {
        String sha1 = TestImages.sha256(TestImages.qcow2(files, "v1.qcow2", 8));
        String sha2 = TestImages.sha256(TestImages.qcow2(files, "v2.qcow2", 16));
        try (FileServer server = FileServer.serve(files);
             PipelineTestRun run = new PipelineTestRun();
             TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Crash " + run.id;
            AtomicInteger mostPlainNames = new AtomicInteger();
            AtomicBoolean sampling = new AtomicBoolean(true);
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (sampling.get()) {
                    mostPlainNames.accumulateAndGet(run.glance.listImagesNamed(name).size(), Math::max);
                    sleepQuietly(100);
                }
            });

            // the rotator runs apart, so that it can be killed; rename 1 gives v1 the plain name, rename 2 takes it
            // away again when v2 arrives, and there it stops
            Path firstLog = repositoryDir.resolve("rotator-1.log");
            Process rotator = startRotator(run, firstLog, 2);
            git.commit("images/c.yml", family(name, "private", true, version("1", server.url("v1.qcow2"), sha1)), "v1");
            run.start(git.directory(), Map.of("image-manager.rotator.enabled", false));
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
            assertEquals(List.of(name), names(run));

            git.commit("images/c.yml", family(name, "private", true, version("1", server.url("v1.qcow2"), sha1),
                    version("2", server.url("v2.qcow2"), sha2)), "v2");
            ServiceProcess.awaitLine(firstLog, "pausing after rename number 2", SETTLE);
            rotator.destroyForcibly().waitFor();
            List<String> between = names(run);
            assertEquals(List.of(name + " (1)", name + " (2)"), between, "killed between the two renames: nobody has the plain name");

            Process restarted = startRotator(run, repositoryDir.resolve("rotator-2.log"), 0);
            try {
                ObservedImage plain = DriftIT.await(() -> run.glance.listImagesNamed(name),
                        images -> images.size() == 1).getFirst();
                assertEquals("2", plain.property("internal_version").substring(plain.property("internal_version").length() - 1),
                        plain.properties().toString());
                run.tracker.expectNewPlans();
                assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE));
                assertEquals(List.of(name, name + " (1)"), names(run));
            } finally {
                restarted.destroyForcibly().waitFor();
                sampling.set(false);
                sampler.join();
            }
            assertTrue(mostPlainNames.get() <= 1, "two images had the plain name at once");
        }
    }

    private static Process startRotator(PipelineTestRun run, Path log, int pauseAfterRename) {
        Map<String, Object> properties = new java.util.HashMap<>(Map.of(
                "kafka.bootstrap.servers", run.bootstrap,
                "image-manager.topics.definitions", run.topics.definitions(),
                "image-manager.topics.actions", run.topics.actions(),
                "image-manager.topics.events", run.topics.events(),
                "image-manager.kafka.group-prefix", "group-" + run.id,
                "image-manager.clouds", run.cloud,
                "image-manager.management-tag", run.tag,
                "image-manager.clouds-file", run.cloudsFile.toString(),
                "image-manager.rotator.fault.pause-after-rename", pauseAfterRename,
                "micronaut.server.port", -1));
        // this classpath holds every service: the child is to be a rotator only
        properties.put("image-manager.planner.enabled", false);
        properties.put("image-manager.importer.enabled", false);
        return ServiceProcess.start(RotatorServiceMain.class, properties, log);
    }

    private static List<String> names(PipelineTestRun run) {
        return run.managedImages().stream().map(ObservedImage::name).sorted().toList();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
