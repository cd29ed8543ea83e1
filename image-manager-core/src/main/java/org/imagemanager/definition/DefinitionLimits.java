package org.imagemanager.definition;

import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How large definitions may be, checked before a byte is parsed. The reference project's largest file is far below
 * 100 KiB; a file of megabytes is a mistake (a committed image, a generated dump) or an attack, and parsing it would
 * cost minutes and gigabytes before any error could be shown.
 *
 * <p>Set with {@code image-manager.definitions.max-file-size} / {@code max-total-size} (system property) or
 * {@code IMAGE_MANAGER_DEFINITIONS_MAX_FILE_SIZE} / {@code _MAX_TOTAL_SIZE} (environment), in bytes or with a
 * {@code KiB}/{@code MiB} suffix; {@code validate}, {@code sync} and the definitions service all read them.
 */
public record DefinitionLimits(long maxFileBytes, long maxTotalBytes) {
    public static final long DEFAULT_MAX_FILE_BYTES = 4L << 20;
    public static final long DEFAULT_MAX_TOTAL_BYTES = 16L << 20;
    static final String FILE_PROPERTY = "image-manager.definitions.max-file-size";
    static final String TOTAL_PROPERTY = "image-manager.definitions.max-total-size";
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|kib|kb|k|mib|mb|m|gib|gb|g)");

    public DefinitionLimits {
        if (maxFileBytes <= 0 || maxTotalBytes <= 0) {
            throw new IllegalArgumentException("definition size limits must be positive");
        }
    }

    public static DefinitionLimits defaults() {
        return new DefinitionLimits(DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_TOTAL_BYTES);
    }

    /** The limits this process was configured with (system properties, then environment), else the defaults. */
    public static DefinitionLimits configured() {
        return configured(key -> {
            String value = System.getProperty(key);
            return value != null ? value : System.getenv(key.toUpperCase(Locale.ROOT).replaceAll("[.-]", "_"));
        });
    }

    static DefinitionLimits configured(Function<String, String> settings) {
        return new DefinitionLimits(size(settings, FILE_PROPERTY, DEFAULT_MAX_FILE_BYTES),
                size(settings, TOTAL_PROPERTY, DEFAULT_MAX_TOTAL_BYTES));
    }

    private static long size(Function<String, String> settings, String key, long fallback) {
        String value = settings.apply(key);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(key + ": expected a size in bytes (or with KiB, MiB), found '" + value + "'");
        }
        long number = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "kib", "kb", "k" -> number << 10;
            case "mib", "mb", "m" -> number << 20;
            case "gib", "gb", "g" -> number << 30;
            default -> number;
        };
    }

    /** A size as people read it: {@code 30.0 MiB}, {@code 812 bytes}. */
    static String readable(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        if (bytes < (1L << 20)) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
