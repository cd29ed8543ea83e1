package org.imagemanager.definitions.webhook;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WebhookSignaturesTest {
    @Test
    void matchesGitHubsDocumentedExample() {
        // https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries#testing-the-webhook-payload-validation
        assertEquals("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
                WebhookSignatures.hmacSha256Hex("It's a Secret to Everybody".getBytes(UTF_8), "Hello, World!".getBytes(UTF_8)));
    }

    @Test
    void matchesRfc4231TestCase2() {
        assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                WebhookSignatures.hmacSha256Hex("Jefe".getBytes(UTF_8), "what do ya want for nothing?".getBytes(UTF_8)));
    }
}
