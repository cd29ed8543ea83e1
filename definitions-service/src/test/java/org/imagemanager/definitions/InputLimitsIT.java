package org.imagemanager.definitions;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import org.imagemanager.definition.DefinitionError;
import org.imagemanager.definitions.publish.SyncOutcome;
import org.imagemanager.event.DefinitionsRejected;
import org.imagemanager.event.EventJson;
import org.imagemanager.event.ImageEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.imagemanager.definitions.DefinitionsServiceRun.file;
import static org.imagemanager.definitions.DefinitionsServiceRun.image;
import static org.imagemanager.definitions.DefinitionsServiceRun.sync;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input the service must refuse fast, with file and line, while the last valid state stays published: a file that is
 * not UTF-8, and a 30 MB file (one huge string) that would once take minutes and gigabytes to be refused.
 */
class InputLimitsIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private final DefinitionsServiceRun run = new DefinitionsServiceRun();

    @AfterEach
    void close() {
        run.close();
    }

    @Test
    void invalidUtf8AndAThirtyMegabyteFileAreRejectedInSecondsAndThePublishedStateStays() throws Exception {
        ApplicationContext service = run.start();
        run.work.write("a.yml", file(image("Alpha", "1", 'a')));
        String valid = run.work.commit("valid");
        run.work.push();
        assertInstanceOf(SyncOutcome.Published.class, sync(service));
        run.definitions.next();
        run.events.next();

        // Latin-1 bytes in a file that is otherwise valid
        byte[] latin1 = file(image("Beta", "1", 'b')).replace("login: ", "login: J\u00fcrgen-")
                .getBytes(StandardCharsets.ISO_8859_1);
        Files.write(run.work.directory().resolve("b.yml"), latin1);
        DefinitionError encoding = rejectedAlone(service, run.work.commit("latin-1"), "b.yml");
        assertTrue(encoding.line() > 1 && encoding.message().contains("not valid UTF-8"), encoding.toString());

        // 30 MB: one huge string in a definition
        run.work.delete("b.yml");
        Path huge = run.work.directory().resolve("huge.yml");
        Files.writeString(huge, "images:\n  - name: Huge\n    login: '" + "x".repeat(30 * 1024 * 1024) + "'\n");
        DefinitionError size = rejectedAlone(service, run.work.commit("thirty megabytes"), "huge.yml");
        assertEquals(1, size.line(), size.toString());
        assertTrue(size.message().contains("30.0 MiB") && size.message().contains("at most"), size.toString());

        assertEquals(List.of(), run.newDefinitionRecords(), "a refused commit publishes no definition");
        String state = get(service, "/state");
        assertTrue(state.contains(valid), "the last valid commit stays the published one: " + state);
        assertTrue(get(service, "/health").contains("\"UP\""), "the service stays healthy");
    }

    /** Pushes the commit and syncs: it must be rejected within 2 s, naming only {@code file}; returns its first error. */
    private DefinitionError rejectedAlone(ApplicationContext service, String commit, String file) {
        run.work.push();
        long started = System.nanoTime();
        SyncOutcome.Rejected rejected = assertInstanceOf(SyncOutcome.Rejected.class, sync(service));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(commit, rejected.commit());
        assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, file + " took " + took.toMillis() + " ms to be refused");
        List<ImageEvent> events = run.events.next().stream().map(r -> EventJson.decode(r.value(), ImageEvent.class)).toList();
        DefinitionsRejected rejection = assertInstanceOf(DefinitionsRejected.class, events.getFirst());
        assertTrue(rejection.errors().stream().allMatch(e -> e.file().equals(file) && e.line() > 0), rejection.errors().toString());
        System.out.println(file + " refused in " + took.toMillis() + " ms: " + rejection.errors().getFirst());
        return rejection.errors().getFirst();
    }

    private static String get(ApplicationContext service, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(
                service.getBean(EmbeddedServer.class).getURL() + path)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
