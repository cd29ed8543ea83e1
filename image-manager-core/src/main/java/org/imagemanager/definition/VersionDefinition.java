package org.imagemanager.definition;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Map;

/** One entry of an image's {@code versions} list. */
public record VersionDefinition(
        String version,
        String url,
        @JsonProperty("mirror_url") String mirrorUrl,
        String checksum,
        @JsonProperty("checksum_url") String checksumUrl,
        @JsonProperty("checksums_url") String checksumsUrl,
        @JsonProperty("build_date") String buildDate,
        String visibility,
        Boolean hidden,
        @JsonProperty("os_version") String osVersion,
        Map<String, Object> meta,
        @JsonProperty("image_description") String imageDescription,
        String source,
        String id) {

    public VersionDefinition {
        meta = meta == null ? Map.of() : Collections2.immutableMapAllowingNulls(meta);
    }
}
