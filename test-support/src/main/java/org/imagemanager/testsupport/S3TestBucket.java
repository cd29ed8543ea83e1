package org.imagemanager.testsupport;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A fresh, empty bucket on {@link SharedS3} for each test, removed with everything in it (objects and pending
 * multipart uploads) after the test:
 *
 * <pre>{@code
 * @RegisterExtension
 * final S3TestBucket bucket = new S3TestBucket();
 * ... bucket.name(), bucket.server(), bucket.client()
 * }</pre>
 *
 * <p>Outside JUnit, {@link #create(String)} and {@link #close()} do the same by hand.
 */
public final class S3TestBucket implements BeforeEachCallback, AfterEachCallback, AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private String name;

    /** Registered as a JUnit extension: a new bucket before each test. */
    public S3TestBucket() {
    }

    private S3TestBucket(String name) {
        this.name = name;
    }

    /** Creates a bucket whose name starts with {@code imt-} and a slug of {@code hint}; {@link #close()} removes it. */
    public static S3TestBucket create(String hint) {
        String name = bucketName(hint);
        SharedS3.client().createBucket(b -> b.bucket(name));
        return new S3TestBucket(name);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        String hint = context.getTestMethod().map(method -> method.getName()).orElse(context.getDisplayName());
        name = bucketName(hint);
        SharedS3.client().createBucket(b -> b.bucket(name));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** The bucket of the running test. */
    public String name() {
        if (name == null) {
            throw new IllegalStateException("no bucket yet: register S3TestBucket with @RegisterExtension (not static)");
        }
        return name;
    }

    public SharedS3.Server server() {
        return SharedS3.server();
    }

    /** The shared client (do not close it). */
    public S3Client client() {
        return SharedS3.client();
    }

    /** The keys of all objects in the bucket, in S3's order. */
    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        client().listObjectsV2Paginator(l -> l.bucket(name())).contents().forEach(object -> keys.add(object.key()));
        return keys;
    }

    /** The multipart uploads begun in this bucket and neither completed nor aborted. */
    public List<MultipartUpload> pendingUploads() {
        return new ArrayList<>(client().listMultipartUploads(l -> l.bucket(name())).uploads());
    }

    /** Aborts pending uploads, deletes every object and the bucket itself; idempotent. */
    @Override
    public void close() {
        if (name == null) {
            return;
        }
        S3Client s3 = client();
        String bucket = name;
        name = null;
        try {
            for (MultipartUpload upload : s3.listMultipartUploads(l -> l.bucket(bucket)).uploads()) {
                s3.abortMultipartUpload(a -> a.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
            }
            for (S3Object object : s3.listObjectsV2Paginator(l -> l.bucket(bucket)).contents()) {
                s3.deleteObject(d -> d.bucket(bucket).key(object.key()));
            }
            s3.deleteBucket(d -> d.bucket(bucket));
        } catch (NoSuchBucketException alreadyGone) {
            // the test removed it itself
        }
    }

    /** {@code imt-<slug>-<8 random hex>}: 3 to 63 characters of [a-z0-9-], as S3 wants bucket names. */
    static String bucketName(String hint) {
        String slug = hint == null ? "" : hint.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 40) {
            slug = slug.substring(0, 40).replaceAll("-+$", "");
        }
        byte[] random = new byte[4];
        RANDOM.nextBytes(random);
        return "imt-" + (slug.isEmpty() ? "" : slug + "-") + HexFormat.of().formatHex(random);
    }
}
