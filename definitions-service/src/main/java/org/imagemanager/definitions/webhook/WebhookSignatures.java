package org.imagemanager.definitions.webhook;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/** HMAC-SHA256, the signature all supported git servers (and our generic header) put on webhook bodies. */
public final class WebhookSignatures {
    private static final String ALGORITHM = "HmacSHA256";

    private WebhookSignatures() {
    }

    public static byte[] hmacSha256(byte[] secret, byte[] body) {
        try {
            // A Mac is stateful and not thread-safe: one per call.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java runtime has " + ALGORITHM, e);
        }
    }

    /** Lower-case hex, as GitHub, Gitea and Forgejo send it (GitHub and the generic header prefix {@code sha256=}). */
    public static String hmacSha256Hex(byte[] secret, byte[] body) {
        return HexFormat.of().formatHex(hmacSha256(secret, body));
    }
}
