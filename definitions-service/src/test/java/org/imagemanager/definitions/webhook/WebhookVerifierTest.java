package org.imagemanager.definitions.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.imagemanager.definitions.webhook.WebhookVerdict.Accepted;
import org.imagemanager.definitions.webhook.WebhookVerdict.Ignored;
import org.imagemanager.definitions.webhook.WebhookVerdict.Rejected;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WebhookVerifierTest {
    private static final String SECRET = "9f2c6e1a-webhook-secret-77b4";
    private static final String BRANCH = "main";
    private static final String ZERO_COMMIT = "0".repeat(40);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final byte[] GITHUB_PUSH = resource("github-push.json");
    private static final byte[] GITHUB_PING = resource("github-ping.json");
    private static final byte[] GITLAB_PUSH = resource("gitlab-push.json");
    private static final byte[] GITEA_PUSH = resource("gitea-push.json");

    private final WebhookVerifier verifier = new WebhookVerifier(SECRET);

    private static byte[] resource(String name) {
        try (InputStream in = WebhookVerifierTest.class.getResourceAsStream("/webhooks/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sign(byte[] body) {
        return WebhookSignatures.hmacSha256Hex(SECRET.getBytes(UTF_8), body);
    }

    /** The payload with some top-level fields replaced (a null value removes the field). */
    private static byte[] with(byte[] payload, String... fieldsAndValues) {
        try {
            ObjectNode tree = (ObjectNode) JSON.readTree(payload);
            for (int i = 0; i < fieldsAndValues.length; i += 2) {
                if (fieldsAndValues[i + 1] == null) {
                    tree.remove(fieldsAndValues[i]);
                } else {
                    tree.put(fieldsAndValues[i], fieldsAndValues[i + 1]);
                }
            }
            return JSON.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static WebhookRequest request(byte[] body, String... namesAndValues) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], List.of(namesAndValues[i + 1]));
        }
        return new WebhookRequest(headers, body);
    }

    private static WebhookRequest github(String event, byte[] body) {
        return request(body, "X-GitHub-Event", event, "X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958",
                "X-Hub-Signature-256", "sha256=" + sign(body), "Content-Type", "application/json");
    }

    private static WebhookRequest gitlab(String event, byte[] body, String token) {
        return request(body, "X-Gitlab-Event", event, "X-Gitlab-Token", token, "X-Gitlab-Instance", "https://gitlab.example.org");
    }

    /** As Gitea 1.2x sends it: its own headers, Gogs' and GitHub's. */
    private static WebhookRequest gitea(String event, byte[] body) {
        String signature = sign(body);
        return request(body, "X-Gitea-Event", event, "X-Gitea-Event-Type", event, "X-Gitea-Signature", signature,
                "X-Gogs-Event", event, "X-Gogs-Signature", signature,
                "X-GitHub-Event", event, "X-Hub-Signature-256", "sha256=" + signature);
    }

    private static WebhookRequest generic(byte[] body) {
        return request(body, "X-Image-Manager-Signature", "sha256=" + sign(body));
    }

    /** Verifies for {@link #BRANCH}, and checks on every verdict that no secret or signature shows in its reason. */
    private WebhookVerdict verify(WebhookRequest request) {
        WebhookVerdict verdict = verifier.verify(request, BRANCH);
        String reason = switch (verdict) {
            case Accepted accepted -> "";
            case Ignored ignored -> ignored.reason();
            case Rejected rejected -> rejected.reason();
        };
        assertFalse(reason.contains(SECRET), reason);
        request.headers().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.contains("signature") || lower.contains("token")) {
                values.stream().filter(value -> !value.isEmpty()).forEach(value -> assertFalse(reason.contains(value), reason));
            }
        });
        return verdict;
    }

    private static void assertRejected(int status, WebhookVerdict verdict) {
        assertEquals(status, assertInstanceOf(Rejected.class, verdict).status(), verdict::toString);
    }

    private static Ignored assertIgnored(GitProvider provider, WebhookVerdict verdict) {
        Ignored ignored = assertInstanceOf(Ignored.class, verdict);
        assertEquals(provider, ignored.provider());
        return ignored;
    }

    @Nested
    class GitHub {
        @Test
        void signedPushToTheBranchIsAccepted() {
            assertEquals(new Accepted(GitProvider.GITHUB, "refs/heads/main", "main", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"),
                    verify(github("push", GITHUB_PUSH)));
        }

        @Test
        void theBranchMayBeConfiguredAsAFullRef() {
            assertEquals(new Accepted(GitProvider.GITHUB, "refs/heads/main", "main", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"),
                    verifier.verify(github("push", GITHUB_PUSH), "refs/heads/main"));
        }

        @Test
        void headerNamesAreMatchedInAnyCase() {
            // HTTP/2 sends all names in lower case.
            WebhookRequest request = request(GITHUB_PUSH, "x-github-event", "push", "x-hub-signature-256", "sha256=" + sign(GITHUB_PUSH));
            assertInstanceOf(Accepted.class, verify(request));
            WebhookRequest shouting = request(GITHUB_PUSH, "X-GITHUB-EVENT", "push", "X-HUB-SIGNATURE-256", "sha256=" + sign(GITHUB_PUSH));
            assertInstanceOf(Accepted.class, verify(shouting));
        }

        @Test
        void upperCaseHexIsTheSameSignature() {
            String signature = "sha256=" + sign(GITHUB_PUSH).toUpperCase(Locale.ROOT);
            assertInstanceOf(Accepted.class, verify(request(GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", signature)));
        }

        @Test
        void missingSignatureIsRejected() {
            assertRejected(401, verify(request(GITHUB_PUSH, "X-GitHub-Event", "push")));
        }

        @Test
        void forgedSignatureIsRejected() {
            String forged = "sha256=" + "ab".repeat(32);
            WebhookVerdict verdict = verify(request(GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", forged));
            assertRejected(401, verdict);
            assertFalse(((Rejected) verdict).reason().contains("ab".repeat(32)));
        }

        @Test
        void malformedSignaturesAreRejected() {
            for (String signature : List.of("", "sha256=", "sha256=xyz", "sha256=abc", sign(GITHUB_PUSH),
                    "sha1=" + sign(GITHUB_PUSH), "sha256=" + sign(GITHUB_PUSH).substring(2))) {
                assertRejected(401, verify(request(GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", signature)));
            }
        }

        @Test
        void signatureWithAnotherSecretIsRejected() {
            String signature = "sha256=" + WebhookSignatures.hmacSha256Hex("another-secret".getBytes(UTF_8), GITHUB_PUSH);
            assertRejected(401, verify(request(GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", signature)));
        }

        @Test
        void signatureOfAnotherBodyIsRejected() {
            byte[] tampered = with(GITHUB_PUSH, "after", "1111111111111111111111111111111111111111");
            String signatureOfOriginal = "sha256=" + sign(GITHUB_PUSH);
            assertRejected(401, verify(request(tampered, "X-GitHub-Event", "push", "X-Hub-Signature-256", signatureOfOriginal)));
        }

        @Test
        void legacySha1SignatureAloneIsRejected() {
            // A valid SHA-1 HMAC: still not enough.
            String sha1 = "sha1=" + hmacSha1Hex(GITHUB_PUSH);
            WebhookVerdict verdict = verify(request(GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature", sha1));
            assertRejected(401, verdict);
            assertTrue(((Rejected) verdict).reason().contains("SHA-1"), verdict::toString);
        }

        @Test
        void pushToAnotherBranchIsIgnored() {
            Ignored ignored = assertIgnored(GitProvider.GITHUB, verify(github("push", with(GITHUB_PUSH, "ref", "refs/heads/feature/rocky-10"))));
            assertTrue(ignored.reason().contains("refs/heads/feature/rocky-10"), ignored::toString);
        }

        @Test
        void branchWhoseNameOnlyStartsLikeTheConfiguredOneIsIgnored() {
            assertIgnored(GitProvider.GITHUB, verify(github("push", with(GITHUB_PUSH, "ref", "refs/heads/main-old"))));
        }

        @Test
        void tagPushIsIgnored() {
            assertIgnored(GitProvider.GITHUB, verify(github("push", with(GITHUB_PUSH, "ref", "refs/tags/main", "base_ref", "refs/heads/main"))));
        }

        @Test
        void branchDeletionIsIgnored() {
            Ignored ignored = assertIgnored(GitProvider.GITHUB, verify(github("push", with(GITHUB_PUSH, "after", ZERO_COMMIT))));
            assertTrue(ignored.reason().contains("deletion"), ignored::toString);
        }

        @Test
        void pingIsIgnored() {
            Ignored ignored = assertIgnored(GitProvider.GITHUB, verify(github("ping", GITHUB_PING)));
            assertTrue(ignored.reason().contains("ping"), ignored::toString);
        }

        @Test
        void unsignedPingIsRejected() {
            assertRejected(401, verify(request(GITHUB_PING, "X-GitHub-Event", "ping")));
        }

        @Test
        void otherEventsAreIgnored() {
            assertIgnored(GitProvider.GITHUB, verify(github("pull_request", GITHUB_PUSH)));
        }

        @Test
        void signedBodyThatIsNotJsonIsABadRequest() {
            byte[] body = "payload=%7B%22ref%22%3A%22refs%2Fheads%2Fmain%22%7D".getBytes(UTF_8); // form-encoded
            assertRejected(400, verify(github("push", body)));
        }

        @Test
        void signedPushWithoutRefIsABadRequest() {
            assertRejected(400, verify(github("push", with(GITHUB_PUSH, "ref", null))));
        }

        @Test
        void unsignedGarbageIsUnauthorizedNotABadRequest() {
            // Nothing of an unauthenticated body is looked at.
            assertRejected(401, verify(request("not json".getBytes(UTF_8), "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=00")));
        }
    }

    @Nested
    class GitLab {
        @Test
        void pushWithTheRightTokenIsAccepted() {
            assertEquals(new Accepted(GitProvider.GITLAB, "refs/heads/main", "main", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7"),
                    verify(gitlab("Push Hook", GITLAB_PUSH, SECRET)));
        }

        @Test
        void wrongTokenIsRejected() {
            assertRejected(401, verify(gitlab("Push Hook", GITLAB_PUSH, "guessed-token")));
            assertRejected(401, verify(gitlab("Push Hook", GITLAB_PUSH, SECRET + " ")));
            assertRejected(401, verify(gitlab("Push Hook", GITLAB_PUSH, SECRET.substring(1))));
        }

        @Test
        void missingTokenIsRejected() {
            assertRejected(401, verify(request(GITLAB_PUSH, "X-Gitlab-Event", "Push Hook")));
        }

        @Test
        void aSignatureInsteadOfTheTokenIsRejected() {
            assertRejected(401, verify(request(GITLAB_PUSH, "X-Gitlab-Event", "Push Hook", "X-Hub-Signature-256", "sha256=" + sign(GITLAB_PUSH))));
        }

        @Test
        void tagPushHookIsIgnored() {
            byte[] tagPush = with(GITLAB_PUSH, "object_kind", "tag_push", "event_name", "tag_push", "ref", "refs/tags/2024.05");
            assertIgnored(GitProvider.GITLAB, verify(gitlab("Tag Push Hook", tagPush, SECRET)));
        }

        @Test
        void otherEventsAreIgnored() {
            assertIgnored(GitProvider.GITLAB, verify(gitlab("Merge Request Hook", "{\"object_kind\":\"merge_request\"}".getBytes(UTF_8), SECRET)));
        }

        @Test
        void pushToAnotherBranchIsIgnored() {
            assertIgnored(GitProvider.GITLAB, verify(gitlab("Push Hook", with(GITLAB_PUSH, "ref", "refs/heads/develop"), SECRET)));
        }

        @Test
        void branchDeletionIsIgnored() {
            byte[] deletion = with(GITLAB_PUSH, "after", ZERO_COMMIT, "checkout_sha", null);
            assertIgnored(GitProvider.GITLAB, verify(gitlab("Push Hook", deletion, SECRET)));
        }

        @Test
        void bodyThatIsNotJsonIsABadRequest() {
            assertRejected(400, verify(gitlab("Push Hook", "<html>".getBytes(UTF_8), SECRET)));
        }
    }

    @Nested
    class Gitea {
        @Test
        void signedPushIsAccepted() {
            assertEquals(new Accepted(GitProvider.GITEA, "refs/heads/main", "main", "bffeb74224043ba2feb48d137756c8a9331c449a"),
                    verify(gitea("push", GITEA_PUSH)));
        }

        @Test
        void giteaSignatureAloneIsEnough() {
            WebhookRequest request = request(GITEA_PUSH, "X-Gitea-Event", "push", "X-Gitea-Signature", sign(GITEA_PUSH));
            assertEquals(GitProvider.GITEA, assertInstanceOf(Accepted.class, verify(request)).provider());
        }

        @Test
        void forgejoHeadersAreGitea() {
            WebhookRequest request = request(GITEA_PUSH, "X-Forgejo-Event", "push", "X-Forgejo-Signature", sign(GITEA_PUSH));
            assertEquals(GitProvider.GITEA, assertInstanceOf(Accepted.class, verify(request)).provider());
        }

        @Test
        void gitHubStyleSignatureIsAcceptedFromGitea() {
            WebhookRequest request = request(GITEA_PUSH, "X-Gitea-Event", "push", "X-GitHub-Event", "push",
                    "X-Hub-Signature-256", "sha256=" + sign(GITEA_PUSH));
            assertEquals(GitProvider.GITEA, assertInstanceOf(Accepted.class, verify(request)).provider());
        }

        @Test
        void giteaSignatureWithAPrefixIsRejected() {
            WebhookRequest request = request(GITEA_PUSH, "X-Gitea-Event", "push", "X-Gitea-Signature", "sha256=" + sign(GITEA_PUSH));
            assertRejected(401, verify(request));
        }

        @Test
        void missingSignatureIsRejected() {
            // Gitea's own headers decide the provider, so a bare X-GitHub-Event does not lead to GitHub's rules.
            assertRejected(401, verify(request(GITEA_PUSH, "X-Gitea-Event", "push", "X-GitHub-Event", "push")));
        }

        @Test
        void forgedSignatureIsRejected() {
            assertRejected(401, verify(request(GITEA_PUSH, "X-Gitea-Event", "push", "X-Gitea-Signature", "0".repeat(64))));
        }

        @Test
        void signatureOfAnotherBodyIsRejected() {
            byte[] tampered = with(GITEA_PUSH, "ref", "refs/heads/main ");
            assertRejected(401, verify(request(tampered, "X-Gitea-Event", "push", "X-Gitea-Signature", sign(GITEA_PUSH))));
        }

        @Test
        void tagPushIsIgnored() {
            assertIgnored(GitProvider.GITEA, verify(gitea("push", with(GITEA_PUSH, "ref", "refs/tags/v3"))));
        }

        @Test
        void branchDeletionIsIgnored() {
            assertIgnored(GitProvider.GITEA, verify(gitea("push", with(GITEA_PUSH, "after", ZERO_COMMIT))));
        }

        @Test
        void otherEventsAreIgnored() {
            assertIgnored(GitProvider.GITEA, verify(gitea("create", "{\"ref\":\"v3\",\"ref_type\":\"tag\"}".getBytes(UTF_8))));
        }
    }

    @Nested
    class Generic {
        @Test
        void signedPushIsAccepted() {
            byte[] body = "{\"ref\":\"refs/heads/main\",\"after\":\"4b825dc642cb6eb9a060e54bf8d69288fbee4904\"}".getBytes(UTF_8);
            assertEquals(new Accepted(GitProvider.GENERIC, "refs/heads/main", "main", "4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
                    verify(generic(body)));
        }

        @Test
        void withoutRefItIsAPushToTheConfiguredBranch() {
            assertEquals(new Accepted(GitProvider.GENERIC, "refs/heads/main", "main", null), verify(generic("{}".getBytes(UTF_8))));
        }

        @Test
        void missingSignatureIsRejected() {
            assertRejected(401, verify(request("{}".getBytes(UTF_8))));
        }

        @Test
        void signatureWithoutPrefixIsRejected() {
            byte[] body = "{}".getBytes(UTF_8);
            assertRejected(401, verify(request(body, "X-Image-Manager-Signature", sign(body))));
        }

        @Test
        void pushToAnotherBranchIsIgnored() {
            assertIgnored(GitProvider.GENERIC, verify(generic("{\"ref\":\"refs/heads/staging\"}".getBytes(UTF_8))));
        }

        @Test
        void bodiesThatAreNotAJsonObjectAreBadRequests() {
            for (String body : List.of("", "ref=refs/heads/main", "[]", "\"refs/heads/main\"", "{} {}", "{\"ref\":")) {
                assertRejected(400, verify(generic(body.getBytes(UTF_8))));
            }
        }

        @Test
        void refThatIsNotAStringIsABadRequest() {
            assertRejected(400, verify(generic("{\"ref\":42}".getBytes(UTF_8))));
        }
    }

    @Nested
    class AnyProvider {
        @Test
        void reasonsNeverContainTheSecret() {
            // verify() checks every reason; these are the cases most likely to echo what they compare.
            List<WebhookRequest> requests = List.of(
                    gitlab("Push Hook", GITLAB_PUSH, SECRET.toUpperCase(Locale.ROOT)),
                    request(GITHUB_PUSH, "X-GitHub-Event", "push", "X-Hub-Signature-256", "sha256=" + SECRET),
                    request(GITEA_PUSH, "X-Gitea-Event", "push", "X-Gitea-Signature", SECRET),
                    request(SECRET.getBytes(UTF_8), "X-Image-Manager-Signature", "sha256=" + sign(SECRET.getBytes(UTF_8))));
            for (WebhookRequest request : requests) {
                assertInstanceOf(Rejected.class, verify(request));
            }
        }

        @Test
        void aBinarySecretWorksLikeItsString() {
            WebhookVerifier bytes = new WebhookVerifier(SECRET.getBytes(UTF_8));
            assertInstanceOf(Accepted.class, bytes.verify(github("push", GITHUB_PUSH), BRANCH));
        }

        @Test
        void anEmptySecretIsRefused() {
            assertThrows(IllegalArgumentException.class, () -> new WebhookVerifier(""));
        }

        @Test
        void aBranchIsRequired() {
            assertThrows(IllegalArgumentException.class, () -> verifier.verify(github("push", GITHUB_PUSH), " "));
        }
    }

    private static String hmacSha1Hex(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(SECRET.getBytes(UTF_8), "HmacSHA1"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
