package org.imagemanager.importer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/** A digest from a definition, {@code algo:hex} with algo md5, sha1, sha256 or sha512. */
public record ExpectedDigest(String algorithm, String hex) {
    public static ExpectedDigest parse(String checksum) {
        String[] parts = checksum.split(":", 2);
        if (parts.length != 2) {
            throw new IllegalArgumentException("checksum must be 'algo:hex', found '" + checksum + "'");
        }
        return new ExpectedDigest(parts[0].toLowerCase(Locale.ROOT), parts[1].toLowerCase(Locale.ROOT));
    }

    public MessageDigest newDigest() {
        String jca = switch (algorithm) {
            case "md5" -> "MD5";
            case "sha1" -> "SHA-1";
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> throw new IllegalArgumentException("unsupported checksum algorithm '" + algorithm + "'");
        };
        try {
            return MessageDigest.getInstance(jca);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }
}
