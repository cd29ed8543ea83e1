package org.imagemanager.definitions;

import io.micronaut.context.ApplicationContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.imagemanager.definitions.webhook.WebhookSignatures;
import org.imagemanager.event.DefinitionsPublished;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageEvent;
import org.imagemanager.testsupport.ServiceProcess;
import org.imagemanager.testsupport.TopicRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.imagemanager.definitions.DefinitionsServiceRun.file;
import static org.imagemanager.definitions.DefinitionsServiceRun.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A crash between reading a commit and committing its transaction, and two instances racing, publish nothing twice. */
class ExactlyOnceIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final DefinitionsServiceRun run = new DefinitionsServiceRun();
    private Process child;

    @AfterEach
    void close() {
        if (child != null) {
            child.destroyForcibly();
        }
        run.close();
    }

    @Test
    void aServiceKilledBeforeItsCommitLeavesNothingVisibleAndItsRestartPublishesEachChangeOnce() throws Exception {
        run.work.write("images.yml", file(image("Alpha", "1", 'a'), image("Beta", "1", 'b'), image("Gamma", "1", 'c')));
        run.work.commit("three images");
        run.work.push();

        // a real service process that stops between its last send and its commit, and is SIGKILLed there
        Path log = run.dir.resolve("killed-service.log");
        child = startServiceProcess(log, Map.of("image-manager.definitions.pause-before-commit", "120s"));
        ServiceProcess.awaitLine(log, "pausing", Duration.ofSeconds(60));
        child.destroyForcibly().waitFor();
        try (TopicRecords everything = new TopicRecords(run.bootstrap, run.topics.definitions(), false)) {
            assertEquals(3, everything.await(3, Duration.ofSeconds(10)).size(), "the killed transaction was written, not committed");
        }
        assertEquals(List.of(), run.newDefinitionRecords(), "nothing of it is visible to read_committed consumers");

        // restarted: it takes over the transactional id (aborting the open transaction) and publishes the commit
        ApplicationContext restarted = run.start();
        List<ConsumerRecord<String, String>> records = run.definitions.await(3, Duration.ofSeconds(60));
        assertEquals(List.of("Alpha=DefinitionChanged.v1", "Beta=DefinitionChanged.v1", "Gamma=DefinitionChanged.v1"),
                DefinitionsServiceRun.describe(records).stream().sorted().toList());
        DefinitionsServiceRun.sync(restarted); // a redelivered webhook, after the restart
        assertEquals(List.of(), run.newDefinitionRecords());
        assertEquals(1, published().size());
        try (TopicRecords everything = new TopicRecords(run.bootstrap, run.topics.definitions(), false)) {
            assertEquals(6, everything.await(6, Duration.ofSeconds(10)).size(), "aborted and committed copies, of which consumers see one");
        }
    }

    @Test
    void twoInstancesFedTheSameWebhooksPublishEachChangeOnce() throws Exception {
        ApplicationContext first = run.start();
        ApplicationContext second = run.start();
        List<String> urls = List.of(DefinitionsServiceRun.webhookUrl(first), DefinitionsServiceRun.webhookUrl(second));
        List<String> commits = new ArrayList<>();
        for (int round = 1; round <= 5; round++) {
            run.work.write("images.yml", file(image("Alpha", String.valueOf(round), (char) ('a' + round)),
                    image("Beta", "1", 'a')));
            if (round == 3) {
                run.work.write("more.yml", file(image("Gamma", "1", 'c')));
            }
            commits.add(run.work.commit("round " + round));
            run.work.push();
            byte[] body = ("{\"ref\":\"refs/heads/main\",\"after\":\"" + commits.getLast() + "\"}").getBytes(StandardCharsets.UTF_8);
            String signature = "sha256=" + WebhookSignatures.hmacSha256Hex(DefinitionsServiceRun.SECRET.getBytes(StandardCharsets.UTF_8), body);
            // the same delivery to both, at the same moment, twice (senders retry)
            List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
            for (int copy = 0; copy < 2; copy++) {
                for (String url : urls) {
                    calls.add(HTTP.sendAsync(HttpRequest.newBuilder(URI.create(url)).header("X-Image-Manager-Signature", signature)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString()));
                }
            }
            for (CompletableFuture<HttpResponse<String>> call : calls) {
                assertEquals(202, call.get().statusCode());
            }
            // both have finished with this push before the next one
            DefinitionsServiceRun.sync(first);
            DefinitionsServiceRun.sync(second);
        }
        List<String> records = run.newDefinitionRecords();
        List<String> expected = new ArrayList<>(List.of("Alpha=DefinitionChanged.v1", "Beta=DefinitionChanged.v1")); // round 1
        for (int round = 2; round <= 5; round++) {
            expected.add("Alpha=DefinitionChanged.v1");
        }
        expected.add("Gamma=DefinitionChanged.v1");
        assertEquals(expected.stream().sorted().toList(), records.stream().sorted().toList());
        List<String> publishedCommits = published().stream().map(DefinitionsPublished::commit).toList();
        assertEquals(commits, publishedCommits, "one publication per commit, in order");
    }

    private List<DefinitionsPublished> published() {
        return run.events.next().stream().map(r -> EventJson.decode(r.value(), ImageEvent.class))
                .filter(DefinitionsPublished.class::isInstance).map(DefinitionsPublished.class::cast).toList();
    }

    private Process startServiceProcess(Path log, Map<String, String> overrides) {
        Map<String, Object> properties = new java.util.HashMap<>(run.properties());
        properties.put("image-manager.definitions.work-dir", run.dir.resolve("child").toString());
        properties.putAll(overrides);
        return ServiceProcess.start(DefinitionsServiceMain.class, properties, log);
    }
}
