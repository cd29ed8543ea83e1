package org.imagemanager.app;

import org.imagemanager.claim.FamilyClaims;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TestImages;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.imagemanager.app.LifecycleDefinitions.family;
import static org.imagemanager.app.LifecycleDefinitions.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two pipelines that share nothing but Glance act on one cloud at the same moment: two all-in-one {@code sync}s (the
 * nightly run that overran into the next), and a {@code sync} beside a running {@code serve}. Each is a JVM of its own
 * with topics of its own (another pipeline, as another broker would make it). Checked in Glance every time: each
 * defined name is held by exactly one image, and there are exactly as many images as defined builds.
 */
class ConcurrentRunsIT {
    private static final int ROUNDS = 10;

    @TempDir
    Path work;
    FileServer server;
    GlanceClient glance;
    final String id = UUID.randomUUID().toString().substring(0, 8);
    final String tag = "im-race-" + id;
    String shaA;
    String shaB;

    @BeforeEach
    void setUp() throws IOException {
        Path files = Files.createDirectories(work.resolve("files"));
        shaA = TestImages.sha256(TestImages.qcow2(files, "a.qcow2", 8));
        shaB = TestImages.sha256(TestImages.qcow2(files, "b.qcow2", 9));
        server = FileServer.serve(files);
        glance = DevCloud.glance(DevCloud.ADMIN_CLOUD);
    }

    @AfterEach
    void tearDown() {
        server.close();
        glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        claimImages().forEach(image -> glance.delete(image.id()));
    }

    /** The defined names of one round's definitions, by family: what Glance must hold afterwards, once each. */
    private record Round(String multi, String singleA, String singleB, Map<String, String> files) {
        List<String> names() {
            return List.of(multi, multi + " (20240101)", singleA + " 1.1", singleB + " 1.1");
        }
    }

    private Round round(int number) {
        String prefix = "Race " + id + "-" + number;
        Round round = new Round(prefix + " Multi", prefix + " Single A", prefix + " Single B", new TreeMap<>());
        round.files().put("multi.yml", family(round.multi(), "private", true,
                version("20240101", server.url("a.qcow2"), shaA), version("20240201", server.url("b.qcow2"), shaB)));
        round.files().put("single-a.yml", family(round.singleA(), "private", false, version("1.1", server.url("a.qcow2"), shaA)));
        round.files().put("single-b.yml", family(round.singleB(), "private", false, version("1.1", server.url("b.qcow2"), shaB)));
        return round;
    }

    @Test
    void twoSyncsStartedTogetherTenTimesNeverMakeTwoImagesWithOneName() throws Exception {
        int racedRounds = 0;
        for (int number = 1; number <= ROUNDS; number++) {
            Round round = round(number);
            Path images = Files.createDirectories(work.resolve("round-" + number));
            for (Map.Entry<String, String> file : round.files().entrySet()) {
                Files.writeString(images.resolve(file.getKey()), file.getValue());
            }

            // both processes are started before either is waited for (a pool of the machine's size could run them
            // one after the other: the common pool has one thread on two cores)
            Path outputA = work.resolve("round-" + number + "-a.txt");
            Path outputB = work.resolve("round-" + number + "-b.txt");
            Process first = sync(images, outputA);
            Process second = sync(images, outputB);
            SyncCommandIT.Result a = awaitEnd(first, outputA);
            SyncCommandIT.Result b = awaitEnd(second, outputB);

            String both = "round " + number + "\n--- first:\n" + a.output() + "\n--- second:\n" + b.output();
            assertEquals(0, a.exitCode(), both);
            assertEquals(0, b.exitCode(), both);
            assertEachNameHeldOnce(round, both);
            // every build was imported by exactly one of the two runs
            assertEquals(4, imported(a.output()) + imported(b.output()), both);
            int leftAlone = leftAlone(a.output()) + leftAlone(b.output());
            System.out.printf("round %d: imported %d + %d, families left alone %d + %d%n", number, imported(a.output()),
                    imported(b.output()), leftAlone(a.output()), leftAlone(b.output()));
            racedRounds += leftAlone > 0 ? 1 : 0;
            glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        }
        // the runs really overlapped (else this would test nothing): in some round one found the other's claim
        assertTrue(racedRounds > 0, "in no round did one run find a claim of the other");
    }

    private static int leftAlone(String output) {
        return output.split("LEFT ALONE", -1).length - 1;
    }

    /** A sync by hand while serve follows the same definitions through another broker (its own embedded one). */
    @Test
    void aSyncBesideARunningServeNeverMakesTwoImagesWithOneName() throws Exception {
        Round round = round(0);
        Path repository = work.resolve("repository");
        Path images = Files.createDirectories(work.resolve("images"));
        try (TestGitRepository git = TestGitRepository.create(repository)) {
            for (Map.Entry<String, String> file : round.files().entrySet()) {
                git.commit(file.getKey(), file.getValue(), "add " + file.getKey());
                Files.writeString(images.resolve(file.getKey()), file.getValue());
            }
            Path serveOutput = work.resolve("serve.txt");
            Process serve = start(serveOutput, "serve", "--cloud", DevCloud.ADMIN_CLOUD, "--tag", tag,
                    "--repository", repository.toString(), "--poll-interval", "1s", "--http-port", String.valueOf(freePort()),
                    "--kafka", SharedKafka.bootstrapServers(), "--topic-prefix", "serve-" + id + "-",
                    "--group-prefix", "serve-" + id, "--no-mirror");
            try {
                // the sync starts with an embedded broker of its own: the two pipelines share only Glance
                SyncCommandIT.Result sync = SyncCommandIT.launch(work, DevCloud.cloudsFile(), "sync", "--cloud",
                        DevCloud.ADMIN_CLOUD, "--images", images.toString(), "--tag", tag, "--no-mirror",
                        "--timeout", "PT4M");
                assertEquals(0, sync.exitCode(), sync.output() + "\n--- serve:\n" + Files.readString(serveOutput));
                System.out.println("--- the sync beside serve:\n" + sync.output());
                // serve goes on until the cloud is in line (whatever the sync left to it)
                awaitInLine(round, Duration.ofMinutes(3), serveOutput);
                assertEachNameHeldOnce(round, sync.output() + "\n--- serve:\n" + Files.readString(serveOutput));
                serve.destroy(); // SIGTERM, as an init system stops it
                assertTrue(serve.waitFor(60, TimeUnit.SECONDS), "serve stops on SIGTERM");
                Instant stopped = Instant.now();
                assertTrue(claimImages().stream().allMatch(claim -> !Instant.parse(claim.property(FamilyClaims.EXPIRES)).isAfter(stopped)),
                        "a stopped serve releases its claims: " + claimImages().stream().map(ObservedImage::properties).toList());
            } finally {
                serve.destroyForcibly();
            }
        }
    }

    /**
     * A run killed while it holds a family's claim: the next run finds the live claim and leaves the family alone
     * (saying so); once the lease has run out, a run takes the family over and completes it, removing what the killed
     * run left half done.
     */
    @Test
    void aRunKilledHoldingAClaimKeepsOthersOffUntilTheLeaseEndsThenTheNextRunCompletesTheFamily() throws Exception {
        Path files = work.resolve("files");
        Path big = TestImages.qcow2(files, "big.qcow2", 64); // about 200 KiB: 25 s at 8 KiB/s
        String bigSha = TestImages.sha256(big);
        String name = "Killed " + id;
        Path images = Files.createDirectories(work.resolve("killed"));
        // a source that sends slowly, so that the run is killed in the middle of its import
        try (SlowFileServer slow = SlowFileServer.serve(big, 8 * 1024)) {
            Files.writeString(images.resolve("images.yml"), family(name, "private", false,
                    version("1.1", slow.url(), bigSha)));
            Path output = work.resolve("killed.txt");
            Process killed = start(output, "sync", "--cloud", DevCloud.ADMIN_CLOUD, "--images", images.toString(),
                    "--tag", tag, "--kafka", SharedKafka.bootstrapServers(), "--topic-prefix", "killed-" + id + "-",
                    "--group-prefix", "killed-" + id, "--no-mirror", "--claim-lease", "20s");
            awaitOutput(killed, output, "importing", Duration.ofMinutes(2));
            Instant killedAt = Instant.now();
            killed.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertEquals(1, claimImages().size(), "the killed run's claim is still there");

            SyncCommandIT.Result next = SyncCommandIT.launch(work, DevCloud.cloudsFile(), "sync", "--cloud",
                    DevCloud.ADMIN_CLOUD, "--images", images.toString(), "--tag", tag, "--kafka", SharedKafka.bootstrapServers(),
                    "--topic-prefix", "next-" + id + "-", "--group-prefix", "next-" + id, "--no-mirror", "--claim-lease", "20s");
            System.out.println("--- the run after the killed one:\n" + next.output());
            assertEquals(0, next.exitCode(), next.output());
            assertTrue(next.output().contains("LEFT ALONE " + DevCloud.ADMIN_CLOUD + " " + name), next.output());
            assertTrue(next.output().contains("imported: 0"), next.output());
            assertTrue(glance.listImagesNamed(name + " 1.1").stream().noneMatch(org.imagemanager.plan.ImageProperties::verifiedAndUsable),
                    "nothing was completed while the claim was live");

            long wait = Duration.between(Instant.now(), killedAt.plusSeconds(21)).toMillis();
            Thread.sleep(Math.max(0, wait));
            SyncCommandIT.Result after = SyncCommandIT.launch(work, DevCloud.cloudsFile(), "sync", "--cloud",
                    DevCloud.ADMIN_CLOUD, "--images", images.toString(), "--tag", tag, "--kafka", SharedKafka.bootstrapServers(),
                    "--topic-prefix", "after-" + id + "-", "--group-prefix", "after-" + id, "--no-mirror", "--claim-lease", "20s");
            assertEquals(0, after.exitCode(), after.output());
            assertTrue(after.output().contains("imported: 1"), after.output());
            List<ObservedImage> held = glance.listImagesNamed(name + " 1.1");
            assertEquals(1, held.size(), "the half image of the killed run is gone: " + held);
            assertEquals("active", held.getFirst().status());
            assertEquals(1, claimImages().size(), "one claim image per family: the older term was removed");
        }
    }

    private void assertEachNameHeldOnce(Round round, String context) {
        List<ObservedImage> managed = glance.listImages(tag).stream()
                .filter(image -> image.name().startsWith(round.multi().substring(0, round.multi().length() - " Multi".length())))
                .toList();
        Map<String, Long> byName = managed.stream().collect(Collectors.groupingBy(ObservedImage::name, TreeMap::new, Collectors.counting()));
        Map<String, Long> expected = new TreeMap<>();
        round.names().forEach(n -> expected.put(n, 1L));
        assertEquals(expected, byName, "each defined name held by exactly one image, and nothing else: " + context);
        for (String name : round.names()) {
            assertEquals(1, glance.listImagesNamed(name).size(), name + ": " + context);
        }
        assertTrue(managed.stream().allMatch(org.imagemanager.plan.ImageProperties::verifiedAndUsable), context);
    }

    private void awaitInLine(Round round, Duration timeout, Path serveOutput) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            Map<String, List<ObservedImage>> byName = glance.listImages(tag).stream()
                    .collect(Collectors.groupingBy(ObservedImage::name));
            if (round.names().stream().allMatch(n -> byName.getOrDefault(n, List.of()).size() == 1
                    && org.imagemanager.plan.ImageProperties.verifiedAndUsable(byName.get(n).getFirst()))) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("serve did not bring the cloud in line: " + glance.listImages(tag).stream()
                .map(ObservedImage::name).toList() + "\n" + Files.readString(serveOutput));
    }

    private List<ObservedImage> claimImages() {
        return glance.listImages(FamilyClaims.TAG).stream()
                .filter(image -> String.valueOf(image.property(FamilyClaims.FAMILY)).contains(id))
                .toList();
    }

    private static int imported(String output) {
        Matcher m = Pattern.compile("imported: (\\d+)").matcher(output);
        int total = 0;
        while (m.find()) {
            total += Integer.parseInt(m.group(1));
        }
        return total;
    }

    /** A sync as the quick start runs it: its own embedded broker (no mirror, to keep the rounds short). */
    private Process sync(Path images, Path output) throws IOException {
        return start(output, "sync", "--cloud", DevCloud.ADMIN_CLOUD, "--images", images.toString(), "--tag", tag,
                "--no-mirror", "--timeout", "PT4M");
    }

    private static SyncCommandIT.Result awaitEnd(Process process, Path output) throws Exception {
        if (!process.waitFor(6, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the sync did not end: " + Files.readString(output));
        }
        return new SyncCommandIT.Result(process.exitValue(), Files.readString(output));
    }

    /** The launcher in a JVM of its own that keeps running (serve, or a sync to be killed). */
    private Process start(Path output, String... args) throws IOException {
        return SyncCommandIT.start(output, DevCloud.cloudsFile(), args);
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Serves one file at a fixed rate (with its Content-Length), so that a run can be caught in the middle. */
    private static final class SlowFileServer implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer http;
        private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();

        private SlowFileServer(com.sun.net.httpserver.HttpServer http) {
            this.http = http;
        }

        static SlowFileServer serve(Path file, int bytesPerSecond) throws IOException {
            com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
            SlowFileServer server = new SlowFileServer(http);
            http.setExecutor(server.threads);
            http.createContext("/", exchange -> {
                byte[] bytes = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, bytes.length);
                int chunk = Math.max(1, bytesPerSecond / 8);
                try (var out = exchange.getResponseBody()) {
                    for (int offset = 0; offset < bytes.length; offset += chunk) {
                        out.write(bytes, offset, Math.min(chunk, bytes.length - offset));
                        out.flush();
                        Thread.sleep(125);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // the client went away (the run was killed)
                }
            });
            http.start();
            return server;
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/big.qcow2";
        }

        @Override
        public void close() {
            http.stop(0);
            threads.shutdownNow();
        }
    }

    private static void awaitOutput(Process process, Path output, String text, Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            if (Files.exists(output) && Files.readString(output).contains(text)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + text + "' in time: " + (Files.exists(output) ? Files.readString(output) : ""));
    }
}
