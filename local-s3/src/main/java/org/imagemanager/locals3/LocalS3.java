package org.imagemanager.locals3;

import org.imagemanager.localprocess.ChildJvm;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

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

    private final ChildJvm server;
    private final int port;
    private final Path directory;
    private final String accessKey;
    private final String secretKey;

    private LocalS3(ChildJvm server, int port, Path directory, String accessKey, String secretKey) {
        this.server = server;
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
        int port = ChildJvm.freePort();
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
        ChildJvm server = ChildJvm.start("S3Proxy", List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
                "-jar", serverJar().toString(),
                "--properties", properties.toAbsolutePath().toString()), directory, output, Map.of("LOG_LEVEL", "warn"));
        server.awaitReady(() -> answers(port), "answer on port " + port, START_TIMEOUT, Duration.ofMillis(100));
        return new LocalS3(server, port, directory, accessKey, secretKey);
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
        return server.isAlive();
    }

    /** Stops the server (its data stays in {@link #directory()}); idempotent. */
    @Override
    public void close() {
        server.close();
    }

    /** Any HTTP answer counts (an anonymous request is refused with 403 once the server is up). */
    private static boolean answers(int port) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
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

    private static byte[] randomBytes(SecureRandom random, int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }
}
