package org.imagemanager.source;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the digest of an image out of what upstream publishes: a file with one bare digest ({@code checksum_url}),
 * or a SUMS file ({@code checksums_url}) in GNU form ({@code digest  name}, {@code digest *name}) or BSD form
 * ({@code SHA256 (name) = digest}), where the line naming the image's file counts. The algorithm follows from the
 * digest's length (GNU form, bare digest) or is named (BSD form).
 */
public final class ChecksumFiles {
    private static final Pattern BSD = Pattern.compile("(MD5|SHA1|SHA256|SHA512)\\s*\\((.+)\\)\\s*=\\s*([0-9a-fA-F]+)");
    private static final Pattern GNU = Pattern.compile("([0-9a-fA-F]{32,128})\\s+\\*?(.+)");

    private ChecksumFiles() {
    }

    /** {@code algo:hex} from a file holding one bare digest (possibly followed by a file name). */
    public static Optional<String> bare(String content) {
        for (String line : content.split("\\R")) {
            String token = line.trim().split("\\s+")[0];
            Optional<String> algorithm = algorithmFor(token);
            if (algorithm.isPresent()) {
                return Optional.of(algorithm.get() + ":" + token.toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }

    /** {@code algo:hex} of {@code fileName} from a SUMS file. */
    public static Optional<String> fromSums(String content, String fileName) {
        for (String raw : content.split("\\R")) {
            String line = raw.trim();
            Matcher bsd = BSD.matcher(line);
            if (bsd.matches() && names(bsd.group(2).trim(), fileName)) {
                return Optional.of(bsd.group(1).toLowerCase(Locale.ROOT) + ":" + bsd.group(3).toLowerCase(Locale.ROOT));
            }
            Matcher gnu = GNU.matcher(line);
            if (gnu.matches() && names(gnu.group(2).trim(), fileName)) {
                Optional<String> algorithm = algorithmFor(gnu.group(1));
                if (algorithm.isPresent()) {
                    return Optional.of(algorithm.get() + ":" + gnu.group(1).toLowerCase(Locale.ROOT));
                }
            }
        }
        return Optional.empty();
    }

    /** The last path segment of a URL: the name SUMS files list. */
    public static String fileNameOf(String url) {
        String path = URI.create(url.trim()).getPath();
        return path == null ? url : path.substring(path.lastIndexOf('/') + 1);
    }

    private static boolean names(String listed, String fileName) {
        return listed.equals(fileName) || listed.endsWith("/" + fileName);
    }

    private static Optional<String> algorithmFor(String hex) {
        if (!hex.matches("[0-9a-fA-F]+")) {
            return Optional.empty();
        }
        return switch (hex.length()) {
            case 32 -> Optional.of("md5");
            case 40 -> Optional.of("sha1");
            case 64 -> Optional.of("sha256");
            case 128 -> Optional.of("sha512");
            default -> Optional.empty();
        };
    }
}
