package org.imagemanager.importer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A source that sends nothing for too long is closed, which wakes the blocked read with an exception: the JDK's
 * HTTP client has no read timeout for a response body, and an import must never hang on a silent source.
 */
final class IdleTimeoutInputStream extends BulkFilterInputStream {
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "source-idle-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final long timeoutNanos;
    private final ScheduledFuture<?> check;
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean timedOut;

    IdleTimeoutInputStream(InputStream in, Duration timeout) {
        super(in);
        this.timeoutNanos = timeout.toNanos();
        long period = Math.max(50, timeout.toMillis() / 4);
        this.check = WATCHDOG.scheduleAtFixedRate(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
    }

    private void checkIdle() {
        if (System.nanoTime() - lastActivity > timeoutNanos) {
            timedOut = true;
            check.cancel(false);
            try {
                in.close();
            } catch (IOException ignored) {
                // the reader gets its exception from the closed stream
            }
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        try {
            int n = super.read(buffer, offset, length);
            lastActivity = System.nanoTime();
            return n;
        } catch (IOException e) {
            throw timedOut ? new IOException("the source sent nothing for " + Duration.ofNanos(timeoutNanos), e) : e;
        }
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }
}
