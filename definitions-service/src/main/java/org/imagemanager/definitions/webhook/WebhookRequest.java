package org.imagemanager.definitions.webhook;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A webhook call as received: its headers and its raw body. The body stays bytes because signatures are computed
 * over exactly what was sent; re-encoding a parsed body would break them.
 *
 * @param headers header names (any case) to their values; names differing only in case are merged
 * @param body    the raw request body
 */
public record WebhookRequest(Map<String, List<String>> headers, byte[] body) {

    public WebhookRequest {
        // HTTP header names are case-insensitive, and proxies and frameworks do not agree on a spelling.
        Map<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> byName.computeIfAbsent(Objects.requireNonNull(name, "header name"),
                n -> new ArrayList<>()).addAll(values));
        byName.replaceAll((name, values) -> List.copyOf(values));
        headers = Collections.unmodifiableMap(byName);
        body = body.clone();
    }

    /** A copy: the body is what signatures were checked against, so nobody may change it afterwards. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    /** The first value of a header, whatever the case of {@code name}. */
    public Optional<String> header(String name) {
        List<String> values = headers.getOrDefault(name, List.of());
        return values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }
}
