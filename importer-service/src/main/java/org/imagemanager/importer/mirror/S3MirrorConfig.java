package org.imagemanager.importer.mirror;

import java.util.Objects;

/**
 * Where verified images are mirrored: an S3 bucket (AWS, Ceph RGW, MinIO, S3Proxy, …).
 *
 * @param endpoint  endpoint override such as {@code https://s3.example.org} (then path-style access is used);
 *                  {@code null} for AWS S3 itself (virtual-hosted style)
 * @param region    signing region; any name for most non-AWS servers ({@code us-east-1} when {@code null})
 * @param bucket    an existing bucket
 * @param accessKey access key; {@code null} together with {@code secretKey} to use the SDK's default credential chain
 * @param secretKey secret key
 * @param prefix    key prefix of all mirrored images, without leading or trailing '/' (may be empty)
 * @param partSize  bytes per multipart part, 5 MiB to 1 GiB; a {@link MirrorUpload} holds at most two parts in
 *                  memory. With the default 16 MiB an object can have at most 10,000 × 16 MiB ≈ 156 GiB.
 */
public record S3MirrorConfig(String endpoint, String region, String bucket, String accessKey, String secretKey,
                             String prefix, int partSize) {
    public static final int DEFAULT_PART_SIZE = 16 * 1024 * 1024;
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;
    public static final int MAX_PART_SIZE = 1024 * 1024 * 1024;
    public static final String DEFAULT_REGION = "us-east-1";

    public S3MirrorConfig {
        Objects.requireNonNull(bucket, "bucket");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("bucket must not be blank");
        }
        region = region == null || region.isBlank() ? DEFAULT_REGION : region;
        endpoint = endpoint == null || endpoint.isBlank() ? null : endpoint.replaceAll("/+$", "");
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both accessKey and secretKey, or neither");
        }
        prefix = prefix == null ? "" : prefix.replaceAll("^/+|/+$", "");
        if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
            throw new IllegalArgumentException("partSize must be between 5 MiB and 1 GiB, found " + partSize);
        }
    }

    /** With the default part size of 16 MiB. */
    public S3MirrorConfig(String endpoint, String region, String bucket, String accessKey, String secretKey, String prefix) {
        this(endpoint, region, bucket, accessKey, secretKey, prefix, DEFAULT_PART_SIZE);
    }

    public S3MirrorConfig withPartSize(int partSize) {
        return new S3MirrorConfig(endpoint, region, bucket, accessKey, secretKey, prefix, partSize);
    }

    public S3MirrorConfig withPrefix(String prefix) {
        return new S3MirrorConfig(endpoint, region, bucket, accessKey, secretKey, prefix, partSize);
    }

    /** Never shows the secret key. */
    @Override
    public String toString() {
        return "S3MirrorConfig[endpoint=" + (endpoint == null ? "(AWS)" : endpoint) + ", region=" + region
                + ", bucket=" + bucket + ", accessKey=" + accessKey + ", secretKey=" + (secretKey == null ? null : "***")
                + ", prefix=" + prefix + ", partSize=" + partSize + "]";
    }
}
