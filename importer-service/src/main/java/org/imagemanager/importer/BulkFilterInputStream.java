package org.imagemanager.importer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A filter whose only read path is the bulk one: single-byte reads go through it, so no byte bypasses the filter. */
abstract class BulkFilterInputStream extends FilterInputStream {
    BulkFilterInputStream(InputStream in) {
        super(in);
    }

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }
}
