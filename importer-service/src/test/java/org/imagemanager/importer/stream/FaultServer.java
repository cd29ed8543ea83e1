package org.imagemanager.importer.stream;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP/1.1 server on 127.0.0.1 whose answers are planned faults written byte for byte onto the socket, which the
 * JDK's HttpServer does not allow: a body that breaks off before its Content-Length, a Content-Length shorter than
 * what follows, a body that trickles. One request per connection ({@code Connection: close}); no ranges, no
 * validators (so nothing can be resumed). Records the requests it got.
 */
final class FaultServer implements AutoCloseable {
    /** What the server writes for the {@code number}th request (counted from 1). */
    @FunctionalInterface
    interface Answer {
        void write(OutputStream socket, int number) throws IOException, InterruptedException;
    }

    /** One request as the server saw it. */
    record Request(String line, String range) {
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final ServerSocket server;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "fault-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Answer answer;

    FaultServer(Answer answer) throws IOException {
        this.answer = answer;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    /** Only the status line and headers (no body). */
    static Answer status(int status) {
        return (out, number) -> head(out, status, 0);
    }

    /** Announces {@code contentLength}, sends the first {@code sent} bytes of {@code data}, and closes. */
    static Answer body(byte[] data, long contentLength, int sent) {
        return (out, number) -> {
            head(out, 200, contentLength);
            out.write(data, 0, sent);
        };
    }

    /** Announces the whole length and sends {@code chunk} bytes every {@code every}. */
    static Answer trickle(byte[] data, int chunk, Duration every) {
        return (out, number) -> {
            head(out, 200, data.length);
            for (int at = 0; at < data.length; at += chunk) {
                out.write(data, at, Math.min(chunk, data.length - at));
                out.flush();
                Thread.sleep(every.toMillis());
            }
        };
    }

    private static void head(OutputStream out, int status, long contentLength) throws IOException {
        String head = "HTTP/1.1 " + status + " " + (status == 200 ? "OK" : "Planned Fault") + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Length: " + contentLength + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                connections.add(socket);
                threads.execute(() -> serve(socket));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            List<String> head = readHead(socket.getInputStream());
            if (head.isEmpty()) {
                return;
            }
            String range = head.stream().skip(1).filter(line -> line.toLowerCase(Locale.ROOT).startsWith("range:"))
                    .map(line -> line.substring(6).trim()).findFirst().orElse(null);
            int number;
            synchronized (requests) {
                requests.add(new Request(head.getFirst(), range));
                number = requests.size();
            }
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            answer.write(out, number);
            out.flush();
            // a graceful close: every byte written reaches the client before the end of the connection
        } catch (IOException e) {
            // the client went away (e.g. it read all the Content-Length it was promised)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connections.remove(socket);
        }
    }

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.US_ASCII).stripTrailing();
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
        }
        return List.of();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        threads.shutdownNow(); // wakes a trickle's sleep
        for (Socket socket : connections) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
