package org.imagemanager.importer.stream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A file server on 127.0.0.1 for the stream tests: serves one {@link Content} at {@code /file} (and under any other
 * name below {@code /files/}), optionally with ranges, validators, planned connection drops and forced answers, and
 * records what it was asked. The content is written from a generator, so a large file is never held in memory.
 */
final class RangeServer implements AutoCloseable {
    /** What the server serves; written range by range. */
    interface Content {
        long length();

        void write(OutputStream out, long from, long to) throws IOException;

        default String sha256() throws IOException {
            try {
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
                    write(out, 0, length());
                }
                return HexFormat.of().formatHex(digest.digest());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    static Content bytes(byte[] data) {
        return new Content() {
            @Override
            public long length() {
                return data.length;
            }

            @Override
            public void write(OutputStream out, long from, long to) throws IOException {
                out.write(data, (int) from, (int) (to - from));
            }
        };
    }

    /** Pseudo-random bytes, the same for the same seed, generated 64 KiB at a time. */
    static Content generated(long length, long seed) {
        int block = 64 * 1024;
        return new Content() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void write(OutputStream out, long from, long to) throws IOException {
                byte[] buffer = new byte[block];
                for (long position = from; position < to; ) {
                    long index = position / block;
                    new SplittableRandom(seed * 1_000_003 + index).nextBytes(buffer);
                    int start = (int) (position - index * block);
                    int end = (int) Math.min(block, to - index * block);
                    out.write(buffer, start, end - start);
                    position += end - start;
                }
            }
        };
    }

    /** One request as the server saw it. */
    record Request(String path, String range, String ifRange) {
    }

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    private final HttpServer server;
    final List<Request> requests = new CopyOnWriteArrayList<>();
    /** Absolute offsets at which a response is cut off (each used once, by the first response that passes it). */
    final Queue<Long> dropsAt = new ConcurrentLinkedQueue<>();
    /** Statuses answered (without body) to the next Range requests instead of serving them. */
    final Queue<Integer> rangeAnswers = new ConcurrentLinkedQueue<>();
    /** Bytes of content written by the server so far. */
    final AtomicLong written = new AtomicLong();

    volatile Content content;
    volatile String etag = "\"v1\"";
    volatile String lastModified = "Tue, 01 Apr 2025 10:00:00 GMT";
    volatile boolean advertiseRanges = true;
    /** Send {@code Accept-Ranges: none}. */
    volatile boolean acceptRangesNone;
    volatile boolean honourRanges = true;
    /** Answer a Range request whose If-Range does not match with 412 instead of the whole file (200). */
    volatile boolean preconditionFailedOnChange;
    /** Added to the start of the Content-Range of a 206 (to simulate a broken server). */
    volatile long contentRangeShift;
    /** ETag sent with a 206 instead of the current one, when set. */
    volatile String partialEtag;
    /** No Content-Length: chunked transfer encoding. */
    volatile boolean chunked;

    RangeServer(Content content) throws IOException {
        this.content = content;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    URI file() {
        return uri("/file");
    }

    List<Request> rangeRequests() {
        return requests.stream().filter(request -> request.range() != null).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        // The exchange is closed on every path but a planned drop: closing would finish a chunked response cleanly.
        serve(exchange);
        exchange.close();
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String range = exchange.getRequestHeaders().getFirst("Range");
        String ifRange = exchange.getRequestHeaders().getFirst("If-Range");
        requests.add(new Request(path, range, ifRange));
        exchange.getRequestBody().readAllBytes();
        if (path.equals("/redirect")) {
            exchange.getResponseHeaders().add("Location", "/file");
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        if (!path.equals("/file") && !path.startsWith("/files/")) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        Content served = content;
        long length = served.length();
        if (etag != null) {
            exchange.getResponseHeaders().add("ETag", etag);
        }
        if (lastModified != null) {
            exchange.getResponseHeaders().add("Last-Modified", lastModified);
        }
        if (advertiseRanges) {
            exchange.getResponseHeaders().add("Accept-Ranges", "bytes");
        } else if (acceptRangesNone) {
            exchange.getResponseHeaders().add("Accept-Ranges", "none");
        }
        long start = 0;
        int status = 200;
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        if (matcher != null && matcher.matches() && honourRanges) {
            Integer forced = rangeAnswers.poll();
            if (forced != null) {
                exchange.sendResponseHeaders(forced, -1);
                return;
            }
            boolean unchanged = ifRange == null || ifRange.equals(etag) || ifRange.equals(lastModified);
            if (!unchanged && preconditionFailedOnChange) {
                exchange.sendResponseHeaders(412, -1);
                return;
            }
            if (unchanged) {
                start = Long.parseLong(matcher.group(1));
                if (start >= length) {
                    exchange.getResponseHeaders().add("Content-Range", "bytes */" + length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                status = 206;
                exchange.getResponseHeaders().add("Content-Range",
                        "bytes " + (start + contentRangeShift) + "-" + (length - 1) + "/" + length);
                if (partialEtag != null) {
                    exchange.getResponseHeaders().set("ETag", partialEtag);
                }
            }
        }
        long bodyLength = length - start;
        exchange.sendResponseHeaders(status, chunked ? 0 : bodyLength == 0 ? -1 : bodyLength);
        Long drop = dropsAt.peek();
        long end = length;
        if (drop != null && drop > start && drop < length) {
            dropsAt.poll();
            end = drop;
        }
        OutputStream out = new CountingOutputStream(exchange.getResponseBody(), written);
        served.write(out, start, end);
        out.flush();
        if (end < length) {
            // Cut the connection: an exception out of the handler makes the server close the socket without
            // finishing the response (no terminating chunk, fewer bytes than Content-Length).
            throw new IOException("planned drop at " + end);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        private final AtomicLong count;

        CountingOutputStream(OutputStream out, AtomicLong count) {
            super(out);
            this.count = count;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
            count.addAndGet(length);
        }
    }
}
