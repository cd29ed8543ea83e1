package org.imagemanager.locals3;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalS3IT {
    @TempDir
    Path dir;

    @Test
    void startsARealS3ServerThatStoresObjectsWithMetadataAndStopsWhenClosed() throws Exception {
        LocalS3 s3 = LocalS3.start(dir);
        try (s3) {
            assertTrue(s3.endpoint().startsWith("http://127.0.0.1:"));
            assertFalse(s3.accessKey().isBlank());
            assertFalse(s3.secretKey().isBlank());
            try (S3Client client = client(s3, s3.secretKey())) {
                client.createBucket(b -> b.bucket("smoke"));
                client.putObject(p -> p.bucket("smoke").key("a/b.txt").metadata(Map.of("sha256", "abc")),
                        RequestBody.fromString("hello", StandardCharsets.UTF_8));
                ResponseBytes<GetObjectResponse> got = client.getObjectAsBytes(g -> g.bucket("smoke").key("a/b.txt"));
                assertEquals("hello", got.asUtf8String());
                assertEquals("abc", got.response().metadata().get("sha256"));
                ResponseBytes<GetObjectResponse> range = client.getObjectAsBytes(g -> g.bucket("smoke").key("a/b.txt").range("bytes=1-3"));
                assertEquals("ell", range.asUtf8String());
            }
            try (S3Client wrongSecret = client(s3, "not-the-secret")) {
                S3Exception refused = assertThrows(S3Exception.class, () -> wrongSecret.listBuckets());
                assertEquals(403, refused.statusCode());
            }
        }
        assertFalse(s3.isAlive(), "the server process is gone after close()");
        assertFalse(portOpen(s3.port()), "nothing listens on the port after close()");

        LocalS3 again = LocalS3.start(dir);
        try (again) {
            assertNotEquals(s3.accessKey(), again.accessKey(), "credentials are generated per start");
            try (S3Client client = client(again, again.secretKey())) {
                assertEquals("hello", client.getObjectAsBytes(g -> g.bucket("smoke").key("a/b.txt")).asUtf8String(),
                        "a restart on the same folder serves the same data");
            }
        }
    }

    private static S3Client client(LocalS3 s3, String secret) {
        return S3Client.builder()
                .endpointOverride(URI.create(s3.endpoint()))
                .region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), secret)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder())
                .build();
    }

    private static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
