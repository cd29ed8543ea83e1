package org.imagemanager.importer.stream;

import java.io.IOException;
import java.net.URI;

/** The server answered with a status that means "not this file" (e.g. 404, 403); retrying the same URL won't help. */
public final class SourceHttpStatusException extends IOException {
    private final int status;
    private final URI uri;

    public SourceHttpStatusException(URI uri, int status, String what) {
        super(what + " " + uri + " answered HTTP " + status);
        this.status = status;
        this.uri = uri;
    }

    public int status() {
        return status;
    }

    public URI uri() {
        return uri;
    }
}
