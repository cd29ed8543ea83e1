package org.imagemanager.importer.mirror;

import org.imagemanager.testsupport.S3TestBucket;
import org.imagemanager.testsupport.SharedS3;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The mirror against a real S3 server (S3Proxy from {@link SharedS3}), a fresh bucket per test. */
class S3MirrorIT {
    private static final int MiB = 1024 * 1024;
    private static final String SOURCE = "https://cloud-images.example.org/noble/20250101/noble-server-cloudimg-amd64.img";

    @RegisterExtension
    final S3TestBucket bucket = new S3TestBucket();

    private S3Mirror mirror;

    @BeforeEach
    void mirror() {
        SharedS3.Server s3 = bucket.server();
        mirror = new S3Mirror(new S3MirrorConfig(s3.endpoint(), s3.region(), bucket.name(), s3.accessKey(), s3.secretKey(), "images"));
    }

    @AfterEach
    void close() {
        mirror.close();
    }

    @Test
    void streamsA40MiBImageThroughMultipartAndReadsItBackByteIdenticalWithItsMetadata() throws Exception {
        GeneratedBytes image = new GeneratedBytes(40, 40L * MiB);
        String key = mirror.keyFor("ubuntu-24.04", "20250101", "noble-server-cloudimg-amd64.img");
        GeneratedBytes.Digests digests;
        try (MirrorUpload upload = mirror.begin(key)) {
            digests = image.writeTo(upload);
            assertEquals(40L * MiB, upload.size());
            assertEquals(2, upload.partsStarted(), "16 MiB parts 1 and 2 went out while writing; the last one waits for complete()");
            assertTrue(bucket.keys().isEmpty(), "nothing is visible before complete()");
            upload.complete(Map.of("sha256", digests.sha256(), "sha512", digests.sha512(), "source-url", SOURCE));
            assertEquals(3, upload.partsStarted(), "16 + 16 + 8 MiB");
            assertEquals(2, upload.buffersAllocated(), "one buffer filling, one uploading, reused");
            assertTrue(upload.isCompleted());
        }

        assertEquals(List.of(key), bucket.keys(), "the image only: the staging object is gone");
        assertTrue(bucket.pendingUploads().isEmpty());
        HeadObjectResponse head = bucket.client().headObject(h -> h.bucket(bucket.name()).key(key));
        assertEquals(40L * MiB, head.contentLength());
        assertEquals(Map.of("verified", "true", "sha256", digests.sha256(), "sha512", digests.sha512(),
                "size", Long.toString(40L * MiB), "source-url", SOURCE), head.metadata());

        MirrorObject found = mirror.findVerified(key, "sha256:" + digests.sha256()).orElseThrow();
        assertEquals(40L * MiB, found.size());
        assertEquals(Optional.of(digests.sha512()), found.digest("sha512"));
        assertEquals(Optional.of(SOURCE), found.sourceUrl());
        assertTrue(mirror.findVerified(key, "SHA512:" + digests.sha512().toUpperCase()).isPresent());

        try (InputStream in = mirror.open(key)) {
            image.assertSameFrom(0, in);
        }
        long offset = 17L * MiB + 5;
        try (InputStream in = mirror.open(key, offset)) {
            image.assertSameFrom(offset, in);
        }
        try (InputStream in = mirror.open(key)) {
            assertEquals(25L * MiB, in.skip(25L * MiB), "a long skip becomes a ranged GET");
            image.assertSameFrom(25L * MiB, in);
        }
        try (InputStream in = mirror.open(key, 40L * MiB)) {
            assertEquals(-1, in.read(), "reading from the very end gives nothing");
        }
    }

    @Test
    void publishesObjectsAboveTheSingleCopyLimitByMultipartCopy() throws Exception {
        mirror.singleCopyLimit = 10L * MiB;
        mirror.copyPartSize = 8L * MiB;
        GeneratedBytes image = new GeneratedBytes(24, 24L * MiB + 3);
        String key = mirror.keyFor("debian-12", "20250101-2000", "debian-12-genericcloud-amd64.qcow2");
        GeneratedBytes.Digests digests;
        try (MirrorUpload upload = mirror.begin(key)) {
            digests = image.writeTo(upload);
            upload.complete(Map.of("sha512", digests.sha512()));
        }
        assertEquals(List.of(key), bucket.keys());
        assertTrue(bucket.pendingUploads().isEmpty());
        MirrorObject found = mirror.findVerified(key, "sha512:" + digests.sha512()).orElseThrow();
        assertEquals(24L * MiB + 3, found.size());
        try (InputStream in = mirror.open(key)) {
            image.assertSameFrom(0, in);
        }
    }

    @Test
    void anImageSmallerThanOnePartGoesInOnePutObject() throws Exception {
        GeneratedBytes image = new GeneratedBytes(1, 300_000);
        String key = mirror.keyFor("cirros", "0.6.3", "cirros-0.6.3-x86_64-disk.img");
        GeneratedBytes.Digests digests;
        try (MirrorUpload upload = mirror.begin(key)) {
            digests = image.writeTo(upload);
            upload.complete(Map.of("sha256", digests.sha256(), "Source-URL", SOURCE));
            assertEquals(0, upload.partsStarted());
            assertEquals(1, upload.buffersAllocated());
        }
        MirrorObject found = mirror.findVerified(key, "sha256:" + digests.sha256()).orElseThrow();
        assertEquals(300_000, found.size());
        assertEquals(Optional.of(SOURCE), found.sourceUrl());
        try (InputStream in = mirror.open(key)) {
            image.assertSameFrom(0, in);
        }
    }

    @Test
    void abortLeavesNoObjectAndNoPendingMultipartUpload() throws Exception {
        String key = mirror.keyFor("fedora", "41", "Fedora-Cloud-Base-41.qcow2");
        MirrorUpload upload = mirror.begin(key);
        new GeneratedBytes(7, 20L * MiB).writeTo(upload);
        assertEquals(1, upload.partsStarted());
        assertEquals(1, bucket.pendingUploads().size(), "a multipart upload is under way");
        upload.abort();
        upload.abort(); // idempotent

        assertTrue(bucket.pendingUploads().isEmpty());
        assertTrue(bucket.keys().isEmpty());
        assertFalse(upload.isOpen());
        assertThrows(IOException.class, () -> upload.write(1));
        assertThrows(IOException.class, () -> upload.complete(Map.of("sha256", "0".repeat(64))));
        assertEquals(Optional.empty(), mirror.findVerified(key, "sha256:" + "0".repeat(64)));
    }

    @Test
    void closingWithoutCompletingAbortsToo() throws Exception {
        String key = mirror.keyFor("alma", "9.5", "AlmaLinux-9-GenericCloud-9.5.x86_64.qcow2");
        try (MirrorUpload upload = mirror.begin(key)) {
            new GeneratedBytes(8, 33L * MiB).writeTo(upload); // two parts out, the third in memory
            assertEquals(2, upload.partsStarted());
            // say the digest did not match: no complete()
        }
        assertTrue(bucket.pendingUploads().isEmpty());
        assertTrue(bucket.keys().isEmpty());
    }

    @Test
    void completeRefusesMetadataWithoutADigestOrWithTheWrongSizeAndLeavesTheUploadOpenForAbort() throws Exception {
        String key = mirror.keyFor("rocky", "9", "rocky.qcow2");
        MirrorUpload upload = mirror.begin(key);
        new GeneratedBytes(9, 17L * MiB).writeTo(upload);
        assertThrows(IllegalArgumentException.class, () -> upload.complete(Map.of("source-url", SOURCE)));
        assertThrows(IllegalArgumentException.class, () -> upload.complete(Map.of("sha256", "abc")));
        assertThrows(IllegalArgumentException.class, () -> upload.complete(Map.of("sha256", "0".repeat(64), "size", "12")));
        assertThrows(IllegalArgumentException.class, () -> upload.complete(Map.of("sha256", "0".repeat(64), "verified", "false")));
        assertTrue(upload.isOpen());
        upload.abort();
        assertTrue(bucket.pendingUploads().isEmpty());
        assertTrue(bucket.keys().isEmpty());
    }

    @Test
    void findVerifiedRefusesAWrongDigestAMissingObjectAndAnObjectNotMarkedVerified() throws Exception {
        GeneratedBytes image = new GeneratedBytes(3, 1000);
        String key = mirror.keyFor("cirros", "0.6.2", "cirros.img");
        GeneratedBytes.Digests digests;
        try (MirrorUpload upload = mirror.begin(key)) {
            digests = image.writeTo(upload);
            upload.complete(Map.of("sha256", digests.sha256(), "sha512", digests.sha512()));
        }
        String otherSha256 = "f".repeat(64);
        assertTrue(mirror.findVerified(key, "sha256:" + digests.sha256()).isPresent());
        assertEquals(Optional.empty(), mirror.findVerified(key, "sha256:" + otherSha256), "wrong digest");
        assertEquals(Optional.empty(), mirror.findVerified(key, "sha512:" + "0".repeat(128)), "wrong sha512");
        assertEquals(Optional.empty(), mirror.findVerified(mirror.keyFor("cirros", "0.6.2", "missing.img"),
                "sha256:" + digests.sha256()), "missing object");
        assertThrows(FileNotFoundException.class, () -> mirror.open(mirror.keyFor("cirros", "0.6.2", "missing.img")));

        // Written by someone else: right digest, but no verified=true (or not "true").
        String unverified = mirror.keyFor("cirros", "0.6.2", "unverified.img");
        putRaw(unverified, Map.of("sha256", digests.sha256()));
        assertEquals(Optional.empty(), mirror.findVerified(unverified, "sha256:" + digests.sha256()));
        String falsely = mirror.keyFor("cirros", "0.6.2", "verified-false.img");
        putRaw(falsely, Map.of("sha256", digests.sha256(), "verified", "false"));
        assertEquals(Optional.empty(), mirror.findVerified(falsely, "sha256:" + digests.sha256()));
        // verified, but its size disagrees with what was recorded (truncated copy)
        String truncated = mirror.keyFor("cirros", "0.6.2", "truncated.img");
        putRaw(truncated, Map.of("sha256", digests.sha256(), "verified", "true", "size", "1001"));
        assertEquals(Optional.empty(), mirror.findVerified(truncated, "sha256:" + digests.sha256()));

        assertThrows(IllegalArgumentException.class, () -> mirror.findVerified(key, "md5:" + "0".repeat(32)));
        assertThrows(IllegalArgumentException.class, () -> mirror.findVerified(key, digests.sha256()));
        assertThrows(IllegalArgumentException.class, () -> mirror.findVerified(key, "sha256:xyz"));
    }

    @Test
    void aFailingMirrorFailsItsUploadButNotTheStreamThatFeedsIt() throws Exception {
        SharedS3.Server s3 = bucket.server();
        S3MirrorConfig noBucket = new S3MirrorConfig(s3.endpoint(), s3.region(), bucket.name() + "-missing",
                s3.accessKey(), s3.secretKey(), "images");
        GeneratedBytes image = new GeneratedBytes(5, 20L * MiB);
        try (S3Mirror broken = new S3Mirror(noBucket); MirrorUpload upload = broken.begin(broken.keyFor("a", "1", "a.img"))) {
            MirroringInputStream tee = new MirroringInputStream(image.newInputStream(), upload);
            image.assertSameFrom(0, tee);
            assertFalse(tee.mirrorIntact());
            assertTrue(tee.mirrorFailure().isPresent());
            assertFalse(upload.isOpen(), "a failed upload is aborted at once");
            assertThrows(IOException.class, () -> upload.write(new byte[10]));
        }
    }

    @Test
    void theTeeFeedsTheMirrorWhileTheReaderConsumesTheSource() throws Exception {
        GeneratedBytes image = new GeneratedBytes(6, 18L * MiB + 1);
        String key = mirror.keyFor("ubuntu-22.04", "20250101", "jammy.img");
        try (MirrorUpload upload = mirror.begin(key)) {
            MirroringInputStream tee = new MirroringInputStream(image.newInputStream(), upload);
            try (InputStream consumed = tee) {
                image.assertSameFrom(0, consumed); // stands in for the Glance upload
            }
            assertTrue(tee.mirrorIntact());
            Map<String, String> metadata = new HashMap<>();
            metadata.put("sha512", "1".repeat(128));
            metadata.put("source-url", "https://example.org/caf\u00e9/jammy.img");
            upload.complete(metadata);
        }
        MirrorObject found = mirror.findVerified(key, "sha512:" + "1".repeat(128)).orElseThrow();
        assertEquals(Optional.of("https://example.org/caf%C3%A9/jammy.img"), found.sourceUrl());
        try (InputStream in = mirror.open(key)) {
            image.assertSameFrom(0, in);
        }
    }

    @Test
    void aReadThatBreaksHalfWayCarriesOnWithARangedGet() throws Exception {
        GeneratedBytes image = new GeneratedBytes(11, 30L * MiB);
        String key = mirror.keyFor("centos", "stream9", "centos.qcow2");
        try (MirrorUpload upload = mirror.begin(key)) {
            image.writeTo(upload);
            upload.complete(Map.of("sha256", "2".repeat(64)));
        }
        SharedS3.Server s3 = bucket.server();
        int port = java.net.URI.create(s3.endpoint()).getPort();
        try (CuttingProxy proxy = new CuttingProxy(port, 6L * MiB, 2);
             S3Mirror flaky = new S3Mirror(new S3MirrorConfig(proxy.endpoint(), s3.region(), bucket.name(),
                     s3.accessKey(), s3.secretKey(), "images"))) {
            try (InputStream in = flaky.open(key)) {
                image.assertSameFrom(0, in);
            }
            assertEquals(2, proxy.cutsDone(), "the connection was cut twice and the read went on");
        }
    }

    @Test
    void aReadThatBreaksAfterTheObjectWasReplacedFailsInsteadOfMixingBytes() throws Exception {
        GeneratedBytes first = new GeneratedBytes(12, 20L * MiB);
        String key = mirror.keyFor("centos", "stream10", "centos.qcow2");
        try (MirrorUpload upload = mirror.begin(key)) {
            first.writeTo(upload);
            upload.complete(Map.of("sha256", "3".repeat(64)));
        }
        SharedS3.Server s3 = bucket.server();
        int port = java.net.URI.create(s3.endpoint()).getPort();
        try (CuttingProxy proxy = new CuttingProxy(port, 6L * MiB, 1);
             S3Mirror flaky = new S3Mirror(new S3MirrorConfig(proxy.endpoint(), s3.region(), bucket.name(),
                     s3.accessKey(), s3.secretKey(), "images"));
             InputStream in = flaky.open(key)) {
            in.readNBytes(MiB);
            try (MirrorUpload replace = mirror.begin(key)) {
                new GeneratedBytes(13, 20L * MiB).writeTo(replace);
                replace.complete(Map.of("sha256", "4".repeat(64)));
            }
            IOException broken = assertThrows(IOException.class, () -> in.transferTo(java.io.OutputStream.nullOutputStream()));
            assertTrue(broken.getMessage().contains("replaced"), broken.getMessage());
        }
    }

    private void putRaw(String key, Map<String, String> metadata) {
        bucket.client().putObject(p -> p.bucket(bucket.name()).key(key).metadata(metadata),
                RequestBody.fromBytes(new byte[1000]));
    }
}
