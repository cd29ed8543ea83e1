package org.imagemanager.definition;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of a definitions file ({@code images: [...]}), with the keys of the reference tool.
 *
 * <p>{@code password} is read so that files of the reference's shape load, but it never leaves this record:
 * it is excluded from JSON (events) and from {@link #toString()}.
 */
@JsonIgnoreProperties(value = {"password"}, allowSetters = true)
public record ImageDefinition(
        String name,
        Boolean enable,
        String format,
        String login,
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String password,
        @JsonProperty("min_disk") Integer minDisk,
        @JsonProperty("min_ram") Integer minRam,
        String status,
        String visibility,
        Boolean multi,
        Boolean keep,
        String separator,
        String shortname,
        @JsonProperty("latest_url") String latestUrl,
        @JsonProperty("latest_checksum_url") String latestChecksumUrl,
        List<String> tags,
        Map<String, Object> meta,
        List<VersionDefinition> versions) {

    public static final String DEFAULT_SEPARATOR = " ";

    public ImageDefinition {
        Objects.requireNonNull(name, "name");
        tags = tags == null ? List.of() : List.copyOf(tags);
        meta = meta == null ? Map.of() : Collections2.immutableMapAllowingNulls(meta);
        versions = versions == null ? List.of() : List.copyOf(versions);
    }

    public boolean enabled() {
        return enable == null || enable;
    }

    /** {@code multi: true}: the newest version carries the plain name, older ones a suffix (the seed's rotation). */
    public boolean hasRotatingName() {
        return Boolean.TRUE.equals(multi);
    }

    public String effectiveSeparator() {
        return separator == null ? DEFAULT_SEPARATOR : separator;
    }

    public String effectiveVisibility() {
        return visibility == null ? "private" : visibility;
    }

    public String effectiveStatus() {
        return status == null ? "active" : status;
    }

    @Override
    public String toString() {
        return "ImageDefinition[name=" + name + ", multi=" + multi + ", versions=" + versions.size() + "]";
    }
}
