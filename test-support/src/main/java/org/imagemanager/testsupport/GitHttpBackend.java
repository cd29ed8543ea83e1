package org.imagemanager.testsupport;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Runs one HTTP exchange through {@code git http-backend}, the CGI program behind git's smart HTTP protocol. */
final class GitHttpBackend {
    private final Path projectRoot;
    private final ExecutorService pumps;

    GitHttpBackend(Path projectRoot, ExecutorService pumps) {
        this.projectRoot = projectRoot;
        this.pumps = pumps;
    }

    /** Serves {@code exchange}; {@code remoteUser} is the authenticated user, or null. */
    void serve(HttpExchange exchange, String remoteUser) throws IOException {
        ProcessBuilder builder = gitCommand("http-backend");
        cgiEnvironment(builder.environment(), exchange, remoteUser);
        Process process = builder.start();
        try {
            // Body in, response out and stderr drained at the same time: the CGI may write before it has read
            // everything, and any one full pipe would stall the others.
            Future<?> requestBody = pumps.submit(() -> copyRequestBody(exchange, process));
            Future<byte[]> stderr = pumps.submit(() -> process.getErrorStream().readAllBytes());
            try (InputStream out = process.getInputStream()) {
                sendResponse(exchange, out);
            }
            int exit = process.waitFor();
            requestBody.get();
            String errors = new String(stderr.get(), StandardCharsets.UTF_8).strip();
            if (exit != 0 || !errors.isEmpty()) {
                System.err.printf("git http-backend %s %s (exit %d): %s%n",
                        exchange.getRequestMethod(), exchange.getRequestURI(), exit, errors);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while serving " + exchange.getRequestURI(), e);
        } catch (ExecutionException e) {
            throw new IOException("git http-backend pump failed for " + exchange.getRequestURI(), e.getCause());
        } finally {
            process.destroyForcibly();
        }
    }

    /** A git command line; an inherited GIT_DIR, GIT_INDEX_FILE... (tests run from a git hook, say) would redirect it. */
    static ProcessBuilder gitCommand(String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("GIT_"));
        return builder;
    }

    private void cgiEnvironment(Map<String, String> env, HttpExchange exchange, String remoteUser) {
        env.put("GIT_PROJECT_ROOT", projectRoot.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REQUEST_METHOD", exchange.getRequestMethod());
        env.put("PATH_INFO", exchange.getRequestURI().getPath());
        String query = exchange.getRequestURI().getRawQuery();
        env.put("QUERY_STRING", query == null ? "" : query);
        env.put("REMOTE_ADDR", exchange.getRemoteAddress().getAddress().getHostAddress());
        if (remoteUser != null) {
            env.put("REMOTE_USER", remoteUser);
        }
        Headers headers = exchange.getRequestHeaders();
        putHeader(env, headers, "Content-Type", "CONTENT_TYPE");
        // Absent for a chunked request body; the backend then reads its stdin to the end.
        putHeader(env, headers, "Content-Length", "CONTENT_LENGTH");
        // The backend inflates a gzip body itself when told so (JGit gzips every fetch request, C git large ones).
        putHeader(env, headers, "Content-Encoding", "HTTP_CONTENT_ENCODING");
        // Protocol v2 is negotiated through this header.
        putHeader(env, headers, "Git-Protocol", "GIT_PROTOCOL");
    }

    private static void putHeader(Map<String, String> env, Headers headers, String header, String variable) {
        String value = headers.getFirst(header);
        if (value != null) {
            env.put(variable, value);
        }
    }

    private static void copyRequestBody(HttpExchange exchange, Process process) {
        try (InputStream body = exchange.getRequestBody(); OutputStream stdin = process.getOutputStream()) {
            body.transferTo(stdin);
        } catch (IOException e) {
            // The backend quit without reading everything (a refused request), or the client went away and the
            // backend saw a truncated body: either way the backend's own response and stderr tell what happened.
        }
    }

    /** Turns the CGI output (headers, a blank line, the body) into the HTTP response. */
    private static void sendResponse(HttpExchange exchange, InputStream cgi) throws IOException {
        int status = 200;
        long contentLength = -1;
        String line;
        while ((line = readLine(cgi)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new IOException("malformed header from git http-backend: " + line);
            }
            String name = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (name.equalsIgnoreCase("Status")) {
                status = Integer.parseInt(value.split(" ", 2)[0]);
            } else if (name.equalsIgnoreCase("Content-Length")) {
                // HttpServer writes this header itself, from the length given to sendResponseHeaders.
                contentLength = Long.parseLong(value);
            } else {
                exchange.getResponseHeaders().add(name, value);
            }
        }
        if (line == null) {
            // The backend died before finishing its headers; its stderr is logged by the caller.
            exchange.sendResponseHeaders(502, -1);
            return;
        }
        boolean bodyless = "HEAD".equals(exchange.getRequestMethod()) || status == 204 || status == 304
                || contentLength == 0;
        // To HttpServer a length of -1 means no body and 0 means chunked (the backend rarely announces a length).
        exchange.sendResponseHeaders(status, bodyless ? -1 : Math.max(contentLength, 0));
        if (!bodyless) {
            try (OutputStream body = exchange.getResponseBody()) {
                cgi.transferTo(body);
            }
        }
    }

    /** One header line, without its CR LF or LF; null at the end of the stream. Byte-wise, so no body is consumed. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
