package org.imagemanager.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as operators write them ({@code 90s}, {@code 2m}, {@code 1h}, {@code 1d}, {@code 500ms}) or in ISO-8601 ({@code PT2M}). */
public final class Durations {
    private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    private Durations() {
    }

    /** @throws IllegalArgumentException naming the value, when it is no duration */
    public static Duration parse(String value) {
        Matcher shortForm = SHORT.matcher(value.strip());
        if (shortForm.matches()) {
            long n = Long.parseLong(shortForm.group(1));
            return switch (shortForm.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("'" + value + "' is no duration (e.g. 90s, 2m, 1h or PT2M)");
        }
    }
}
