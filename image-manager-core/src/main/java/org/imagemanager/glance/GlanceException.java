package org.imagemanager.glance;

/** Glance refused or failed a call; {@code status} is the HTTP status (0 when no answer came). */
public class GlanceException extends RuntimeException {
    private final int status;

    public GlanceException(String message, int status) {
        super(message);
        this.status = status;
    }

    public GlanceException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
