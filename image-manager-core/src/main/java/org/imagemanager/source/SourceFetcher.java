package org.imagemanager.source;

import jakarta.inject.Singleton;
import org.imagemanager.event.FailureReason;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Opens an image source as a stream: {@code http(s):} (followed redirects) or {@code file:}. The certificates of https
 * sources are checked against the JDK's trust store, or as a cloud's {@code cacert}/{@code verify} say for the
 * images imported into that cloud ({@link org.imagemanager.cloud.Clouds#sources}).
 */
@Singleton
public class SourceFetcher implements AutoCloseable {
    private final HttpClient http;
    /** How certificates are checked, for the error that refuses one. */
    private final String trust;

    @jakarta.inject.Inject
    public SourceFetcher() {
        this(defaultContext(), "the JDK's trust store");
    }

    public SourceFetcher(SSLContext tls, String trust) {
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .sslContext(tls)
                .build();
        this.trust = trust;
    }

    /** The client behind this fetcher (pooled connections, these TLS settings), for readers that resume. */
    public HttpClient http() {
        return http;
    }

    /** The error for a source whose certificate was refused: which server, and which trust refused it. */
    public String untrusted(URI uri, SSLException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return "cannot open " + uri + ": the TLS certificate of " + uri.getAuthority() + " is not trusted (" + trust + "): "
                + root.getMessage();
    }

    private static SSLContext defaultContext() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK offers no default TLS context", e);
        }
    }

    public InputStream open(String url) throws SourceException {
        return open(url, Duration.ofMinutes(2));
    }

    /** @param answerTimeout how long the server may take to answer (status and headers); bodies are watched by the reader */
    public InputStream open(String url, Duration answerTimeout) throws SourceException {
        URI uri = URI.create(url.trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        try {
            if (scheme.equals("file")) {
                return Files.newInputStream(Path.of(uri));
            }
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "unsupported URL scheme '" + scheme + "' in " + url);
            }
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).timeout(answerTimeout).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new SourceException(FailureReason.SOURCE_HTTP_STATUS, "GET " + url + " answered HTTP " + response.statusCode());
            }
            return response.body();
        } catch (SSLException e) {
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, untrusted(uri, e));
        } catch (IOException e) {
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "cannot open " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "interrupted while opening " + url);
        }
    }

    /** The {@code Last-Modified} day of a source (HEAD request), if the server tells it. */
    public Optional<LocalDate> lastModified(String url) throws SourceException {
        URI uri = URI.create(url.trim());
        if ("file".equals(uri.getScheme())) {
            try {
                return Optional.of(LocalDate.ofInstant(Files.getLastModifiedTime(Path.of(uri)).toInstant(), ZoneOffset.UTC));
            } catch (IOException e) {
                throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "cannot read " + url + ": " + e);
            }
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() != 200) {
                throw new SourceException(FailureReason.SOURCE_HTTP_STATUS, "HEAD " + url + " answered HTTP " + response.statusCode());
            }
            return response.headers().firstValue("Last-Modified")
                    .map(value -> LocalDate.ofInstant(ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant(), ZoneOffset.UTC));
        } catch (IOException | java.time.format.DateTimeParseException e) {
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "HEAD " + url + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SourceException(FailureReason.SOURCE_UNREACHABLE, "interrupted");
        }
    }

    /**
     * The digest upstream publishes for {@code imageUrl}: the one in {@code checksumUrl} (a bare digest), else the
     * line for the image's file name in {@code checksumsUrl} (a SUMS file).
     */
    public Optional<String> publishedDigest(String checksumUrl, String checksumsUrl, String imageUrl) throws SourceException {
        return checksumUrl != null
                ? ChecksumFiles.bare(text(checksumUrl))
                : ChecksumFiles.fromSums(text(checksumsUrl), ChecksumFiles.fileNameOf(imageUrl));
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

    /** Ends the pooled connections (a JVM waits at exit for a client's selector thread still polling). */
    @Override
    public void close() {
        http.close();
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
