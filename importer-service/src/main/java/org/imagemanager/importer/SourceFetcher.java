package org.imagemanager.importer;

import jakarta.inject.Singleton;
import org.imagemanager.event.FailureReason;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Opens an image source as a stream: {@code http(s):} (followed redirects) or {@code file:}. */
@Singleton
public class SourceFetcher {
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();

    public InputStream open(String url) throws SourceException {
        URI uri = URI.create(url);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        try {
            if (scheme.equals("file")) {
                return Files.newInputStream(Path.of(uri));
            }
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "unsupported URL scheme '" + scheme + "' in " + url);
            }
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new SourceException(FailureReason.SOURCE_HTTP_STATUS, "GET " + url + " answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (IOException e) {
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "cannot open " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "interrupted while opening " + url);
        }
    }

    /** A small text file (checksum files): read whole, bounded to 4 MiB. */
    public String text(String url) throws SourceException {
        try (InputStream in = open(url)) {
            byte[] bytes = in.readNBytes(4 * 1024 * 1024 + 1);
            if (bytes.length > 4 * 1024 * 1024) {
                throw new SourceException(FailureReason.SOURCE_HTTP_STATUS, url + " is too large for a checksum file");
            }
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "cannot read " + url + ": " + e);
        }
    }

    public static final class SourceException extends Exception {
        private final FailureReason reason;

        public SourceException(FailureReason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public FailureReason reason() {
            return reason;
        }
    }
}
