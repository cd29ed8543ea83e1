package org.imagemanager.importer.stream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An http(s) source that outlives a dropped connection. Images are gigabytes and mirrors drop connections; starting
 * over from byte 0 each time can mean never finishing. When the body breaks off (an I/O error, or an end before
 * Content-Length) this stream asks for the rest with {@code Range: bytes=<delivered>-} and {@code If-Range:
 * <validator>} and carries on, so the reader sees one continuous stream with no byte lost or repeated.
 *
 * <p>It never stitches two versions of a file together: it only continues when the server proves, with a 206 whose
 * Content-Range starts exactly at the next byte and whose ETag/Last-Modified equals the first answer's, that the rest
 * belongs to the same file. Anything else (no range support, no validator, a 200, 412 or 416, a mismatching
 * Content-Range) ends in {@link SourceRestartRequiredException}: the caller discards what it has and starts over.
 *
 * <p>Resumes go to the URL the first request ended on after redirects, so a redirector that picks a random mirror
 * cannot switch mirrors (and validators) in the middle of a file. Transient answers to a resume request (an I/O error,
 * 408, 429, 5xx) are retried; every attempt counts against {@link Settings#maxResumes()} and waits an exponentially
 * growing, capped backoff first. The body is streamed ({@code BodyHandlers.ofInputStream}): memory stays flat
 * whatever the size. Not thread-safe: one reader.
 *
 * <p>Limitation: the JDK client has no read timeout for a body that stalls without closing; a stalled connection
 * blocks the reader until the caller closes this stream (which then fails the read).
 */
public final class ResumableSource extends InputStream {
    /** How a sleep between resume attempts is done; tests pass one that only records. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    /**
     * @param maxResumes     resume requests allowed over the whole stream (0 = never resume, fail on the first drop)
     * @param initialBackoff wait before the first resume request; doubled for each further attempt
     * @param maxBackoff     cap of that wait
     * @param requestTimeout how long to wait for the response headers of each request
     * @param sleeper        how the wait is done
     */
    public record Settings(int maxResumes, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout,
                           Sleeper sleeper) {
        public Settings {
            if (maxResumes < 0) {
                throw new IllegalArgumentException("maxResumes must be >= 0");
            }
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(sleeper, "sleeper");
        }

        /** 5 resumes, 500 ms doubling up to 8 s, 60 s for response headers, real sleeps. */
        public static Settings defaults() {
            return new Settings(5, Duration.ofMillis(500), Duration.ofSeconds(8), Duration.ofSeconds(60),
                    duration -> Thread.sleep(duration.toMillis()));
        }

        public Settings withMaxResumes(int value) {
            return new Settings(value, initialBackoff, maxBackoff, requestTimeout, sleeper);
        }

        public Settings withBackoff(Duration initial, Duration max) {
            return new Settings(maxResumes, initial, max, requestTimeout, sleeper);
        }

        public Settings withRequestTimeout(Duration value) {
            return new Settings(maxResumes, initialBackoff, maxBackoff, value, sleeper);
        }

        public Settings withSleeper(Sleeper value) {
            return new Settings(maxResumes, initialBackoff, maxBackoff, requestTimeout, value);
        }

        Duration backoff(int attempt) {
            Duration wait = initialBackoff;
            for (int i = 1; i < attempt && wait.compareTo(maxBackoff) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
        }
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("\\s*bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)\\s*",
            Pattern.CASE_INSENSITIVE);

    private enum RangeSupport { YES, NO, UNKNOWN }

    private final HttpClient http;
    private final URI requested;
    private final URI resumeUri;
    private final Settings settings;
    private final RangeSupport rangeSupport;
    private final String etag;
    private final String lastModified;
    private final String ifRange;

    private InputStream body;
    private long total;
    private long delivered;
    private int resumes;
    private int attempts;
    private boolean exhausted;
    /** Set by {@link #close()}, possibly from another thread (a watchdog giving up a stalled source). */
    private volatile boolean closed;
    private IOException terminal;

    private ResumableSource(HttpClient http, URI requested, Settings settings, HttpResponse<InputStream> first) {
        this.http = http;
        this.requested = requested;
        this.settings = settings;
        this.resumeUri = first.uri();
        this.body = first.body();
        HttpHeaders headers = first.headers();
        this.total = headers.firstValueAsLong("Content-Length").orElse(-1);
        this.rangeSupport = headers.firstValue("Accept-Ranges")
                .map(value -> value.toLowerCase(Locale.ROOT))
                .map(value -> value.contains("bytes") ? RangeSupport.YES
                        : value.contains("none") ? RangeSupport.NO : RangeSupport.UNKNOWN)
                .orElse(RangeSupport.UNKNOWN);
        this.etag = headers.firstValue("ETag").orElse(null);
        this.lastModified = headers.firstValue("Last-Modified").orElse(null);
        // If-Range must not carry a weak ETag (RFC 9110 13.1.5); Last-Modified is the fallback validator.
        this.ifRange = etag != null && !etag.startsWith("W/") ? etag : lastModified;
        this.exhausted = total == 0;
    }

    /** Opens {@code uri} with a client like {@code SourceFetcher}'s (redirects followed) and default settings. */
    public static ResumableSource open(URI uri) throws IOException {
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
        return open(http, uri, Settings.defaults());
    }

    /**
     * Sends the first GET and returns once its headers arrived with 200.
     *
     * @throws SourceHttpStatusException any other status (the body is discarded)
     * @throws IOException               the server could not be reached
     */
    public static ResumableSource open(HttpClient http, URI uri, Settings settings) throws IOException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("not an http(s) URL: " + uri);
        }
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(settings.requestTimeout()).build();
        HttpResponse<InputStream> response = send(http, request);
        if (response.statusCode() != 200) {
            response.body().close();
            throw new SourceHttpStatusException(uri, response.statusCode(), "GET");
        }
        return new ResumableSource(http, uri, settings, response);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (closed) {
            throw new IOException("stream closed: " + requested);
        }
        if (terminal != null) {
            throw terminal; // the same failure again, never a fresh round of resumes or a clean end
        }
        if (exhausted) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        while (true) {
            IOException failure;
            try {
                int n = body.read(buffer, offset, length);
                if (n >= 0) {
                    delivered += n;
                    return n;
                }
                if (total < 0 || delivered >= total) {
                    exhausted = true;
                    body.close();
                    return -1;
                }
                failure = new EOFException("body ended after " + delivered + " of " + total + " bytes");
            } catch (IOException e) {
                if (closed || e instanceof InterruptedIOException || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                failure = e;
            }
            try {
                resume(failure);
            } catch (IOException e) {
                terminal = e;
                throw e;
            }
        }
    }

    private void resume(IOException failure) throws IOException {
        closeQuietly(body);
        if (rangeSupport == RangeSupport.NO) {
            throw new SourceRestartRequiredException(SourceRestartRequiredException.Reason.NO_RANGE_SUPPORT, delivered,
                    requested + " broke off and the server does not support ranges", failure);
        }
        if (ifRange == null) {
            throw new SourceRestartRequiredException(SourceRestartRequiredException.Reason.NO_VALIDATOR, delivered,
                    requested + " broke off and the server gave no ETag or Last-Modified to resume safely", failure);
        }
        IOException last = failure;
        while (attempts < settings.maxResumes()) {
            requireOpen();
            attempts++;
            try {
                settings.sleeper().sleep(settings.backoff(attempts));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                InterruptedIOException interrupted = new InterruptedIOException("interrupted while resuming " + requested);
                interrupted.addSuppressed(failure);
                throw interrupted;
            }
            HttpRequest request = HttpRequest.newBuilder(resumeUri).GET().timeout(settings.requestTimeout())
                    .header("Range", "bytes=" + delivered + "-")
                    .header("If-Range", ifRange)
                    .build();
            HttpResponse<InputStream> response;
            try {
                response = send(http, request);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                e.addSuppressed(last);
                last = e;
                continue;
            }
            int status = response.statusCode();
            if (status == 206) {
                accept(response, failure);
                return;
            }
            response.body().close();
            switch (status) {
                case 200 -> throw new SourceRestartRequiredException(SourceRestartRequiredException.Reason.RANGE_IGNORED,
                        delivered, "resuming " + resumeUri + " answered 200 (whole file): no range support or the file changed", failure);
                case 412 -> throw new SourceRestartRequiredException(SourceRestartRequiredException.Reason.SOURCE_CHANGED,
                        delivered, "resuming " + resumeUri + " answered 412: the file changed", failure);
                case 416 -> throw new SourceRestartRequiredException(SourceRestartRequiredException.Reason.RANGE_MISMATCH,
                        delivered, "resuming " + resumeUri + " answered 416: the file is shorter than before", failure);
                default -> {
                    if (status == 408 || status == 429 || status >= 500) {
                        IOException transientStatus = new SourceHttpStatusException(resumeUri, status, "resuming");
                        transientStatus.addSuppressed(last);
                        last = transientStatus;
                    } else {
                        SourceHttpStatusException permanent = new SourceHttpStatusException(resumeUri, status, "resuming");
                        permanent.addSuppressed(failure);
                        throw permanent;
                    }
                }
            }
        }
        throw new ResumesExhaustedException(requested + " broke off after " + delivered
                + (total >= 0 ? " of " + total : "") + " bytes and " + attempts + " resume attempts did not continue it",
                delivered, total, last);
    }

    /** Takes a 206 only if it continues exactly the file we were reading. */
    private void accept(HttpResponse<InputStream> response, IOException failure) throws IOException {
        String contentRange = response.headers().firstValue("Content-Range").orElse("");
        Matcher range = CONTENT_RANGE.matcher(contentRange);
        String problem = null;
        long rangeTotal = -1;
        if (!range.matches()) {
            problem = "a 206 without a single byte range (Content-Range '" + contentRange + "')";
        } else {
            long start = Long.parseLong(range.group(1));
            long end = Long.parseLong(range.group(2));
            rangeTotal = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
            if (start != delivered) {
                problem = "Content-Range '" + contentRange + "' does not start at byte " + delivered;
            } else if (total >= 0 && rangeTotal != total) {
                problem = "Content-Range '" + contentRange + "' gives another length than " + total;
            } else if (rangeTotal >= 0 && end != rangeTotal - 1) {
                problem = "Content-Range '" + contentRange + "' does not reach the end of the file";
            }
        }
        String newEtag = response.headers().firstValue("ETag").orElse(null);
        String newLastModified = response.headers().firstValue("Last-Modified").orElse(null);
        if (problem == null && etag != null && newEtag != null && !etag.equals(newEtag)) {
            problem = "ETag changed from " + etag + " to " + newEtag;
        }
        if (problem == null && etag == null && lastModified != null && newLastModified != null && !lastModified.equals(newLastModified)) {
            problem = "Last-Modified changed from " + lastModified + " to " + newLastModified;
        }
        if (problem != null) {
            response.body().close();
            throw new SourceRestartRequiredException(SourceRestartRequiredException.Reason.RANGE_MISMATCH, delivered,
                    "resuming " + resumeUri + ": " + problem, failure);
        }
        if (total < 0 && rangeTotal >= 0) {
            total = rangeTotal;
        }
        if (closed) { // closed while the resume was under way: nobody reads this body
            response.body().close();
            requireOpen();
        }
        body = response.body();
        resumes++;
    }

    private void requireOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed: " + requested);
        }
    }

    private static HttpResponse<InputStream> send(HttpClient http, HttpRequest request) throws IOException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + request.uri());
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the connection is gone already
        }
    }

    @Override
    public int available() throws IOException {
        return closed || exhausted ? 0 : body.available();
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            body.close();
        }
    }

    /**
     * The body broke off and {@link Settings#maxResumes()} resume requests did not continue it (each failed to connect
     * or got a transient answer: 408, 429, 5xx). Unlike {@link SourceRestartRequiredException} resuming was possible in
     * principle; the source just did not deliver. The bytes delivered so far are lost to the caller.
     */
    public static final class ResumesExhaustedException extends IOException {
        private final long bytesDelivered;
        private final long totalSize;

        ResumesExhaustedException(String message, long bytesDelivered, long totalSize, IOException last) {
            super(message, last);
            this.bytesDelivered = bytesDelivered;
            this.totalSize = totalSize;
        }

        public long bytesDelivered() {
            return bytesDelivered;
        }

        /** The file's length as the server told it, or -1. */
        public long totalSize() {
            return totalSize;
        }
    }

    /** Bytes handed to the reader so far (over all connections). */
    public long bytesDelivered() {
        return delivered;
    }

    /** Connections that were successfully continued with a 206. */
    public int resumes() {
        return resumes;
    }

    /** Resume requests sent (successful or not); bounded by {@link Settings#maxResumes()}. */
    public int resumeAttempts() {
        return attempts;
    }

    /** The file's length, from Content-Length or a Content-Range total, when the server told it. */
    public OptionalLong totalSize() {
        return total < 0 ? OptionalLong.empty() : OptionalLong.of(total);
    }

    /** True once the whole file was delivered and the end was signalled to the reader. */
    public boolean exhausted() {
        return exhausted;
    }

    /** The URL resumes go to: the requested one after redirects. */
    public URI effectiveUri() {
        return resumeUri;
    }
}
