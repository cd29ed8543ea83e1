package org.imagemanager.definitions.webhook;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import org.imagemanager.definitions.publish.DefinitionsSync;
import org.imagemanager.definitions.repository.RepositorySettings;
import org.imagemanager.event.EventJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /webhooks/{repository}}: push webhooks of GitHub, GitLab, Gitea/Forgejo or the generic form. The call
 * is answered at once (202) and the sync runs behind it; a sender never waits for a fetch.
 *
 * <table>
 *   <tr><td>202</td><td>a push to the branch: a sync is requested; or an event with nothing to do ({@code ignored})</td></tr>
 *   <tr><td>400</td><td>a signed body that is not a push payload</td></tr>
 *   <tr><td>401</td><td>unsigned, forged, or signed with another secret</td></tr>
 *   <tr><td>404</td><td>no such repository, or one without a webhook secret</td></tr>
 *   <tr><td>413</td><td>a body above {@code image-manager.definitions.webhook.max-body-bytes} (1 MiB)</td></tr>
 * </table>
 */
@Controller("/webhooks")
public class WebhookController {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookController.class);

    private final DefinitionsSync sync;
    private final int maxBodyBytes;

    public WebhookController(DefinitionsSync sync,
                             @Value("${image-manager.definitions.webhook.max-body-bytes:1048576}") int maxBodyBytes) {
        this.sync = sync;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Post(uri = "/{repository}", consumes = MediaType.ALL, produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> push(@PathVariable String repository, HttpRequest<?> request, @Body byte[] body) {
        RepositorySettings settings = sync.repositories().stream()
                .filter(r -> r.name().equals(repository) && r.webhookSecret() != null).findFirst().orElse(null);
        if (settings == null) {
            return answer(404, "unknown", "no repository '" + repository + "' with a webhook secret");
        }
        byte[] payload = body == null ? new byte[0] : body;
        if (payload.length > maxBodyBytes) {
            return answer(413, "rejected", "body larger than " + maxBodyBytes + " bytes");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.getHeaders().forEach((name, values) -> headers.put(name, new ArrayList<>(values)));
        WebhookVerdict verdict = new WebhookVerifier(settings.webhookSecret().value().getBytes(StandardCharsets.UTF_8))
                .verify(new WebhookRequest(headers, payload), settings.branch());
        return switch (verdict) {
            case WebhookVerdict.Accepted accepted -> {
                LOG.info("repository={}: {} push to {} ({}), sync requested", repository, accepted.provider(),
                        accepted.ref(), accepted.afterCommit());
                sync.request(repository);
                yield answer(202, "accepted", "sync of " + settings.branch() + " requested");
            }
            case WebhookVerdict.Ignored ignored -> answer(202, "ignored", ignored.reason());
            case WebhookVerdict.Rejected rejected -> {
                LOG.warn("repository={}: webhook rejected ({}): {}", repository, rejected.status(), rejected.reason());
                yield answer(rejected.status(), "rejected", rejected.reason());
            }
        };
    }

    private static HttpResponse<String> answer(int status, String outcome, String reason) {
        return HttpResponse.<String>status(io.micronaut.http.HttpStatus.valueOf(status))
                .contentType(MediaType.APPLICATION_JSON_TYPE)
                .body(EventJson.encode(Map.of("outcome", outcome, "reason", reason)));
    }
}
