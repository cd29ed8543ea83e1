package org.imagemanager.importer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A source that stalls is closed, which wakes the blocked read with a {@link SourceStalledException}: the JDK's
 * HTTP client has no read timeout for a response body, and an import must never hang on a silent source, nor crawl
 * for days on one that sends a byte now and then.
 *
 * <p>Stall detection like curl's {@code --speed-limit}/{@code --speed-time}: over any window of {@code window}
 * spent waiting for the source, it must deliver at least {@code minimumRate} × window-seconds bytes, and at least one
 * (a minimum rate of 0 gives up only a source that sends nothing at all). Only time spent inside {@code read} counts,
 * so a slow reader (Glance taking its time, decompression) is never blamed on the source. A watchdog looks ten
 * times per window.
 */
final class IdleTimeoutInputStream extends BulkFilterInputStream {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "source-idle-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final Duration window;
    private final long windowNanos;
    private final long minimumRate;
    private final long minimumBytes;
    private final ScheduledFuture<?> check;
    private final Object lock = new Object();
    /** Watchdog only: (waited nanos, bytes) as seen at each check, oldest first; spans about one window. */
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    // guarded by lock: what the reader did so far
    private long waitedNanos;
    private boolean reading;
    private long readingSince;
    private long bytes;
    private volatile Stall stall;

    /** Gives up only a source that sends nothing at all for {@code timeout}. */
    IdleTimeoutInputStream(InputStream in, Duration timeout) {
        this(in, timeout, 0);
    }

    /** @param minimumRate bytes per second, averaged over {@code window} of waiting; 0: at least one byte per window */
    IdleTimeoutInputStream(InputStream in, Duration window, long minimumRate) {
        super(in);
        if (window.isNegative() || window.isZero() || minimumRate < 0) {
            throw new IllegalArgumentException("window " + window + " and minimum rate " + minimumRate + " bytes/s");
        }
        this.window = window;
        this.windowNanos = window.toNanos();
        this.minimumRate = minimumRate;
        double perWindow = Math.ceil(minimumRate * (windowNanos / 1e9));
        this.minimumBytes = Math.max(1, perWindow >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) perWindow);
        samples.add(new long[] {0, 0});
        long period = Math.max(50, window.toMillis() / 10);
        this.check = WATCHDOG.scheduleAtFixedRate(this::checkRate, period, period, TimeUnit.MILLISECONDS);
    }

    /** How much the source sent in the last window of waiting: too little, and it is closed. */
    private void checkRate() {
        long waited;
        long read;
        synchronized (lock) {
            waited = waitedNanos + (reading ? System.nanoTime() - readingSince : 0);
            read = bytes;
        }
        // the newest sample at least a window of waiting back: the least the source may have sent in a window
        long[] from = null;
        while (!samples.isEmpty() && waited - samples.peekFirst()[0] >= windowNanos) {
            from = samples.pollFirst();
        }
        if (from != null) {
            samples.addFirst(from);
            if (read - from[1] < minimumBytes) {
                stall = new Stall(read - from[1], Duration.ofNanos(waited - from[0]).truncatedTo(ChronoUnit.MILLIS));
                check.cancel(false);
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the reader gets its exception from the closed stream
                }
                return;
            }
        }
        if (waited > samples.peekLast()[0]) {
            samples.addLast(new long[] {waited, read});
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        Stall stalled = stall;
        if (stalled != null) {
            throw stalled(stalled, null);
        }
        long start = System.nanoTime();
        synchronized (lock) {
            reading = true;
            readingSince = start;
        }
        int n = -1;
        try {
            n = super.read(buffer, offset, length);
        } catch (IOException e) {
            stalled = stall;
            throw stalled != null ? stalled(stalled, e) : e;
        } finally {
            long end = System.nanoTime();
            synchronized (lock) {
                bytes += Math.max(0, n);
                waitedNanos += end - start;
                reading = false;
            }
        }
        stalled = stall;
        if (stalled != null) {
            // closed under the reader: whatever the closed stream answered, it is not the end of the source
            throw stalled(stalled, null);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }

    private SourceStalledException stalled(Stall stall, IOException cause) {
        return new SourceStalledException(stall.bytes(), stall.span(), window, minimumRate, cause);
    }

    private record Stall(long bytes, Duration span) {
    }

    /** The source was given up as stalled: {@link #sent()} bytes in {@link #span()} of waiting, too few. */
    static final class SourceStalledException extends IOException {
        private final long sent;
        private final Duration span;
        private final Duration window;
        private final long minimumRate;

        SourceStalledException(long sent, Duration span, Duration window, long minimumRate, Throwable cause) {
            super(sent == 0
                    ? "the source sent nothing in the last " + span
                    : "the source sent " + sent + (sent == 1 ? " byte" : " bytes") + " in the last " + span
                    + " (less than " + minimumRate + " bytes/s)", cause);
            this.sent = sent;
            this.span = span;
            this.window = window;
            this.minimumRate = minimumRate;
        }

        long sent() {
            return sent;
        }

        /** The waiting time {@link #sent()} is counted over: one window, give or take a tenth. */
        Duration span() {
            return span;
        }

        /** The window the rate is averaged over ({@code sourceIdleTimeout}). */
        Duration window() {
            return window;
        }

        long minimumRate() {
            return minimumRate;
        }
    }
}
