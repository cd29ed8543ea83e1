package org.imagemanager.importer.mirror;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The S3 mirror of verified images: one object per image file, written once by the importer that verified it, and
 * read by later imports (for other clouds) instead of the upstream URL.
 *
 * <p>An object counts only when it carries {@code verified=true} and the digest that a reader expects
 * ({@link #findVerified}). {@link MirrorUpload} makes sure no other object ever appears under a mirror key: bytes are
 * streamed into a multipart upload under a staging key ({@code <prefix>/.staging/…}) and published under the final
 * key, with their metadata, by a server-side copy only on {@link MirrorUpload#complete}. Give the bucket a lifecycle
 * rule that expires {@code <prefix>/.staging/} and aborts incomplete multipart uploads after a day, for what a
 * crashed importer leaves.
 *
 * <p>Thread-safe; one instance (one HTTP connection pool) serves all imports of a process. S3 failures in
 * {@link #findVerified} surface as the SDK's unchecked {@link SdkException}; {@link #open} and {@link MirrorUpload}
 * throw {@link IOException}.
 */
public final class S3Mirror implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(S3Mirror.class);
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");
    private static final int MAX_SEGMENT = 100;
    private static final int MAX_KEY_BYTES = 1024;
    static final String CONTENT_TYPE = "application/octet-stream";

    private final S3MirrorConfig config;
    private final S3Client s3;
    private final boolean ownsClient;
    private final ExecutorService partUploads;
    private final SecureRandom random = new SecureRandom();

    /** Objects up to this size are published with one CopyObject (S3 allows 5 GiB), larger ones by a multipart copy. */
    volatile long singleCopyLimit = 5L * 1024 * 1024 * 1024;
    /** Range per UploadPartCopy when publishing by multipart copy (S3 allows up to 5 GiB). */
    volatile long copyPartSize = 1024L * 1024 * 1024;

    public S3Mirror(S3MirrorConfig config) {
        this(config, client(config), true);
    }

    /** Over a client of the caller's, who keeps it (it must use path-style access where the server needs it). */
    public S3Mirror(S3MirrorConfig config, S3Client s3) {
        this(config, s3, false);
    }

    private S3Mirror(S3MirrorConfig config, S3Client s3, boolean ownsClient) {
        this.config = config;
        this.s3 = s3;
        this.ownsClient = ownsClient;
        AtomicInteger threads = new AtomicInteger();
        this.partUploads = Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "s3-mirror-part-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The SDK's sync client for {@code config}: Apache HTTP client, path-style when an endpoint is given, and checksums
     * only where S3 requires them (many S3-compatible servers reject the SDK's default trailing checksums).
     */
    public static S3Client client(S3MirrorConfig config) {
        AwsCredentialsProvider credentials = config.accessKey() == null
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKey(), config.secretKey()));
        S3ClientBuilder builder = S3Client.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60))
                        .maxConnections(64));
        if (config.endpoint() != null) {
            builder.endpointOverride(URI.create(config.endpoint())).forcePathStyle(true);
        }
        return builder.build();
    }

    public S3MirrorConfig config() {
        return config;
    }

    /**
     * The key of an image file: {@code <prefix>/<family>/<version>/<file name>}, each part made safe for S3 and URLs
     * (letters, digits, {@code . _ -}; case kept). A part that had to be changed (other characters, too long) gets a
     * short hash of its original appended, so distinct inputs keep distinct keys; the same input always gives the same
     * key.
     */
    public String keyFor(String family, String version, String fileName) {
        String path = segment(family, "family") + "/" + segment(version, "version") + "/" + segment(fileName, "fileName");
        return config.prefix().isEmpty() ? path : config.prefix() + "/" + path;
    }

    /**
     * Starts streaming an object to {@code key}; nothing is visible under the key before
     * {@link MirrorUpload#complete}. Close or {@link MirrorUpload#abort()} it on every other path.
     */
    public MirrorUpload begin(String key) {
        checkKey(key);
        return new MirrorUpload(this, key, config.partSize());
    }

    /**
     * The object under {@code key} if it exists, carries {@code verified=true} and stores the digest
     * {@code expectedDigest} ({@code sha256:<hex>} or {@code sha512:<hex>}, hex in either case), and its size agrees
     * with its {@code size} metadata; else empty.
     *
     * @throws IllegalArgumentException for another algorithm or a malformed digest
     * @throws SdkException             when S3 cannot be asked (other than "no such key")
     */
    /**
     * The verified object whose SOURCE (the file upstream published, e.g. compressed) had this digest, any algorithm:
     * recorded as {@code source-<algorithm>} when the object was completed.
     */
    /** Creates the bucket when it is missing (a fresh S3 server, a new deployment); an error is only logged. */
    public void ensureBucket() {
        try {
            s3.headBucket(b -> b.bucket(config.bucket()));
        } catch (S3Exception missing) {
            try {
                s3.createBucket(b -> b.bucket(config.bucket()));
            } catch (RuntimeException e) {
                LOG.warn("mirror bucket {} is missing and cannot be created: {}", config.bucket(), e.getMessage());
            }
        }
    }

    public Optional<MirrorObject> findVerifiedSource(String key, String algorithm, String hex) {
        checkKey(key);
        HeadObjectResponse head;
        try {
            head = s3.headObject(h -> h.bucket(config.bucket()).key(key));
        } catch (NoSuchKeyException missing) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        Map<String, String> metadata = head.metadata();
        String stored = metadata.get("source-" + algorithm.toLowerCase(java.util.Locale.ROOT));
        long size = head.contentLength() == null ? -1 : head.contentLength();
        if (!"true".equals(metadata.get(MirrorUpload.VERIFIED)) || stored == null || !stored.equalsIgnoreCase(hex)
                || metadata.get("sha512") == null || !Long.toString(size).equals(metadata.getOrDefault(MirrorUpload.SIZE, Long.toString(size)))) {
            return Optional.empty();
        }
        return Optional.of(new MirrorObject(config.bucket(), key, size, head.eTag(), head.lastModified(), metadata));
    }

    public Optional<MirrorObject> findVerified(String key, String expectedDigest) {
        checkKey(key);
        Digest expected = Digest.parse(expectedDigest);
        HeadObjectResponse head;
        try {
            head = s3.headObject(h -> h.bucket(config.bucket()).key(key));
        } catch (NoSuchKeyException missing) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
        Map<String, String> metadata = head.metadata();
        if (!"true".equals(metadata.get(MirrorUpload.VERIFIED))) {
            LOG.debug("mirror object {} is not marked verified", key);
            return Optional.empty();
        }
        String stored = metadata.get(expected.algorithm());
        if (stored == null || !stored.equalsIgnoreCase(expected.hex())) {
            LOG.debug("mirror object {} has {}={}, expected {}", key, expected.algorithm(), stored, expected.hex());
            return Optional.empty();
        }
        long size = head.contentLength() == null ? -1 : head.contentLength();
        String recordedSize = metadata.get(MirrorUpload.SIZE);
        if (recordedSize != null && !recordedSize.equals(Long.toString(size))) {
            LOG.warn("mirror object {} is {} bytes but recorded as {}", key, size, recordedSize);
            return Optional.empty();
        }
        return Optional.of(new MirrorObject(config.bucket(), key, size, head.eTag(), head.lastModified(), metadata));
    }

    /** Streams the object under {@code key} from its start; see {@link #open(String, long)}. */
    public InputStream open(String key) throws IOException {
        return open(key, 0);
    }

    /**
     * Streams the object under {@code key} from byte {@code offset} (a ranged GET when above 0). Should the connection
     * break, the stream carries on with a ranged GET from where it stopped, pinned to the object's ETag (an object
     * replaced meanwhile fails the read instead of mixing bytes). Close it when done; closing early drops the
     * connection instead of reading the rest.
     *
     * @throws java.io.FileNotFoundException when there is no such object
     */
    public InputStream open(String key, long offset) throws IOException {
        checkKey(key);
        if (offset < 0) {
            throw new IllegalArgumentException("offset < 0");
        }
        return MirrorInputStream.open(s3, config.bucket(), key, offset);
    }

    /** Closes the client when this mirror made it; uploads still running fail. */
    @Override
    public void close() {
        partUploads.shutdownNow();
        if (ownsClient) {
            s3.close();
        }
    }

    // ---- used by MirrorUpload ---------------------------------------------------------------------------------------

    ExecutorService partUploads() {
        return partUploads;
    }

    String stagingKey() {
        byte[] id = new byte[12];
        random.nextBytes(id);
        String name = ".staging/" + HexFormat.of().formatHex(id);
        return config.prefix().isEmpty() ? name : config.prefix() + "/" + name;
    }

    String createMultipartUpload(String key) throws IOException {
        try {
            return s3.createMultipartUpload(c -> c.bucket(config.bucket()).key(key).contentType(CONTENT_TYPE)).uploadId();
        } catch (SdkException e) {
            throw new IOException("cannot begin a multipart upload to s3://" + config.bucket() + "/" + key + ": " + e.getMessage(), e);
        }
    }

    CompletedPart uploadPart(String key, String uploadId, int partNumber, byte[] buffer, int length) {
        // A stream over the buffer, not a copy of it (RequestBody.fromBytes would copy); re-readable for signing and retries.
        RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE);
        String eTag = s3.uploadPart(u -> u.bucket(config.bucket()).key(key).uploadId(uploadId).partNumber(partNumber)
                .contentLength((long) length), body).eTag();
        return CompletedPart.builder().partNumber(partNumber).eTag(eTag).build();
    }

    void completeMultipartUpload(String key, String uploadId, List<CompletedPart> parts) {
        s3.completeMultipartUpload(c -> c.bucket(config.bucket()).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
    }

    void abortMultipartUpload(String key, String uploadId) {
        s3.abortMultipartUpload(a -> a.bucket(config.bucket()).key(key).uploadId(uploadId));
    }

    void putObject(String key, byte[] buffer, int length, Map<String, String> metadata) {
        RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, CONTENT_TYPE);
        s3.putObject(p -> p.bucket(config.bucket()).key(key).contentType(CONTENT_TYPE).contentLength((long) length)
                .metadata(metadata), body);
    }

    /**
     * Copies the completed staging object to {@code key} with {@code metadata}, server-side, then removes it. (A copy
     * of the wrong length would not be found: {@link #findVerified} compares the length with the {@code size} stored.)
     */
    void publish(String stagingKey, String key, long size, Map<String, String> metadata) {
        String bucket = config.bucket();
        try {
            if (size <= singleCopyLimit) {
                s3.copyObject(c -> c.sourceBucket(bucket).sourceKey(stagingKey).destinationBucket(bucket).destinationKey(key)
                        .metadataDirective(MetadataDirective.REPLACE).metadata(metadata).contentType(CONTENT_TYPE));
            } else {
                multipartCopy(stagingKey, key, size, metadata);
            }
        } finally {
            deleteQuietly(stagingKey);
        }
    }

    private void multipartCopy(String source, String key, long size, Map<String, String> metadata) {
        String bucket = config.bucket();
        String uploadId = s3.createMultipartUpload(c -> c.bucket(bucket).key(key).contentType(CONTENT_TYPE).metadata(metadata)).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long step = Math.max(copyPartSize, (size + 9_999) / 10_000);
            for (long from = 0; from < size; from += step) {
                int partNumber = parts.size() + 1;
                String range = "bytes=" + from + "-" + (Math.min(from + step, size) - 1);
                String eTag = s3.uploadPartCopy(u -> u.sourceBucket(bucket).sourceKey(source).copySourceRange(range)
                        .destinationBucket(bucket).destinationKey(key).uploadId(uploadId).partNumber(partNumber))
                        .copyPartResult().eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
            }
            completeMultipartUpload(key, uploadId, parts);
        } catch (RuntimeException e) {
            try {
                abortMultipartUpload(key, uploadId);
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    void deleteQuietly(String key) {
        try {
            s3.deleteObject(d -> d.bucket(config.bucket()).key(key));
        } catch (RuntimeException e) {
            LOG.warn("cannot delete s3://{}/{} (a lifecycle rule on the staging prefix will): {}", config.bucket(), key, e.toString());
        }
    }

    String location(String key) {
        return "s3://" + config.bucket() + "/" + key;
    }

    // ---- keys and digests -------------------------------------------------------------------------------------------

    static String segment(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        if (value.length() <= MAX_SEGMENT && SAFE_SEGMENT.matcher(value).matches() && !value.equals(".") && !value.equals("..")) {
            return value;
        }
        String slug = value.trim().replaceAll("[^A-Za-z0-9._-]+", "-")
                .replaceAll("^[-.]+|[-.]+$", "");
        if (slug.length() > MAX_SEGMENT - 9) {
            slug = slug.substring(0, MAX_SEGMENT - 9).replaceAll("[-.]+$", "");
        }
        String hash = HexFormat.of().formatHex(sha256(value.getBytes(StandardCharsets.UTF_8)), 0, 4);
        return slug.isEmpty() ? hash : slug + "-" + hash;
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("not a usable S3 key: '" + key + "'");
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code sha256:<64 hex>} or {@code sha512:<128 hex>}, normalised to lower case. */
    record Digest(String algorithm, String hex) {
        static Digest parse(String digest) {
            if (digest == null) {
                throw new IllegalArgumentException("expected digest must not be null");
            }
            int colon = digest.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("digest must be 'algo:hex', found '" + digest + "'");
            }
            String algorithm = digest.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String hex = digest.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            int length = switch (algorithm) {
                case "sha256" -> 64;
                case "sha512" -> 128;
                default -> throw new IllegalArgumentException("the mirror is looked up by sha256 or sha512, not '" + algorithm + "'");
            };
            if (hex.length() != length || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new IllegalArgumentException("not a " + algorithm + " hex digest: '" + hex + "'");
            }
            return new Digest(algorithm, hex);
        }
    }
}
