package org.imagemanager.definitions.webhook;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.imagemanager.definitions.webhook.WebhookVerdict.Accepted;
import org.imagemanager.definitions.webhook.WebhookVerdict.Ignored;
import org.imagemanager.definitions.webhook.WebhookVerdict.Rejected;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Decides whether a push webhook from GitHub, GitLab, Gitea/Forgejo or a generic sender is authentic and concerns
 * the configured branch. No server here: a controller hands over the raw request and answers with the verdict.
 *
 * <p>Authentication always comes first; the body of an unauthenticated call is never parsed. Only the body is signed,
 * not the headers, so a replayed body could come with other headers: harmless, as the worst a verdict does is make
 * the definitions service read the repository again.
 *
 * <p>Thread-safe.
 */
public final class WebhookVerifier {
    private static final String BRANCH_PREFIX = "refs/heads/";
    private static final String TAG_PREFIX = "refs/tags/";
    private static final String SHA256_PREFIX = "sha256=";

    private static final List<SignatureHeader> GITHUB_SIGNATURES = List.of(new SignatureHeader("X-Hub-Signature-256", true));
    // Forgejo sends its own header and Gitea's; both (in recent versions) add GitHub's. Any valid one will do.
    private static final List<SignatureHeader> GITEA_SIGNATURES = List.of(
            new SignatureHeader("X-Forgejo-Signature", false),
            new SignatureHeader("X-Gitea-Signature", false),
            new SignatureHeader("X-Hub-Signature-256", true));
    private static final List<SignatureHeader> GENERIC_SIGNATURES = List.of(new SignatureHeader("X-Image-Manager-Signature", true));

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final byte[] secret;
    private final byte[] secretDigest;

    /** The secret as configured in the git server's webhook settings (UTF-8). */
    public WebhookVerifier(String secret) {
        this(secret.getBytes(StandardCharsets.UTF_8));
    }

    public WebhookVerifier(byte[] secret) {
        // An empty secret would make every signature computable by anyone (and HMAC keys cannot be empty).
        if (secret.length == 0) {
            throw new IllegalArgumentException("the webhook secret must not be empty");
        }
        this.secret = secret.clone();
        this.secretDigest = sha256(secret);
    }

    /**
     * @param branch the branch whose pushes matter, by name ({@code main}) or full ref ({@code refs/heads/main})
     */
    public WebhookVerdict verify(WebhookRequest request, String branch) {
        if (branch == null || branch.isBlank()) {
            throw new IllegalArgumentException("a branch is required");
        }
        String branchRef = branch.startsWith(BRANCH_PREFIX) ? branch : BRANCH_PREFIX + branch;
        byte[] body = request.body();
        GitProvider provider = provider(request);

        Optional<Rejected> unauthenticated = switch (provider) {
            case GITHUB -> checkSignature(request, body, GITHUB_SIGNATURES);
            case GITLAB -> checkGitlabToken(request);
            case GITEA -> checkSignature(request, body, GITEA_SIGNATURES);
            case GENERIC -> checkSignature(request, body, GENERIC_SIGNATURES);
        };
        if (unauthenticated.isPresent()) {
            return unauthenticated.get();
        }

        String event = switch (provider) {
            case GITHUB -> request.header("X-GitHub-Event").orElseThrow();
            case GITLAB -> request.header("X-Gitlab-Event").orElseThrow();
            case GITEA -> request.header("X-Forgejo-Event").or(() -> request.header("X-Gitea-Event")).orElseThrow();
            case GENERIC -> "push"; // a generic sender only ever means "something was pushed"
        };
        String pushEvent = provider == GitProvider.GITLAB ? "Push Hook" : "push";
        if (!event.equals(pushEvent)) {
            return new Ignored(provider, "event '" + event + "' is not a push");
        }
        return push(provider, body, branchRef);
    }

    private static GitProvider provider(WebhookRequest request) {
        // Gitea and Forgejo also send X-GitHub-Event for compatibility: their own headers must win.
        if (request.header("X-Forgejo-Event").isPresent() || request.header("X-Gitea-Event").isPresent()) {
            return GitProvider.GITEA;
        }
        if (request.header("X-Gitlab-Event").isPresent()) {
            return GitProvider.GITLAB;
        }
        if (request.header("X-GitHub-Event").isPresent()) {
            return GitProvider.GITHUB;
        }
        return GitProvider.GENERIC;
    }

    private Optional<Rejected> checkSignature(WebhookRequest request, byte[] body, List<SignatureHeader> accepted) {
        List<SignatureHeader> presented = accepted.stream().filter(h -> request.header(h.name()).isPresent()).toList();
        if (presented.isEmpty()) {
            String reason = "missing signature: expected " + names(accepted);
            if (request.header("X-Hub-Signature").isPresent()) {
                reason += " (the SHA-1 X-Hub-Signature is not accepted)";
            }
            return unauthorized(reason);
        }
        byte[] expected = WebhookSignatures.hmacSha256(secret, body);
        boolean valid = presented.stream().anyMatch(h -> h.matches(request.header(h.name()).orElseThrow(), expected));
        return valid ? Optional.empty() : unauthorized(names(presented) + " does not match the body");
    }

    /** GitLab sends the secret itself, not a signature. */
    private Optional<Rejected> checkGitlabToken(WebhookRequest request) {
        Optional<String> token = request.header("X-Gitlab-Token");
        if (token.isEmpty()) {
            return unauthorized("missing X-Gitlab-Token");
        }
        // Digests have a fixed length: the comparison's time tells nothing about the secret's length or content.
        boolean valid = MessageDigest.isEqual(secretDigest, sha256(token.get().getBytes(StandardCharsets.UTF_8)));
        return valid ? Optional.empty() : unauthorized("X-Gitlab-Token does not match");
    }

    private static WebhookVerdict push(GitProvider provider, byte[] body, String branchRef) {
        JsonNode payload;
        try {
            payload = JSON.readTree(body);
        } catch (IOException e) {
            // Not e.getMessage(): it quotes the body.
            return new Rejected(400, "body is not JSON");
        }
        if (payload == null || !payload.isObject()) {
            return new Rejected(400, "body is not a JSON object");
        }

        String ref;
        if (provider == GitProvider.GENERIC && !payload.hasNonNull("ref")) {
            ref = branchRef; // a generic sender need not know which branch we follow
        } else if (payload.path("ref").isTextual()) {
            ref = payload.path("ref").asText();
        } else {
            return new Rejected(400, "push without a ref");
        }
        String after = payload.path("after").isTextual() ? payload.path("after").asText() : null;

        if (ref.startsWith(TAG_PREFIX)) {
            return new Ignored(provider, "push of tag " + ref);
        }
        if (!ref.equals(branchRef)) {
            return new Ignored(provider, "push to " + ref + ", not " + branchRef);
        }
        if (after != null && isZeroCommit(after)) {
            return new Ignored(provider, "deletion of " + ref);
        }
        return new Accepted(provider, ref, ref.substring(BRANCH_PREFIX.length()), after);
    }

    /** Git servers report a deleted ref as pointing at the all-zero id (40 digits for SHA-1, 64 for SHA-256). */
    private static boolean isZeroCommit(String commit) {
        return !commit.isEmpty() && commit.chars().allMatch(c -> c == '0');
    }

    private static Optional<Rejected> unauthorized(String reason) {
        return Optional.of(new Rejected(401, reason));
    }

    private static String names(List<SignatureHeader> headers) {
        return headers.stream().map(SignatureHeader::name).collect(Collectors.joining(" or "));
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** A header carrying the hex HMAC-SHA256 of the body, bare or as {@code sha256=<hex>}. */
    private record SignatureHeader(String name, boolean prefixed) {
        boolean matches(String value, byte[] expected) {
            if (prefixed && !value.startsWith(SHA256_PREFIX)) {
                return false;
            }
            byte[] presented;
            try {
                presented = HexFormat.of().parseHex(prefixed ? value.substring(SHA256_PREFIX.length()) : value);
            } catch (IllegalArgumentException e) {
                return false;
            }
            // Bytes against bytes in constant time: no early exit for an attacker to measure.
            return MessageDigest.isEqual(expected, presented);
        }
    }
}
