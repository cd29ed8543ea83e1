package org.imagemanager.app;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.imagemanager.kafka.TopicNames;
import org.imagemanager.kafka.TopicsInitializer;
import org.imagemanager.testsupport.SharedKafka;
import org.imagemanager.testsupport.TestGitRepository;
import org.imagemanager.testsupport.TopicRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.imagemanager.app.LifecycleDefinitions.family;
import static org.imagemanager.app.LifecycleDefinitions.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./image-manager republish} against a running definitions service. */
class RepublishCommandIT {
    @TempDir
    Path dir;

    @Test
    void republishWritesEveryDefinitionAgainAndAWrongTokenChangesNothing() throws Exception {
        String id = UUID.randomUUID().toString().substring(0, 8);
        TopicNames topics = new TopicNames("definitions-" + id, "actions-" + id, "events-" + id);
        String bootstrap = SharedKafka.bootstrapServers();
        TopicsInitializer.ensure(bootstrap, topics, 3, (short) 1);
        Path token = Files.writeString(dir.resolve("admin-token"), "republish-" + id + "\n");
        Path wrong = Files.writeString(dir.resolve("wrong-token"), "guess\n");
        try (TestGitRepository git = TestGitRepository.create(dir.resolve("repo"));
             TopicRecords definitions = new TopicRecords(bootstrap, topics.definitions(), true)) {
            git.commit("images/a.yml", family("Alpha " + id, "private", false,
                    version("1", "http://127.0.0.1:1/v1.qcow2", "a".repeat(64))), "alpha");
            Map<String, Object> properties = new HashMap<>(Map.of(
                    "kafka.bootstrap.servers", bootstrap,
                    "image-manager.topics.definitions", topics.definitions(),
                    "image-manager.topics.actions", topics.actions(),
                    "image-manager.topics.events", topics.events(),
                    "image-manager.definitions.repository", git.directory().toString(),
                    "image-manager.definitions.poll-interval", "1h",
                    "image-manager.definitions.admin-token-file", token.toString(),
                    "micronaut.server.port", -1,
                    "micronaut.metrics.binders.kafka.enabled", false));
            // the definitions service alone: this classpath holds every service
            properties.putAll(Map.of("image-manager.planner.enabled", false, "image-manager.importer.enabled", false,
                    "image-manager.rotator.enabled", false));
            try (ApplicationContext service = ApplicationContext.builder().deduceEnvironment(false).properties(properties).start()) {
                EmbeddedServer server = service.getBean(EmbeddedServer.class).start();
                assertEquals(1, definitions.await(1, Duration.ofSeconds(30)).size(), "published at start");

                Result refused = run("republish", "--service", server.getURL().toString(), "--admin-token-file", wrong.toString());
                assertEquals(ImageManager.EXIT_FAILED, refused.exitCode());
                assertTrue(refused.err().contains("401"), refused.err());

                Result done = run("republish", "--service", server.getURL().toString(), "--admin-token-file", token.toString());
                assertEquals(0, done.exitCode(), done.err());
                assertEquals("republished 1 definition(s)\n", done.out());
                assertEquals(1, definitions.await(1, Duration.ofSeconds(10)).size(), "written again, once");
            }
        }
    }

    private record Result(int exitCode, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = new CommandLine(new ImageManager()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }
}
