package org.imagemanager.app;

import org.awaitility.Awaitility;
import org.imagemanager.cloud.CloudsYaml;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The share options through the whole pipeline: a project named in {@code image-manager.plan.share-projects} is
 * looked up in Keystone by the planner, made a member of the new shared image by the rotator and accepted on its
 * behalf, and then lists the image itself.
 */
class SharingIT {
    @TempDir
    Path files;
    @TempDir
    Path repositoryDir;

    @Test
    void aSharedImageIsSharedWithTheNamedProjectWhichThenListsIt() throws Exception {
        String sha = TestImages.sha256(TestImages.qcow2(files, "tiny.qcow2", 8));
        try (FileServer server = FileServer.serve(files);
             PipelineTestRun run = new PipelineTestRun();
             TestGitRepository git = TestGitRepository.create(repositoryDir)) {
            String name = "Shared " + run.id;
            Map<String, String> env = new HashMap<>(System.getenv());
            env.put("OS_CLIENT_CONFIG_FILE", run.cloudsFile.toString());
            GlanceClient demo = new GlanceClient(CloudsYaml.load(DevCloud.DEMO_CLOUD, env));

            git.commit("images/shared.yml", TinyDefinition.yaml(name, "shared", server.url("tiny.qcow2"), "sha256:" + sha),
                    "a shared image");
            run.start(git.directory(), Map.of("image-manager.plan.share-projects", List.of("demo")));
            run.tracker.expectNewPlans();
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), Duration.ofMinutes(3)), "pipeline settled");
            // the import settles first; the plan after it makes the image shared and adds the member
            ObservedImage image = Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                    .until(() -> run.managedImages().getFirst(), i -> !i.members().isEmpty());

            assertEquals("shared", image.visibility());
            assertEquals(List.of(new ObservedImage.Member(demo.projectId(), "accepted")), image.members());
            assertEquals(List.of(image.id()), demo.listImagesNamed(name + " 1.0").stream().map(ObservedImage::id).toList(),
                    "the demo project lists the image");
        }
    }
}
