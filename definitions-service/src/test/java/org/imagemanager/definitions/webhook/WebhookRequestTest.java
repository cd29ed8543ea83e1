package org.imagemanager.definitions.webhook;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WebhookRequestTest {
    @Test
    void headersAreLookedUpInAnyCase() {
        WebhookRequest request = new WebhookRequest(Map.of("x-gitlab-token", List.of("t")), new byte[0]);
        assertEquals(Optional.of("t"), request.header("X-Gitlab-Token"));
        assertEquals(Optional.of("t"), request.header("X-GITLAB-TOKEN"));
        assertEquals(Optional.empty(), request.header("X-Gitlab-Event"));
    }

    @Test
    void namesDifferingOnlyInCaseAreOneHeader() {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("X-GitHub-Event", List.of("push"));
        headers.put("x-github-event", List.of("ping"));
        WebhookRequest request = new WebhookRequest(headers, new byte[0]);
        assertEquals(1, request.headers().size());
        assertEquals(2, request.headers().get("X-Github-Event").size());
    }

    @Test
    void aHeaderWithoutValuesIsAbsent() {
        assertEquals(Optional.empty(), new WebhookRequest(Map.of("X-Hub-Signature-256", List.of()), new byte[0]).header("X-Hub-Signature-256"));
    }

    @Test
    void theBodyCannotBeChangedAfterTheFact() {
        byte[] body = "{}".getBytes(UTF_8);
        WebhookRequest request = new WebhookRequest(Map.of(), body);
        body[0] = '[';
        request.body()[1] = ']';
        assertArrayEquals("{}".getBytes(UTF_8), request.body());
    }
}
