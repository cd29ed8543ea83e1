package org.imagemanager.testsupport;

import org.imagemanager.locals3.LocalS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One real S3 server per test JVM (S3Proxy on a temporary folder, see {@link LocalS3}), started on first use and
 * stopped, its folder removed, when the JVM exits. Tests share it and keep apart through their own buckets
 * ({@link S3TestBucket}).
 *
 * <p>{@code IMAGE_MANAGER_TEST_S3} points the tests at a running S3 instead: {@code http://ACCESS:SECRET@host:port}
 * (user info percent-encoded), or the endpoint alone with {@code IMAGE_MANAGER_TEST_S3_ACCESS_KEY} and
 * {@code IMAGE_MANAGER_TEST_S3_SECRET_KEY}; {@code IMAGE_MANAGER_TEST_S3_REGION} defaults to {@code us-east-1}.
 * Clients use path-style access.
 */
public final class SharedS3 {
    public static final String ENV = "IMAGE_MANAGER_TEST_S3";

    /** Where the tests' S3 is and how to sign in to it. */
    public record Server(String endpoint, String region, String accessKey, String secretKey) {
        @Override
        public String toString() {
            return "S3 at " + endpoint + " (" + region + ", access key " + accessKey + ")";
        }

        /** A new sync client for this server (path-style, checksums only where S3 requires them); close it. */
        public S3Client newClient() {
            return S3Client.builder()
                    .endpointOverride(URI.create(endpoint))
                    .region(Region.of(region))
                    .forcePathStyle(true)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .httpClientBuilder(ApacheHttpClient.builder())
                    .build();
        }
    }

    private static Server server;
    private static S3Client client;

    private SharedS3() {
    }

    /** The shared server; starts the local one on first use unless {@code IMAGE_MANAGER_TEST_S3} names one. */
    public static synchronized Server server() {
        if (server == null) {
            String external = System.getenv(ENV);
            server = external != null && !external.isBlank() ? external(external.trim()) : startLocal();
        }
        return server;
    }

    /** One client for the shared server, shared by the tests of this JVM (thread-safe; do not close it). */
    public static synchronized S3Client client() {
        if (client == null) {
            client = server().newClient();
        }
        return client;
    }

    private static Server startLocal() {
        try {
            Path dir = Files.createTempDirectory("image-manager-test-s3");
            LocalS3 s3 = LocalS3.start(dir);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                s3.close();
                deleteRecursively(dir);
            }, "shared-s3-stop"));
            return new Server(s3.endpoint(), "us-east-1", s3.accessKey(), s3.secretKey());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the local S3 server", e);
        }
    }

    static Server external(String value) {
        URI uri = URI.create(value);
        String accessKey = System.getenv(ENV + "_ACCESS_KEY");
        String secretKey = System.getenv(ENV + "_SECRET_KEY");
        String userInfo = uri.getUserInfo(); // percent-decoded; a '+' stays a '+'
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalStateException(ENV + " user info must be ACCESS:SECRET");
            }
            accessKey = userInfo.substring(0, colon);
            secretKey = userInfo.substring(colon + 1);
        }
        if (accessKey == null || secretKey == null) {
            throw new IllegalStateException(ENV + " needs credentials: http://ACCESS:SECRET@host:port, or "
                    + ENV + "_ACCESS_KEY and " + ENV + "_SECRET_KEY");
        }
        String endpoint = uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        String region = System.getenv(ENV + "_REGION");
        return new Server(endpoint, region == null || region.isBlank() ? "us-east-1" : region, accessKey, secretKey);
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // best effort at JVM exit
                }
            });
        } catch (IOException ignored) {
            // best effort at JVM exit
        }
    }
}
