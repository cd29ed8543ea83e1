package org.imagemanager.importer.mirror;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * An object in the mirror, as {@link S3Mirror#findVerified(String, String)} found it.
 *
 * @param metadata the object's user metadata (lower-case keys without {@code x-amz-meta-}): {@code verified},
 *                 {@code sha256} and/or {@code sha512}, {@code size}, {@code source-url}, …
 */
public record MirrorObject(String bucket, String key, long size, String eTag, Instant lastModified,
                           Map<String, String> metadata) {
    public MirrorObject {
        metadata = Map.copyOf(metadata);
    }

    /** The stored hex digest of {@code algorithm} ({@code sha256}, {@code sha512}, …), if any. */
    public Optional<String> digest(String algorithm) {
        return Optional.ofNullable(metadata.get(algorithm));
    }

    public Optional<String> sourceUrl() {
        return Optional.ofNullable(metadata.get(MirrorUpload.SOURCE_URL));
    }
}
