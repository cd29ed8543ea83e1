package org.imagemanager.testsupport;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;

/** Serves the files of one folder over HTTP on 127.0.0.1 (streamed from disk), like an upstream image mirror. */
public final class FileServer implements AutoCloseable {
    private final HttpServer server;
    private final Path root;

    private FileServer(HttpServer server, Path root) {
        this.server = server;
        this.root = root;
    }

    public static FileServer serve(Path root) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            FileServer files = new FileServer(server, root.toAbsolutePath());
            server.createContext("/", exchange -> {
                try (exchange) {
                    Path file = files.root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
                    if (!file.startsWith(files.root) || !Files.isRegularFile(file)) {
                        exchange.sendResponseHeaders(404, -1);
                        return;
                    }
                    long size = Files.size(file);
                    exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
                    if ("HEAD".equals(exchange.getRequestMethod())) {
                        exchange.getResponseHeaders().add("Content-Length", String.valueOf(size));
                        exchange.sendResponseHeaders(200, -1);
                        return;
                    }
                    exchange.sendResponseHeaders(200, size);
                    try (InputStream in = Files.newInputStream(file); OutputStream out = exchange.getResponseBody()) {
                        in.transferTo(out);
                    }
                }
            });
            server.setExecutor(Executors.newFixedThreadPool(4));
            server.start();
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url(String fileName) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + fileName;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
