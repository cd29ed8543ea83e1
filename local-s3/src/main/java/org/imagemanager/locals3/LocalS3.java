package org.imagemanager.locals3;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 server on 127.0.0.1: S3Proxy storing its buckets in a local folder, run as a child JVM.
 *
 * <p>It speaks the S3 REST API (AWS signature v2 and v4, multipart uploads, user metadata, ranged reads) with
 * credentials generated per start. Clients use path-style access and {@link #endpoint()} as endpoint override; any
 * region name is accepted. The server's self-contained jar was resolved by Maven when this module was built (see this
 * module's pom); it is never on the caller's classpath.
 */
public final class LocalS3 implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final int port;
    private final Path directory;
    private final String accessKey;
    private final String secretKey;

    private LocalS3(Process process, int port, Path directory, String accessKey, String secretKey) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
    }

    /**
     * Starts a server on a free port that keeps its buckets under {@code directory}/data (existing buckets there are
     * served again); returns when it answers HTTP requests.
     */
    public static LocalS3 start(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path data = Files.createDirectories(directory.resolve("data"));
        int port = freePort();
        SecureRandom random = new SecureRandom();
        String accessKey = "LOCAL" + HexFormat.of().withUpperCase().formatHex(randomBytes(random, 8));
        String secretKey = HexFormat.of().formatHex(randomBytes(random, 20));
        Path properties = directory.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + accessKey,
                "s3proxy.credential=" + secretKey,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + data.toAbsolutePath(),
                ""), StandardCharsets.UTF_8);
        Path output = directory.resolve("s3proxy.out");
        ProcessBuilder builder = new ProcessBuilder(List.of(java(), "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-jar", serverJar().toString(),
                "--properties", properties.toAbsolutePath().toString()))
                .directory(directory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().putIfAbsent("LOG_LEVEL", "warn");
        Process process = builder.start();
        LocalS3 server = new LocalS3(process, port, directory, accessKey, secretKey);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "local-s3-stop"));
        server.awaitAnswer();
        return server;
    }

    /** {@code http://127.0.0.1:<port>}: the endpoint override for S3 clients (path-style access). */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The folder given to {@link #start(Path)}: properties, the server's output ({@code s3proxy.out}) and {@code data/}. */
    public Path directory() {
        return directory;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the server (its data stays in {@link #directory()}); idempotent. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void awaitAnswer() throws IOException {
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited with " + process.exitValue() + ": " + tail(directory.resolve("s3proxy.out")));
            }
            if (answers()) {
                return;
            }
            sleep(100);
        }
        close();
        throw new IOException("S3Proxy did not answer on port " + port + " within " + START_TIMEOUT + ": "
                + tail(directory.resolve("s3proxy.out")));
    }

    /** Any HTTP answer counts (an anonymous request is refused with 403 once the server is up). */
    private boolean answers() {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            try {
                return connection.getResponseCode() > 0;
            } finally {
                connection.disconnect();
            }
        } catch (IOException notYet) {
            return false;
        }
    }

    /** The S3Proxy jar-with-dependencies that Maven resolved when this module was built. */
    static Path serverJar() throws IOException {
        try (InputStream in = LocalS3.class.getResourceAsStream("s3proxy.classpath")) {
            if (in == null) {
                throw new IOException("s3proxy.classpath resource missing: build the local-s3 module with Maven");
            }
            String classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            if (classpath.isEmpty() || classpath.contains(java.io.File.pathSeparator)) {
                throw new IOException("s3proxy.classpath should name exactly one jar, found '" + classpath + "'");
            }
            Path jar = Path.of(classpath);
            if (!Files.isRegularFile(jar)) {
                throw new IOException("S3Proxy jar " + jar + " is missing: build the local-s3 module with Maven again");
            }
            return jar;
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    private static byte[] randomBytes(SecureRandom random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try {
            String text = Files.readString(file);
            return text.length() > 2000 ? text.substring(text.length() - 2000) : text;
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }
}
