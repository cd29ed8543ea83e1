package org.imagemanager.importer;

import com.sun.net.httpserver.HttpServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.imagemanager.cloud.Clouds;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.event.ImportCompleted;
import org.imagemanager.event.ImportImage;
import org.imagemanager.event.ImportStarted;
import org.imagemanager.glance.Glance;
import org.imagemanager.kafka.EventPublisher;
import org.imagemanager.kafka.EventRecords;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.plan.ImageProperties;
import org.imagemanager.plan.ObservedImage;
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.SharedKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three importer processes in one consumer group share twelve imports; one is killed (SIGKILL) while it imports.
 * Every image must end up in Glance exactly once, verified, with no half-made image left.
 */
class ScaleOutIT {
    private static final int IMAGES = 12;
    private static final int SIZE = 6 << 20;

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String tag = "im-scale-" + id;
    private final List<Process> importers = new ArrayList<>();
    private HttpServer server;
    private Glance glance;

    @AfterEach
    void tearDown() {
        importers.forEach(Process::destroyForcibly);
        if (server != null) {
            server.stop(0);
        }
        if (glance != null) {
            glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        }
    }

    @Test
    void threeImportersShareTheWorkAndAKilledOneLeavesNothingHalfMade() throws Exception {
        byte[] data = new byte[SIZE];
        new Random(3).nextBytes(data);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        server = slowServer(data);
        String bootstrap = SharedKafka.bootstrapServers();
        TopicNames topics = new TopicNames("kd-" + id, "ka-" + id, "ke-" + id);
        TopicsInitializer.ensure(bootstrap, topics, 6, (short) 1);
        glance = new Clouds(DevCloud.cloudsFile().toString()).glance(DevCloud.ADMIN_CLOUD);
        String group = "scale-" + id + "-importer";

        try (KafkaConsumer<String, String> events = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "watch-" + id,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            events.subscribe(List.of(topics.events()));
            for (int i = 0; i < 3; i++) {
                importers.add(startImporter(bootstrap, topics, i));
            }
            awaitMembers(admin, group, 3);
            try (EventPublisher publisher = new EventPublisher(bootstrap, new EventRecords(topics, "test"))) {
                for (int i = 0; i < IMAGES; i++) {
                    publisher.publish(action(i, sha256));
                }
            }

            Map<String, ImportCompleted> completed = new HashMap<>();
            Map<String, String> runningIn = new HashMap<>();
            Process victim = null;
            Instant deadline = Instant.now().plus(Duration.ofMinutes(4));
            while (completed.size() < IMAGES && Instant.now().isBefore(deadline)) {
                for (var record : events.poll(Duration.ofMillis(200))) {
                    ImageEvent event = EventJson.decode(record.value(), ImageEvent.class);
                    if (event instanceof ImportCompleted done) {
                        completed.put(done.actionId(), done);
                        runningIn.remove(done.actionId());
                    }
                    if (event instanceof ImportStarted started) {
                        runningIn.put(started.actionId(), started.imageName());
                    }
                }
                if (victim == null) {
                    victim = killOneInTheMiddleOfAnImport();
                }
            }
            assertTrue(victim != null, "an importer was killed in the middle of an import");
            assertEquals(IMAGES, completed.size(), "every import completed: " + completed.keySet());
        }

        List<ObservedImage> images = glance.listImages(tag);
        Map<String, Long> byName = images.stream().collect(Collectors.groupingBy(ObservedImage::name, Collectors.counting()));
        assertEquals(IMAGES, byName.size(), "one image per version: " + byName);
        assertTrue(byName.values().stream().allMatch(n -> n == 1), "never two images with one name: " + byName);
        assertTrue(images.stream().allMatch(i -> "active".equals(i.status())), "no half-made image: "
                + images.stream().map(i -> i.name() + "=" + i.status()).toList());
        Set<String> importIds = new HashSet<>(images.stream().map(i -> i.property(ImageProperties.IMPORT_ID)).toList());
        assertEquals(IMAGES, importIds.size());
    }

    /** SIGKILL for an importer whose log shows an image created but not yet imported (an upload running). */
    private Process killOneInTheMiddleOfAnImport() throws Exception {
        for (int n = 0; n < importers.size(); n++) {
            Path log = Path.of("target", "scale-out-importer-" + n + ".log");
            String text = java.nio.file.Files.exists(log) ? java.nio.file.Files.readString(log) : "";
            long created = text.lines().filter(l -> l.contains(": created ")).count();
            long finished = text.lines().filter(l -> l.contains(": imported ") || l.contains("import failed")).count();
            if (created > finished && created >= 1) {
                importers.get(n).destroyForcibly();
                killedIndex = n;
                return importers.get(n);
            }
        }
        return null;
    }

    private int killedIndex = -1;

    private static void awaitMembers(Admin admin, String group, int members) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        int seen = 0;
        while (Instant.now().isBefore(deadline)) {
            var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            seen = description.members().size();
            if (seen >= members && description.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("only " + seen + " importers joined group " + group);
    }

    private Process startImporter(String bootstrap, TopicNames topics, int n) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), ImporterServiceMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "scale-out-importer-" + n + ".log").toFile());
        Map<String, String> env = builder.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("IMAGE_MANAGER_TOPICS_DEFINITIONS", topics.definitions());
        env.put("IMAGE_MANAGER_TOPICS_ACTIONS", topics.actions());
        env.put("IMAGE_MANAGER_TOPICS_EVENTS", topics.events());
        env.put("IMAGE_MANAGER_KAFKA_GROUP_PREFIX", "scale-" + id);
        env.put("IMAGE_MANAGER_IMPORTER_CONCURRENCY", "1");
        env.put("MICRONAUT_SERVER_PORT", "-1"); // three on one host: each its own port for /metrics and /health
        env.put("OS_CLIENT_CONFIG_FILE", DevCloud.cloudsFile().toString());
        return builder.start();
    }

    private ImportImage action(int i, String sha256) {
        String family = "Scale " + id + " " + i;
        return new ImportImage("scale-" + id + "-" + i, DevCloud.ADMIN_CLOUD, family, "1", family + " 1",
                "http://127.0.0.1:" + server.getAddress().getPort() + "/image-" + i + ".raw", null, "sha256:" + sha256,
                null, null, "raw", 1, 64, Map.of(ImageProperties.FAMILY, family, ImageProperties.INTERNAL_VERSION, "1"),
                List.of(tag), null);
    }

    /** Serves the bytes at about 3 MiB/s, so that an import takes a couple of seconds and can be interrupted. */
    private static HttpServer slowServer(byte[] data) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(200, data.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (int offset = 0; offset < data.length; offset += 256 << 10) {
                        out.write(data, offset, Math.min(256 << 10, data.length - offset));
                        out.flush();
                        Thread.sleep(80);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        return server;
    }
}
