package org.imagemanager.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.imagemanager.definitions.webhook.WebhookSignatures;
import org.imagemanager.testsupport.FileServer;
import org.imagemanager.testsupport.GitHttpServer;
import org.imagemanager.testsupport.GitWorkingCopy;
import org.imagemanager.testsupport.ProjectRoot;
import org.imagemanager.testsupport.TestImages;
import org.imagemanager.testsupport.TopicRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.imagemanager.app.LifecycleDefinitions.family;
import static org.imagemanager.app.LifecycleDefinitions.version;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline at work (a token-protected repository, a webhook, an import, a refused call) while every log
 * line, every record of every topic and the HTTP answers are collected; none may contain a secret.
 */
class SecretsIT {
    private static final Duration SETTLE = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void noSecretAppearsInLogsEventsOrAnswers() throws Exception {
        String gitToken = "glpat-T0ken-" + System.nanoTime();
        String webhookSecret = "hook-S3cret-" + System.nanoTime();
        List<String> secrets = new ArrayList<>(List.of(gitToken, webhookSecret));
        Path secretsDir = ProjectRoot.find().resolve(".dev-cloud/secrets");
        try (var files = Files.list(secretsDir)) {
            for (Path file : files.toList()) {
                secrets.add(Files.readString(file).strip()); // the clouds' passwords
            }
        }
        Path tokenFile = Files.writeString(dir.resolve("token"), gitToken + "\n");
        Path hookFile = Files.writeString(dir.resolve("hook"), webhookSecret + "\n");
        String sha = TestImages.sha256(TestImages.qcow2(dir, "v1.qcow2", 8));

        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger ours = (Logger) LoggerFactory.getLogger("org.imagemanager");
        Level rootLevel = root.getLevel();
        Level ourLevel = ours.getLevel();
        logs.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        logs.start();
        root.addAppender(logs);
        root.setLevel(Level.INFO);
        ours.setLevel(Level.DEBUG);
        List<String> answers = new ArrayList<>();
        try (FileServer server = FileServer.serve(dir);
             GitHttpServer git = GitHttpServer.start(Files.createDirectories(dir.resolve("served"))).requireBasicAuth("ci", gitToken);
             PipelineTestRun run = new PipelineTestRun()) {
            String url = git.createBareRepository("definitions");
            // the token also in the URL, as some operators write it: it must be cut from every message
            String urlWithToken = url.replace("http://", "http://ci:" + gitToken + "@");
            Pipeline pipeline = run.start(urlWithToken, "1h", Map.of(
                    "image-manager.definitions.password-file", tokenFile.toString(),
                    "image-manager.definitions.username", "ci",
                    "image-manager.definitions.webhook-secret-file", hookFile.toString(),
                    "micronaut.server.port", -1, "micronaut.server.host", "127.0.0.1"));
            String name = "Secretive " + run.id;
            try (GitWorkingCopy work = GitWorkingCopy.cloneOf(url, dir.resolve("work"), "ci", gitToken)) {
                work.write("images/s.yml", family(name, "private", false, version("1", server.url("v1.qcow2"), sha)));
                work.commit("add");
                work.push();
            }
            HttpClient http = HttpClient.newHttpClient();
            String webhook = pipeline.url().orElseThrow() + "/webhooks/default";
            byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
            for (String signingSecret : List.of("guess", webhookSecret)) {
                HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(webhook))
                        .header("X-Image-Manager-Signature", "sha256=" + WebhookSignatures.hmacSha256Hex(
                                signingSecret.getBytes(StandardCharsets.UTF_8), body))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
                answers.add(answer.statusCode() + " " + answer.body());
            }
            assertTrue(run.tracker.awaitSettled(List.of(run.cloud), List.of(name), SETTLE), "pipeline settled");
            assertEquals(1, run.managedImages().size());
            for (String path : List.of("/state", "/health")) {
                answers.add(http.send(HttpRequest.newBuilder(URI.create(pipeline.url().orElseThrow() + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
            }

            List<String> records = new ArrayList<>();
            for (String topic : List.of(run.topics.definitions(), run.topics.definitionsState(), run.topics.actions(), run.topics.events())) {
                try (TopicRecords all = new TopicRecords(run.bootstrap, topic, false)) {
                    all.next().stream().map(ConsumerRecord::value).filter(java.util.Objects::nonNull).forEach(records::add);
                }
            }
            assertTrue(records.size() > 5, "the pipeline wrote records: " + records.size());
            List<String> lines = logs.list.stream().map(e -> e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
            assertTrue(lines.size() > 10, "logs were captured: " + lines.size());
            for (String secret : secrets) {
                assertFalse(secret.isBlank());
                assertFalse(lines.stream().anyMatch(l -> l.contains(secret)),
                        "a secret in the logs: " + lines.stream().filter(l -> l.contains(secret)).findFirst().orElse(""));
                assertFalse(records.stream().anyMatch(r -> r.contains(secret)), "a secret in a record");
                assertFalse(answers.stream().anyMatch(a -> a.contains(secret)), "a secret in an HTTP answer");
            }
        } finally {
            root.detachAppender(logs);
            root.setLevel(rootLevel);
            ours.setLevel(ourLevel);
        }
    }
}
