package org.imagemanager.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves the bare repositories under one folder over git's smart HTTP protocol on 127.0.0.1, fetch and push, through
 * the real {@code git http-backend}: what tests clone from and push to stands in for a git hosting service.
 */
public final class GitHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final Path root;
    private final GitHttpBackend backend;
    private final AtomicInteger requests = new AtomicInteger();
    private volatile BasicAuth auth;

    private GitHttpServer(HttpServer server, ExecutorService executor, Path root) {
        this.server = server;
        this.executor = executor;
        this.root = root;
        this.backend = new GitHttpBackend(root, executor);
    }

    /** Starts serving the bare repositories under {@code root} (each {@code <name>.git}) on a free port. */
    public static GitHttpServer start(Path root) {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a port on 127.0.0.1 for the git HTTP server", e);
        }
        // Unbounded: besides the exchanges it runs the pipes of every running backend (two per exchange).
        ExecutorService executor = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "git-http-server");
            thread.setDaemon(true);
            return thread;
        });
        GitHttpServer git = new GitHttpServer(server, executor, root.toAbsolutePath());
        server.createContext("/", git::handle);
        server.setExecutor(executor);
        server.start();
        return git;
    }

    /** From now on every request needs these credentials (HTTP Basic); pushes run as {@code user}. */
    public GitHttpServer requireBasicAuth(String user, String password) {
        byte[] credentials = (user + ":" + password).getBytes(StandardCharsets.UTF_8);
        auth = new BasicAuth(user, "Basic " + Base64.getEncoder().encodeToString(credentials));
        return this;
    }

    /** Creates the empty bare repository {@code <root>/<name>.git} (branch {@code main}, push allowed); returns its clone URL. */
    public String createBareRepository(String name) {
        Path repository = repositoryPath(name);
        git("init", "--quiet", "--bare", "--initial-branch=main", repository.toString());
        // The backend refuses pushes from anonymous users unless the repository opts in.
        git("--git-dir=" + repository, "config", "http.receivepack", "true");
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + ".git";
    }

    public Path repositoryPath(String name) {
        return root.resolve(name + ".git");
    }

    /** HTTP requests received so far (a fetch or push takes two or more), to tell whether a client went to the server. */
    public int requestCount() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) {
        requests.incrementAndGet();
        try (exchange) {
            BasicAuth required = auth;
            if (required != null && !required.header().equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            backend.serve(exchange, required == null ? null : required.user());
        } catch (IOException | RuntimeException e) {
            // HttpServer would swallow it silently; the client only sees a broken response.
            System.err.println("git HTTP server failed on " + exchange.getRequestMethod() + " " + exchange.getRequestURI());
            e.printStackTrace();
        }
    }

    private static void git(String... args) {
        ProcessBuilder builder = GitHttpBackend.gitCommand(args).redirectErrorStream(true);
        String command = String.join(" ", builder.command());
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException(command + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    /** The user a request must authenticate as, and the {@code Authorization} header that does it. */
    private record BasicAuth(String user, String header) {
    }
}
