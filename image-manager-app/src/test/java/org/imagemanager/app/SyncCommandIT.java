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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code image-manager sync} as an operator runs it: a separate JVM, clouds.yaml from OS_CLIENT_CONFIG_FILE,
 * definitions from a folder; the exit code and the printed summary are what is checked, and Glance itself.
 */
class SyncCommandIT {
    @TempDir
    Path work;
    FileServer server;
    GlanceClient glance;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-sync-" + id;
    String sha;

    @BeforeEach
    void setUp() throws IOException {
        Path files = Files.createDirectories(work.resolve("files"));
        sha = TestImages.sha256(TestImages.qcow2(files, "tiny.qcow2", 8));
        server = FileServer.serve(files);
        glance = DevCloud.glance(DevCloud.ADMIN_CLOUD);
    }

    @AfterEach
    void tearDown() {
        server.close();
        glance.listImages(tag).forEach(image -> glance.delete(image.id()));
    }

    @Test
    void convergesTheCloudPrintsASummaryAndExitsZeroThenFindsEverythingUnchanged() throws Exception {
        Path images = definitions("Tiny " + id, "sha256:" + sha);

        Result first = sync(images);
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("imported: 1  renamed: 0  changed: 0  unchanged: 0  failed: 0"), first.output());
        List<ObservedImage> managed = glance.listImages(tag);
        assertEquals(List.of("Tiny " + id + " 1.0"), managed.stream().map(ObservedImage::name).toList());
        assertEquals("active", managed.getFirst().status());

        assertTrue(first.output().contains("starting embedded S3 mirror"), first.output());
        assertTrue(Files.walk(work.resolve("s3")).anyMatch(f -> f.getFileName().toString().equals("tiny.qcow2")),
                "the verified image was mirrored into the embedded S3 server's folder");

        Result second = sync(images);
        assertEquals(0, second.exitCode(), second.output());
        assertTrue(second.output().contains("imported: 0  renamed: 0  changed: 0  unchanged: 1  failed: 0"), second.output());
        assertEquals(1, glance.listImages(tag).size());
    }

    /**
     * Without --kafka, sync plans and carries the plan out in-process: a cloud in line needs no broker, no mirror and
     * no services at all; a change that imports nothing is made without a broker or a mirror either; an import
     * starts the mirror (and still no broker).
     */
    @Test
    void withoutABrokerGivenSyncStartsOnlyWhatTheWorkNeeds() throws Exception {
        Path images = definitions("Still " + id, "sha256:" + sha);
        Result first = embeddedSync(images);
        assertEquals(0, first.exitCode(), first.output());
        assertTrue(first.output().contains("imported: 1  renamed: 0  changed: 0  unchanged: 0  failed: 0"), first.output());
        assertTrue(first.output().contains("starting embedded S3 mirror"), first.output());
        assertFalse(first.output().contains("starting embedded Kafka broker"), first.output());
        String imageId = glance.listImages(tag).getFirst().id();
        assertEquals("active", glance.get(imageId).orElseThrow().status());

        Result inLine = embeddedSync(images);
        assertEquals(0, inLine.exitCode(), inLine.output());
        assertTrue(inLine.output().contains("imported: 0  renamed: 0  changed: 0  unchanged: 1  failed: 0"), inLine.output());
        assertFalse(inLine.output().contains("starting embedded"), "nothing started for a cloud in line: " + inLine.output());

        glance.setProperties(imageId, Map.of("os_distro", "changed-by-hand"));
        Result drift = embeddedSync(images);
        assertEquals(0, drift.exitCode(), drift.output());
        assertFalse(drift.output().contains("starting embedded"), "no import, no mirror, no broker: " + drift.output());
        assertTrue(drift.output().contains("imported: 0  renamed: 0  changed: 1"), drift.output());
        assertEquals("cirros", glance.get(imageId).orElseThrow().property("os_distro"));
    }

    private Result embeddedSync(Path images) throws Exception {
        return launch(DevCloud.cloudsFile(), "sync", "--cloud", DevCloud.ADMIN_CLOUD, "--images", images.toString(),
                "--tag", tag, "--timeout", "PT3M", "--mirror-dir", work.resolve("s3").toString());
    }

    @Test
    void aChecksumMismatchExitsOneNamingTheFailureAndLeavesNoImage() throws Exception {
        Path images = definitions("Bad " + id, "sha256:" + "1".repeat(64));

        Result result = sync(images);

        assertEquals(1, result.exitCode(), result.output());
        assertTrue(result.output().contains("CHECKSUM_MISMATCH"), result.output());
        assertTrue(result.output().contains("sha256:" + sha), "the actual digest is named: " + result.output());
        assertEquals(List.of(), glance.listImages(tag));
    }

    @Test
    void invalidDefinitionsExitTwoNamingFileLineAndFieldAndTouchNothing() throws Exception {
        Path images = definitions("Invalid " + id, "sha256:abc");

        Result result = sync(images);

        assertEquals(2, result.exitCode(), result.output());
        assertTrue(result.output().contains("images.yml:"), result.output());
        assertTrue(result.output().contains("images[0].versions[0].checksum"), result.output());
        assertEquals(List.of(), glance.listImages(tag));
    }

    /** Causes that waiting cannot heal end the sync at once: exit 1, one line naming the cloud and the cause. */
    @Test
    void aCloudThatIsNotThereRefusesUsOrDoesNotAnswerEndsTheSyncInSecondsWithItsCause() throws Exception {
        Path images = definitions("Tiny " + id, "sha256:" + sha);
        String devCloud = Files.readString(DevCloud.cloudsFile());
        String wrongPassword = devCloud.replaceFirst("(?m)^clouds:\\n", "clouds:\n  wrong-password:\n    auth:\n"
                + "      auth_url: http://127.0.0.1:5000/v3\n      username: admin\n      password: not-the-password\n"
                + "      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n"
                + "  no-keystone:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n      username: admin\n"
                + "      password: whatever\n      project_name: admin\n      user_domain_name: Default\n"
                + "      project_domain_name: Default\n"
                + "  no-glance:\n    region_name: DeadRegion\n    auth:\n      auth_url: http://127.0.0.1:5000/v3\n"
                + "      username: admin\n      password: " + DevCloud.adminPassword() + "\n      project_name: admin\n"
                + "      user_domain_name: Default\n      project_domain_name: Default\n");
        Path clouds = work.resolve("clouds.yaml");
        Files.writeString(clouds, wrongPassword);

        for (String cloud : List.of("no-such-cloud", "wrong-password", "no-keystone", "no-glance")) {
            long started = System.nanoTime();
            Result result = sync(images, cloud, clouds);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

            assertEquals(1, result.exitCode(), cloud + ": " + result.output());
            assertTrue(seconds < 30, cloud + " took " + seconds + " s: " + result.output());
            assertTrue(result.output().lines().anyMatch(line -> line.startsWith("error: ") && line.contains("cloud '" + cloud + "'")
                    && line.endsWith("nothing changed")), result.output());
            assertFalse(result.output().contains("not-the-password"), "a password is never printed: " + result.output());
            assertFalse(result.output().contains("starting embedded"), "nothing is started for a cloud that cannot be used");
        }
        assertTrue(sync(images, "no-such-cloud", clouds).output().contains("is not defined in any clouds.yaml"));
        assertTrue(sync(images, "wrong-password", clouds).output().contains("authentication to cloud 'wrong-password' failed"));
        assertEquals(List.of(), glance.listImages(tag));
    }

    /** The reference's own command line, as its cron lines and CI steps call it, with only the program name replaced. */
    @Test
    void theReferencesCommandLineWorksUnchanged() throws Exception {
        Path images = definitions("Tiny " + id, "sha256:" + sha);

        Result dryRun = launch(DevCloud.cloudsFile(), "--cloud", DevCloud.ADMIN_CLOUD, "--images", images.toString(),
                "--tag", tag, "--dry-run", "--debug", "--check", "--prefetch", "always", "--filter", "iny " + id);

        assertEquals(0, dryRun.exitCode(), dryRun.output());
        assertTrue(dryRun.output().contains("Tiny " + id + " 1.0"), "the plan names the import: " + dryRun.output());
        assertTrue(dryRun.output().contains("DEBUG") && dryRun.output().contains("cloud = dev"), "--debug logs: " + dryRun.output());
        assertEquals(1, dryRun.output().split("--prefetch is not needed", -1).length - 1, "said once: " + dryRun.output());
        assertEquals(List.of(), glance.listImages(tag), "a dry run changes nothing");

        Path broken = Files.createDirectories(work.resolve("broken"));
        Files.writeString(broken.resolve("images.yml"), TinyDefinition.yaml("Broken " + id, "everyone",
                server.url("tiny.qcow2"), "sha256:" + sha));
        Result checkOnly = launch(DevCloud.cloudsFile(), "--check-only", "--images", broken.toString());

        assertTrue(checkOnly.exitCode() != 0, checkOnly.output());
        assertTrue(checkOnly.output().contains("images.yml:") && checkOnly.output().contains("visibility"), checkOnly.output());

        Result filteredOut = launch(DevCloud.cloudsFile(), "--cloud", DevCloud.ADMIN_CLOUD, "--images", images.toString(),
                "--tag", tag, "--dry-run", "--filter", "^iny");
        assertEquals(0, filteredOut.exitCode(), filteredOut.output());
        assertTrue(filteredOut.output().contains("0 image definition(s)"), "--filter is re.search: " + filteredOut.output());
    }

    /** The reference's one-shot share: add and accept for a project, then del; an unmanaged image is refused. */
    @Test
    void theReferencesShareFlagsAddAcceptAndRemoveAMemberOfAManagedImageOnly() throws Exception {
        String managed = glance.create(new org.imagemanager.glance.NewImage(null, "Shared " + id, "qcow2", 0, 0, Map.of(), List.of(tag)));
        glance.setVisibility(managed, "shared");
        String demo = glance.resolveProjects(List.of("demo"), List.of()).iterator().next();

        Result add = launch(DevCloud.cloudsFile(), "--cloud", DevCloud.ADMIN_CLOUD, "--tag", tag,
                "--share-image", "Shared " + id, "--share-target", "demo");

        assertEquals(0, add.exitCode(), add.output());
        assertEquals(List.of(demo + "=accepted"), glance.members(managed).stream()
                .map(m -> m.projectId() + "=" + m.status()).toList(), add.output());

        Result del = launch(DevCloud.cloudsFile(), "--cloud", DevCloud.ADMIN_CLOUD, "--tag", tag,
                "--share-image", managed, "--share-target", "demo", "--share-action", "del");
        assertEquals(0, del.exitCode(), del.output());
        assertEquals(List.of(), glance.members(managed));

        String unmanaged = glance.create(new org.imagemanager.glance.NewImage(null, "Unmanaged " + id, "qcow2", 0, 0, Map.of(), List.of()));
        try {
            glance.setVisibility(unmanaged, "shared");
            Result refused = launch(DevCloud.cloudsFile(), "--cloud", DevCloud.ADMIN_CLOUD, "--tag", tag,
                    "--share-image", unmanaged, "--share-target", "demo");
            assertEquals(1, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains("an unmanaged image is never touched"), refused.output());
            assertEquals(List.of(), glance.members(unmanaged));
        } finally {
            glance.delete(unmanaged);
        }
    }

    /** An image without our tag that holds a name we must create is final: exit 1 naming it, and no duplicate. */
    @Test
    void aNameHeldByAnUnmanagedImageEndsTheSyncWithTheCauseAndNoDuplicate() throws Exception {
        Path images = definitions("Held " + id, "sha256:" + sha);
        String holder = glance.create(new org.imagemanager.glance.NewImage(null, "Held " + id + " 1.0", "qcow2", 0, 0,
                Map.of(), List.of()));
        try {
            long started = System.nanoTime();
            Result result = sync(images);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

            assertEquals(1, result.exitCode(), result.output());
            assertTrue(seconds < 30, "took " + seconds + " s: " + result.output());
            assertTrue(result.output().contains("NAME_TAKEN") && result.output().contains(holder), result.output());
            assertEquals(List.of(holder), glance.listImagesNamed("Held " + id + " 1.0").stream().map(ObservedImage::id).toList(),
                    "never two images with one name");
            assertEquals(List.of(), glance.listImages(tag));
        } finally {
            glance.delete(holder);
        }
    }

    /** An action the cloud's policy refuses cannot heal by waiting: exit 1 in seconds, the image and the cause named. */
    @Test
    void anActionRefusedByPolicyEndsTheSyncWithTheCause() throws Exception {
        Path images = Files.createDirectories(work.resolve("public"));
        Files.writeString(images.resolve("images.yml"), TinyDefinition.yaml("Public " + id, "public", server.url("tiny.qcow2"),
                "sha256:" + sha));
        GlanceClient demo = DevCloud.glance(DevCloud.DEMO_CLOUD);
        try {
            long started = System.nanoTime();
            // the demo project's member may not publish images (Glance's publicize_image policy)
            Result result = sync(images, DevCloud.DEMO_CLOUD, DevCloud.cloudsFile());
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

            assertEquals(1, result.exitCode(), result.output());
            assertTrue(seconds < 30, "took " + seconds + " s: " + result.output());
            assertTrue(result.output().lines().anyMatch(line -> line.contains("FAILED " + DevCloud.DEMO_CLOUD)
                    && line.contains("Public " + id + " 1.0") && line.contains("REFUSED 403")), result.output());
            List<ObservedImage> imported = demo.listImages(tag);
            assertEquals(List.of("private"), imported.stream().map(ObservedImage::visibility).toList(),
                    "imported once, left private");
        } finally {
            demo.listImages(tag).forEach(image -> demo.delete(image.id()));
        }
    }

    private Path definitions(String name, String checksum) throws IOException {
        Path dir = Files.createDirectories(work.resolve("images"));
        Files.writeString(dir.resolve("images.yml"), TinyDefinition.yaml(name, "private", server.url("tiny.qcow2"), checksum));
        return dir;
    }

    private Result sync(Path images) throws Exception {
        return sync(images, DevCloud.ADMIN_CLOUD, DevCloud.cloudsFile());
    }

    private Result sync(Path images, String cloud, Path cloudsFile) throws Exception {
        return launch(cloudsFile, "sync", "--cloud", cloud,
                "--images", images.toString(), "--tag", tag, "--kafka", SharedKafka.bootstrapServers(),
                "--topic-prefix", "sync-" + id + "-", "--group-prefix", "sync-" + id, "--timeout", "PT3M",
                "--mirror-dir", work.resolve("s3").toString());
    }

    private Result launch(Path cloudsFile, String... args) throws Exception {
        return launch(work, cloudsFile, args);
    }

    /** The launcher's main class in a JVM of its own, as {@code ./image-manager ARGS} runs it; its output goes to {@code work}. */
    static Result launch(Path work, Path cloudsFile, String... args) throws Exception {
        Path output = work.resolve("output-" + UUID.randomUUID() + ".txt");
        Process process = start(output, cloudsFile, args);
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the launcher did not end: " + Files.readString(output));
        }
        return new Result(process.exitValue(), Files.readString(output));
    }

    /** The launcher started in a JVM of its own (its heap bounded as the launcher script bounds it), not waited for. */
    static Process start(Path output, Path cloudsFile, String... args) throws IOException {
        return start(output, cloudsFile, Map.of(), args);
    }

    /** As {@link #start(Path, Path, String...)}, with more environment variables (OS_CLOUD, OS_*, …). */
    static Process start(Path output, Path cloudsFile, Map<String, String> environment, String... args) throws IOException {
        String classpath = Path.of("target/classes").toAbsolutePath() + java.io.File.pathSeparator
                + Files.readString(Path.of("target/launcher.classpath")).trim();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx256m", "-cp", classpath,
                "org.imagemanager.app.ImageManager"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().put("OS_CLIENT_CONFIG_FILE", cloudsFile.toString());
        builder.environment().putAll(environment);
        return builder.start();
    }

    record Result(int exitCode, String output) {
    }
}
