package org.imagemanager.importer.stream;

import java.io.IOException;

/**
 * A tar archive that does not hold exactly one recognisable disk image. Raised rather than guessing, because a
 * wrong guess would be uploaded and booted.
 */
public final class UnusableArchiveException extends IOException {
    public UnusableArchiveException(String message) {
        super(message);
    }
}
