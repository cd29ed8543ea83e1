package org.imagemanager.definitions.operations;

import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import org.imagemanager.definitions.publish.DefinitionsSync;
import org.imagemanager.definitions.publish.PublishedView;
import org.imagemanager.definitions.publish.RepositoryState;
import org.imagemanager.event.EventJson;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Operations endpoints: {@code GET /state} (per repository: the published commit, its time, the number of images,
 * the last rejection and the last error), and {@code POST /republish}, which writes every definition in force again
 * for a consumer that starts from scratch. Republishing needs the admin token ({@code Authorization: Bearer …}, from
 * {@code image-manager.definitions.admin-token-file}); without one configured it is refused. {@code GET /health} is
 * the observability module's, which shows the repositories through {@link RepositoriesHealthCheck}.
 */
@Controller
public class OperationsController {
    private final DefinitionsSync sync;
    private final byte[] adminToken;

    public OperationsController(DefinitionsSync sync,
                                @Value("${image-manager.definitions.admin-token-file:}") String adminTokenFile) {
        this.sync = sync;
        this.adminToken = adminTokenFile.isBlank() ? null : read(Path.of(adminTokenFile));
    }

    @Get(uri = "/state", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> state() {
        PublishedView view = sync.view();
        Map<String, String> errors = sync.lastErrors();
        List<Map<String, Object>> repositories = sync.repositories().stream().map(settings -> {
            RepositoryState state = view.repository(settings.name());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("repository", settings.name());
            entry.put("location", settings.displayLocation());
            entry.put("branch", settings.branch());
            entry.put("commit", state.commit());
            entry.put("publishedAt", state.publishedAt() == null ? null : state.publishedAt().toString());
            entry.put("images", state.images());
            entry.put("lastRejection", state.rejection());
            entry.put("lastError", errors.get(settings.name()));
            return entry;
        }).toList();
        return json(HttpStatus.OK, Map.of("repositories", repositories, "definitions", view.definitions().size()));
    }

    @Post(uri = "/republish", produces = MediaType.APPLICATION_JSON)
    public HttpResponse<String> republish(HttpRequest<?> request) throws Exception {
        if (adminToken == null) {
            return json(HttpStatus.FORBIDDEN, Map.of("reason", "set image-manager.definitions.admin-token-file to allow this"));
        }
        String given = request.getHeaders().get(HttpHeaders.AUTHORIZATION);
        byte[] token = given != null && given.startsWith("Bearer ") ? given.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(adminToken, token)) {
            return json(HttpStatus.UNAUTHORIZED, Map.of("reason", "missing or wrong admin token"));
        }
        int count = sync.republishAll().get(2, TimeUnit.MINUTES);
        return json(HttpStatus.OK, Map.of("republished", count));
    }

    private static HttpResponse<String> json(HttpStatus status, Object body) {
        return HttpResponse.<String>status(status).contentType(MediaType.APPLICATION_JSON_TYPE).body(EventJson.encode(body));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readString(file).strip().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the admin token file " + file, e);
        }
    }
}
