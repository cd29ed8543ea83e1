package org.imagemanager.importer.mirror;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

/**
 * The S3 mirror, when {@code image-manager.mirror.bucket} is configured ({@code endpoint}, {@code region},
 * {@code access-key}, {@code secret-key}, {@code prefix} beside it). Without it, imports read upstream only.
 */
@Factory
public class MirrorFactory {
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "image-manager.mirror.bucket")
    S3Mirror mirror(@Value("${image-manager.mirror.endpoint:}") String endpoint,
                    @Value("${image-manager.mirror.region:us-east-1}") String region,
                    @Value("${image-manager.mirror.bucket}") String bucket,
                    @Value("${image-manager.mirror.access-key:}") String accessKey,
                    @Value("${image-manager.mirror.secret-key:}") String secretKey,
                    @Value("${image-manager.mirror.prefix:images}") String prefix) {
        S3MirrorConfig config = new S3MirrorConfig(endpoint.isBlank() ? null : endpoint, region, bucket,
                accessKey.isBlank() ? null : accessKey, secretKey.isBlank() ? null : secretKey, prefix);
        S3Mirror mirror = new S3Mirror(config);
        mirror.ensureBucket();
        return mirror;
    }
}
