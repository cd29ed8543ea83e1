package org.imagemanager.importer;

import com.sun.net.httpserver.HttpServer;
import io.micronaut.context.ApplicationContext;
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
import org.imagemanager.testsupport.DevCloud;
import org.imagemanager.testsupport.SharedKafka;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An import that takes much longer than Kafka's max.poll.interval: the importer keeps polling with the partition
 * paused, so it stays in the group and the action is neither redelivered nor imported twice.
 */
class LongImportIT {
    @Test
    void anImportLongerThanThePollIntervalIsDoneOnceWithoutLosingTheConsumer() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        byte[] data = new byte[3 << 20];
        new Random(5).nextBytes(data);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        server.createContext("/", exchange -> {
            try (exchange; OutputStream out = exchange.getResponseBody()) {
                exchange.sendResponseHeaders(200, data.length);
                for (int offset = 0; offset < data.length; offset += 128 << 10) { // about 15 s in all
                    out.write(data, offset, Math.min(128 << 10, data.length - offset));
                    out.flush();
                    Thread.sleep(600);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        String bootstrap = SharedKafka.bootstrapServers();
        TopicNames topics = new TopicNames("ld-" + id, "la-" + id, "le-" + id);
        TopicsInitializer.ensure(bootstrap, topics, 1, (short) 1);
        String tag = "im-long-" + id;
        Glance glance = new Clouds(DevCloud.cloudsFile().toString()).glance(DevCloud.ADMIN_CLOUD);
        try (ApplicationContext importer = ApplicationContext.builder().deduceEnvironment(false).properties(Map.of(
                "kafka.bootstrap.servers", bootstrap,
                "image-manager.topics.definitions", topics.definitions(),
                "image-manager.topics.actions", topics.actions(),
                "image-manager.topics.events", topics.events(),
                "image-manager.kafka.group-prefix", "long-" + id,
                "image-manager.clouds-file", DevCloud.cloudsFile().toString(),
                "image-manager.importer.concurrency", 1,
                "image-manager.importer.max-poll-interval", "5s")).start();
             EventPublisher publisher = new EventPublisher(bootstrap, new EventRecords(topics, "test"));
             KafkaConsumer<String, String> events = new KafkaConsumer<>(Map.of(
                     ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, "watch-" + id,
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            String family = "Long " + id;
            publisher.publish(new ImportImage("long-" + id, DevCloud.ADMIN_CLOUD, family, "1", family + " 1",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/slow.raw", null, "sha256:" + sha256, null, null,
                    "raw", 1, 64, Map.of(ImageProperties.FAMILY, family, ImageProperties.INTERNAL_VERSION, "1"), List.of(tag), null));

            events.subscribe(List.of(topics.events()));
            List<ImageEvent> seen = new ArrayList<>();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
            while (seen.stream().noneMatch(ImportCompleted.class::isInstance) && Instant.now().isBefore(deadline)) {
                events.poll(Duration.ofMillis(300)).forEach(r -> seen.add(EventJson.decode(r.value(), ImageEvent.class)));
            }
            // a little longer: a redelivery would show up as a second start
            Instant settle = Instant.now().plusSeconds(8);
            while (Instant.now().isBefore(settle)) {
                events.poll(Duration.ofMillis(300)).forEach(r -> seen.add(EventJson.decode(r.value(), ImageEvent.class)));
            }
            ImportCompleted done = (ImportCompleted) seen.stream().filter(ImportCompleted.class::isInstance).findFirst()
                    .orElseThrow(() -> new AssertionError("no ImportCompleted: " + seen));
            assertTrue(done.durationMillis() > 10_000, "the import took longer than the poll interval: " + done.durationMillis());
            assertEquals(1, seen.stream().filter(ImportStarted.class::isInstance).count(), "imported once: " + seen);
            assertEquals(1, seen.stream().filter(ImportCompleted.class::isInstance).count(), "completed once: " + seen);
            assertEquals(1, glance.listImages(tag).size());
        } finally {
            server.stop(0);
            glance.listImages(tag).forEach(image -> glance.delete(image.id()));
        }
    }
}
