package org.imagemanager.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.imagemanager.definitions.publish.DefinitionsSync;
import org.imagemanager.definitions.publish.SyncOutcome;
import org.imagemanager.event.EventJson;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.testsupport.GitHttpServer;
import org.imagemanager.testsupport.GitWorkingCopy;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TopicRecords;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One isolated definitions service for a test: a bare repository served over HTTP by the real {@code git
 * http-backend}, a working copy the test pushes from, its own topics on the shared broker, and readers of them.
 */
final class DefinitionsServiceRun implements AutoCloseable {
    static final String REPOSITORY = "ops";
    static final String SECRET = "It's a Secret to Everybody";
    private static GitHttpServer gitServer;

    final String id = UUID.randomUUID().toString().substring(0, 8);
    final TopicNames topics = new TopicNames("definitions-" + id, "actions-" + id, "events-" + id);
    final String bootstrap = SharedKafka.bootstrapServers();
    final String url;
    final GitWorkingCopy work;
    final Path dir;
    final TopicRecords definitions;
    final TopicRecords events;
    private final List<ApplicationContext> contexts = new ArrayList<>();

    DefinitionsServiceRun() {
        this(server(), null, null);
    }

    /** A run whose repository is on {@code git}, pushed to with {@code user}/{@code password} (both may be null). */
    DefinitionsServiceRun(GitHttpServer git, String user, String password) {
        try {
            dir = Files.createTempDirectory("definitions-it-" + id);
            Files.writeString(dir.resolve("webhook-secret"), SECRET + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        url = git.createBareRepository("defs-" + id);
        work = GitWorkingCopy.cloneOf(url, dir.resolve("work"), user, password);
        TopicsInitializer.ensure(bootstrap, topics, 3, (short) 1);
        definitions = new TopicRecords(bootstrap, topics.definitions(), true);
        events = new TopicRecords(bootstrap, topics.events(), true);
    }

    static synchronized GitHttpServer server() {
        if (gitServer == null) {
            try {
                gitServer = GitHttpServer.start(Files.createTempDirectory("git-http"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(gitServer::close));
        }
        return gitServer;
    }

    /** The service's configuration, as environment-free properties (the child-process test turns them into env). */
    Map<String, Object> properties() {
        Map<String, Object> p = new HashMap<>();
        p.put("kafka.bootstrap.servers", bootstrap);
        p.put("image-manager.topics.definitions", topics.definitions());
        p.put("image-manager.topics.actions", topics.actions());
        p.put("image-manager.topics.events", topics.events());
        p.put("image-manager.definitions.repositories." + REPOSITORY + ".url", url);
        p.put("image-manager.definitions.repositories." + REPOSITORY + ".branch", "main");
        p.put("image-manager.definitions.repositories." + REPOSITORY + ".webhook-secret-file", dir.resolve("webhook-secret").toString());
        // tests trigger syncs themselves (webhooks, or the bean): the poller only runs at start
        p.put("image-manager.definitions.poll-interval", "1h");
        p.put("micronaut.server.port", -1);
        p.put("micronaut.server.host", "127.0.0.1");
        return p;
    }

    /** Starts an instance (with its own work folder, as a separate host would have). */
    ApplicationContext start(Map<String, Object> overrides) {
        Map<String, Object> p = properties();
        p.put("image-manager.definitions.work-dir", dir.resolve("instance-" + contexts.size()).toString());
        p.putAll(overrides);
        ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(p).start();
        context.getBean(EmbeddedServer.class).start();
        contexts.add(context);
        return context;
    }

    ApplicationContext start() {
        return start(Map.of());
    }

    static SyncOutcome sync(ApplicationContext context) {
        try {
            return context.getBean(DefinitionsSync.class).request(REPOSITORY).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("sync failed", e);
        }
    }

    static String webhookUrl(ApplicationContext context) {
        return context.getBean(EmbeddedServer.class).getURL() + "/webhooks/" + REPOSITORY;
    }

    /** New records of the definitions topic as "key=type" (the CloudEvent type; "key=tombstone" for a null value). */
    List<String> newDefinitionRecords() {
        return describe(definitions.next());
    }

    static List<String> describe(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(r -> r.key() + "=" + (r.value() == null ? "tombstone"
                : EventJson.decode(r.value(), JsonNode.class).path("type").asText()
                        .substring(EventJson.TYPE_PREFIX.length()))).toList();
    }

    /** An image definition (the seed's schema) whose only version's checksum is made of {@code digit}. */
    static String image(String name, String version, char digit) {
        return """
                  - name: %s
                    enable: true
                    format: qcow2
                    login: ubuntu
                    min_disk: 8
                    min_ram: 512
                    status: active
                    visibility: private
                    multi: true
                    meta:
                      os_distro: ubuntu
                      architecture: x86_64
                      hw_disk_bus: scsi
                      hypervisor_type: qemu
                      os_purpose: generic
                      provided_until: none
                      replace_frequency: never
                      uuid_validity: none
                    tags: []
                    versions:
                      - version: '%s'
                        build_date: 2026-11-01
                        url: http://127.0.0.1:1/%s.qcow2
                        checksum: sha256:%s
                """.formatted(name, version, version, String.valueOf(digit).repeat(64));
    }

    static String file(String... images) {
        return "---\nimages:\n" + String.join("", images);
    }

    @Override
    public void close() {
        contexts.forEach(ApplicationContext::close);
        definitions.close();
        events.close();
        work.close();
    }
}
