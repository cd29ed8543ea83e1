package org.imagemanager.importer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The stall check without a server: sources that trickle, fall silent, or are fast, read fast or slowly. */
class IdleTimeoutInputStreamTest {
    private static final Duration WINDOW = Duration.ofMillis(400);

    @Test
    void aTrickleBelowTheMinimumRateIsGivenUpAfterAboutOneWindow() {
        FakeSource source = new FakeSource(1, Duration.ofMillis(50), Long.MAX_VALUE, false); // 20 bytes/s
        long start = System.nanoTime();
        IdleTimeoutInputStream.SourceStalledException stalled;
        try (IdleTimeoutInputStream in = new IdleTimeoutInputStream(source, WINDOW, 1024)) {
            stalled = assertThrows(IdleTimeoutInputStream.SourceStalledException.class, () -> in.transferTo(OutputStream.nullOutputStream()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(source.closed, "the watchdog closed the source to wake the reader");
        assertTrue(took.compareTo(WINDOW) >= 0 && took.compareTo(WINDOW.multipliedBy(3)) < 0, took.toString());
        assertTrue(stalled.sent() > 0 && stalled.sent() < 20, stalled.getMessage());
        assertTrue(stalled.span().compareTo(WINDOW) >= 0, stalled.span().toString());
        assertTrue(stalled.getMessage().matches("the source sent \\d+ bytes in the last PT0\\.\\d+S \\(less than 1024 bytes/s\\)"),
                stalled.getMessage());
    }

    @Test
    void aSourceThatSendsNothingIsGivenUpEvenWithoutAMinimumRate() {
        FakeSource source = new FakeSource(0, Duration.ofMillis(50), Long.MAX_VALUE, false);
        try (IdleTimeoutInputStream in = new IdleTimeoutInputStream(source, WINDOW)) {
            IdleTimeoutInputStream.SourceStalledException stalled = assertThrows(IdleTimeoutInputStream.SourceStalledException.class, in::read);
            assertEquals(0, stalled.sent());
            assertTrue(stalled.getMessage().startsWith("the source sent nothing in the last PT0."), stalled.getMessage());
            assertEquals(0, stalled.minimumRate());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withoutAMinimumRateATrickleIsNotGivenUp() throws IOException {
        FakeSource source = new FakeSource(1, Duration.ofMillis(50), 24, false); // 1.2 s, three windows
        try (IdleTimeoutInputStream in = new IdleTimeoutInputStream(source, WINDOW, 0)) {
            assertEquals(24, in.readAllBytes().length);
        }
    }

    @Test
    void aSourceThatStopsAfterAGoodStartIsGivenUpWithNothingInTheLastWindow() {
        FakeSource source = new FakeSource(64 * 1024, Duration.ZERO, 4 * 64 * 1024, true); // fast, then silent
        try (IdleTimeoutInputStream in = new IdleTimeoutInputStream(source, WINDOW, 1024)) {
            byte[] buffer = new byte[64 * 1024];
            for (int i = 0; i < 4; i++) {
                assertEquals(buffer.length, in.readNBytes(buffer, 0, buffer.length));
            }
            IdleTimeoutInputStream.SourceStalledException stalled = assertThrows(IdleTimeoutInputStream.SourceStalledException.class, in::read);
            assertEquals(0, stalled.sent(), stalled.getMessage());
            assertTrue(stalled.getMessage().startsWith("the source sent nothing in the last"), stalled.getMessage());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aSourceAboveTheMinimumRateIsReadToTheEnd() throws IOException {
        // 2 KiB every 50 ms = 40 KiB/s against a minimum of 1 KiB/s, over more than three windows
        FakeSource source = new FakeSource(2048, Duration.ofMillis(50), 30 * 2048, false);
        try (IdleTimeoutInputStream in = new IdleTimeoutInputStream(source, WINDOW, 1024)) {
            assertEquals(30 * 2048, in.readAllBytes().length);
        }
    }

    @Test
    void aSlowReaderIsNotBlamedOnTheSource() throws IOException, InterruptedException {
        // the source answers at once; the reader takes two windows between reads: no time waiting for the source
        FakeSource source = new FakeSource(16, Duration.ZERO, 3 * 16, false);
        try (IdleTimeoutInputStream in = new IdleTimeoutInputStream(source, WINDOW, 1024)) {
            byte[] buffer = new byte[16];
            for (int i = 0; i < 3; i++) {
                assertEquals(16, in.readNBytes(buffer, 0, 16));
                Thread.sleep(WINDOW.multipliedBy(2).toMillis());
            }
            assertEquals(-1, in.read());
        }
    }

    @Test
    void aSourceThatAnswersTheEndOfStreamOnceClosedStillFailsAsStalled() {
        FakeSource source = new FakeSource(0, Duration.ofMillis(50), Long.MAX_VALUE, false);
        source.endWhenClosed = true;
        try (IdleTimeoutInputStream in = new IdleTimeoutInputStream(source, WINDOW, 1024)) {
            byte[] buffer = new byte[8];
            assertThrows(IdleTimeoutInputStream.SourceStalledException.class, () -> in.read(buffer));
            assertThrows(IdleTimeoutInputStream.SourceStalledException.class, () -> in.read(buffer), "and on every further read");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Sends {@code chunk} bytes every {@code every} (0 bytes: blocks), {@code total} in all, then blocks ({@code
     * silentAfter}) or ends. Closing it wakes a blocked read with an exception, like a socket.
     */
    private static final class FakeSource extends InputStream {
        private final int chunk;
        private final Duration every;
        private final long total;
        private final boolean silentAfter;
        private long sent;
        volatile boolean closed;
        volatile boolean endWhenClosed;

        FakeSource(int chunk, Duration every, long total, boolean silentAfter) {
            this.chunk = chunk;
            this.every = every;
            this.total = total;
            this.silentAfter = silentAfter;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] buffer, int offset, int length) throws IOException {
            boolean blocking = chunk == 0 || (sent >= total && silentAfter);
            if (sent >= total && !silentAfter) {
                return -1;
            }
            long until = System.nanoTime() + (blocking ? Long.MAX_VALUE / 2 : every.toNanos());
            try {
                while (!closed && System.nanoTime() < until) {
                    wait(Math.max(1, Math.min(20, (until - System.nanoTime()) / 1_000_000)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
            if (closed) {
                if (endWhenClosed) {
                    return -1;
                }
                throw new IOException("closed");
            }
            int n = (int) Math.min(Math.min(chunk, length), total - sent);
            Arrays.fill(buffer, offset, offset + n, (byte) 7);
            sent += n;
            return n;
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
