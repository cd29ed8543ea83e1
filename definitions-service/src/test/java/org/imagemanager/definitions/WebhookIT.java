package org.imagemanager.definitions;

import io.micronaut.context.ApplicationContext;
import org.imagemanager.definitions.webhook.WebhookSignatures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.imagemanager.definitions.DefinitionsServiceRun.SECRET;
import static org.imagemanager.definitions.DefinitionsServiceRun.file;
import static org.imagemanager.definitions.DefinitionsServiceRun.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Push webhooks as GitHub, GitLab and Gitea send them, against the running service: a signed push to the branch
 * publishes within two seconds; everything else gets its documented answer and publishes nothing.
 */
class WebhookIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final DefinitionsServiceRun run = new DefinitionsServiceRun();
    private String webhook;
    private String head;

    @BeforeEach
    void start() throws Exception {
        ApplicationContext service = run.start();
        run.work.write("images.yml", file(image("Alpha", "1", 'a')));
        run.work.commit("alpha");
        run.work.push();
        DefinitionsServiceRun.sync(service);
        assertEquals(List.of("Alpha=DefinitionChanged.v1"), run.newDefinitionRecords());
        webhook = DefinitionsServiceRun.webhookUrl(service);
        // the next push, which each test announces (or not) with its webhook
        run.work.write("images.yml", file(image("Alpha", "2", 'b')));
        head = run.work.commit("alpha 2");
        run.work.push();
    }

    @AfterEach
    void close() {
        run.close();
    }

    @Test
    void aSignedGitHubPushPublishesWithinTwoSeconds() throws Exception {
        byte[] body = payload("github-push.json");
        HttpResponse<String> response = post(body, Map.of("X-GitHub-Event", "push", "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                "X-Hub-Signature-256", "sha256=" + sign(SECRET, body)));
        assertEquals(202, response.statusCode(), response.body());
        assertPublishedWithinTwoSeconds();
    }

    @Test
    void aGitLabPushWithTheRightTokenPublishesWithinTwoSeconds() throws Exception {
        HttpResponse<String> response = post(payload("gitlab-push.json"), Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", SECRET));
        assertEquals(202, response.statusCode(), response.body());
        assertPublishedWithinTwoSeconds();
    }

    @Test
    void aSignedGiteaPushPublishesWithinTwoSeconds() throws Exception {
        byte[] body = payload("gitea-push.json");
        HttpResponse<String> response = post(body, Map.of("X-Gitea-Event", "push", "X-Gitea-Delivery", "1",
                "X-Gitea-Signature", sign(SECRET, body)));
        assertEquals(202, response.statusCode(), response.body());
        assertPublishedWithinTwoSeconds();
    }

    @Test
    void aSignedGenericCallPublishesWithinTwoSeconds() throws Exception {
        byte[] body = "{\"ref\":\"refs/heads/main\"}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> response = post(body, Map.of("X-Image-Manager-Signature", "sha256=" + sign(SECRET, body)));
        assertEquals(202, response.statusCode(), response.body());
        assertPublishedWithinTwoSeconds();
    }

    @Test
    void forgedUnsignedWrongSecretOtherBranchAndOversizedCallsPublishNothing() throws Exception {
        byte[] body = payload("github-push.json");
        byte[] otherBranch = new String(body, StandardCharsets.UTF_8).replace("\"refs/heads/main\"", "\"refs/heads/feature\"")
                .getBytes(StandardCharsets.UTF_8);
        byte[] oversized = new byte[2 << 20];
        java.util.Arrays.fill(oversized, (byte) ' ');
        record Call(String what, byte[] body, Map<String, String> headers, int status) {
        }
        List<Call> calls = List.of(
                new Call("forged", body, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + "0".repeat(64)), 401),
                new Call("unsigned", body, Map.of("X-GitHub-Event", "push"), 401),
                new Call("wrong secret", body, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + sign("guess", body)), 401),
                new Call("wrong GitLab token", payload("gitlab-push.json"), Map.of("X-Gitlab-Event", "Push Hook", "X-Gitlab-Token", "guess"), 401),
                new Call("signed over another body", body, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + sign(SECRET, otherBranch)), 401),
                new Call("other branch", otherBranch, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + sign(SECRET, otherBranch)), 202),
                new Call("ping", payload("github-ping.json"), Map.of("X-GitHub-Event", "ping", "X-Hub-Signature-256", "sha256=" + sign(SECRET, payload("github-ping.json"))), 202),
                new Call("oversized", oversized, Map.of("X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + sign(SECRET, oversized)), 413));
        for (Call call : calls) {
            HttpResponse<String> response = post(call.body(), call.headers());
            assertEquals(call.status(), response.statusCode(), call.what() + ": " + response.body());
            assertFalse(response.body().contains(SECRET), call.what());
            if (call.status() == 202) {
                assertTrue(response.body().contains("\"ignored\""), call.what() + ": " + response.body());
            }
        }
        HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(URI.create(webhook + "-nope"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());

        Thread.sleep(2000); // as long as a valid call needs to publish
        assertEquals(List.of(), run.newDefinitionRecords());
        assertEquals(List.of(), run.events.next().stream().filter(r -> r.value().contains(head)).toList());
    }

    private void assertPublishedWithinTwoSeconds() {
        List<String> records = DefinitionsServiceRun.describe(run.definitions.await(1, Duration.ofSeconds(2)));
        assertEquals(Set.of("Alpha=DefinitionChanged.v1"), Set.copyOf(records), "within two seconds of the webhook");
    }

    private HttpResponse<String> post(byte[] body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(webhook))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String sign(String secret, byte[] body) {
        return WebhookSignatures.hmacSha256Hex(secret.getBytes(StandardCharsets.UTF_8), body);
    }

    private static byte[] payload(String name) throws IOException {
        try (InputStream in = WebhookIT.class.getResourceAsStream("/webhooks/" + name)) {
            return in.readAllBytes();
        }
    }
}
