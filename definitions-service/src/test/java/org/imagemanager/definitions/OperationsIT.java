package org.imagemanager.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.imagemanager.definitions.publish.DefinitionsSync;
import org.imagemanager.testsupport.GitHttpServer;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.imagemanager.definitions.DefinitionsServiceRun.file;
import static org.imagemanager.definitions.DefinitionsServiceRun.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The state, health, metrics and republish endpoints, and a remote that needs credentials. */
class OperationsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void stateHealthAndRepublishTellAndDoWhatTheyPromise() throws Exception {
        try (DefinitionsServiceRun run = new DefinitionsServiceRun()) {
            Path token = run.dir.resolve("admin-token");
            Files.writeString(token, "let-me-republish\n");
            ApplicationContext service = run.start(Map.of("image-manager.definitions.admin-token-file", token.toString()));
            run.work.write("images.yml", file(image("Alpha", "1", 'a'), image("Beta", "1", 'b')));
            String valid = run.work.commit("valid");
            run.work.push();
            DefinitionsServiceRun.sync(service);
            run.work.write("images.yml", file(image("Alpha", "1", 'a').replace("visibility: private", "visibility: everyone")));
            String broken = run.work.commit("broken");
            run.work.push();
            DefinitionsServiceRun.sync(service);

            JsonNode state = get(service, "/state");
            JsonNode ops = state.get("repositories").get(0);
            assertEquals("ops", ops.get("repository").asText());
            assertEquals(valid, ops.get("commit").asText());
            assertEquals(2, ops.get("images").asInt());
            assertFalse(ops.get("publishedAt").isNull());
            assertEquals(broken, ops.get("lastRejection").get("commit").asText());
            assertTrue(ops.get("lastRejection").get("errors").get(0).get("field").asText().contains("visibility"),
                    ops.toString());
            assertEquals("UP", get(service, "/health").get("status").asText());
            String metrics = text(service, "/metrics");
            assertTrue(metrics.contains("\nimage_manager_definitions_published_total{repository=\"ops\"} 1"), metrics);
            assertTrue(metrics.contains("\nimage_manager_definitions_rejected_total{repository=\"ops\"} 1"), metrics);

            run.definitions.next();
            assertEquals(401, post(service, "/republish", "wrong").statusCode());
            assertEquals(List.of(), run.newDefinitionRecords());
            HttpResponse<String> republished = post(service, "/republish", "let-me-republish");
            assertEquals(200, republished.statusCode(), republished.body());
            assertEquals(2, JSON.readTree(republished.body()).get("republished").asInt());
            assertEquals(List.of("Alpha=DefinitionChanged.v1", "Beta=DefinitionChanged.v1"), run.newDefinitionRecords().stream().sorted().toList());
        }
    }

    @Test
    void aRemoteThatNeedsATokenIsReadWithItAndTheTokenNeverShows() throws Exception {
        String token = "glpat-s3cr3t-t0ken-value";
        try (GitHttpServer git = GitHttpServer.start(Files.createTempDirectory("git-auth")).requireBasicAuth("ci", token);
             DefinitionsServiceRun run = new DefinitionsServiceRun(git, "ci", token)) {
            Path tokenFile = run.dir.resolve("token");
            Files.writeString(tokenFile, token + "\n");
            Path wrongFile = run.dir.resolve("wrong-token");
            Files.writeString(wrongFile, "not-the-token\n");
            run.work.write("images.yml", file(image("Alpha", "1", 'a')));
            run.work.commit("alpha");
            run.work.push();

            ApplicationContext wrong = run.start(Map.of("image-manager.definitions.repositories.ops.password-file", wrongFile.toString()));
            ExecutionException failed = assertThrows(ExecutionException.class,
                    () -> wrong.getBean(DefinitionsSync.class).request("ops").get(60, TimeUnit.SECONDS));
            assertFalse(failed.getCause().getMessage().contains("not-the-token"), failed.getCause().getMessage());
            JsonNode state = get(wrong, "/state").get("repositories").get(0);
            assertFalse(state.get("lastError").isNull());
            assertFalse(state.toString().contains("not-the-token"), state.toString());
            JsonNode health = get(wrong, "/health");
            assertEquals("UP", health.get("status").asText(), "a remote that refuses us is reported, not fatal");
            assertFalse(health.at("/checks/repositories/details/errors/ops").asText().isBlank(), health.toString());
            assertFalse(health.toString().contains("not-the-token"), health.toString());
            wrong.close();

            ApplicationContext right = run.start(Map.of(
                    "image-manager.definitions.repositories.ops.username", "ci",
                    "image-manager.definitions.repositories.ops.password-file", tokenFile.toString()));
            DefinitionsServiceRun.sync(right); // (or the poll at its start already did)
            assertEquals(List.of("Alpha=DefinitionChanged.v1"), run.newDefinitionRecords());
        }
    }

    private static JsonNode get(ApplicationContext service, String path) throws Exception {
        return JSON.readTree(text(service, path));
    }

    private static String text(ApplicationContext service, String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
                service.getBean(EmbeddedServer.class).getURL() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    private static HttpResponse<String> post(ApplicationContext service, String path, String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.getBean(EmbeddedServer.class).getURL() + path))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }
}
