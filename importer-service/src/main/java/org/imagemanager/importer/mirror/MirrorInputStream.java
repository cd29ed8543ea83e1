package org.imagemanager.importer.mirror;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A mirror object read through GETs: one from the requested offset, and should a connection break, ranged ones from
 * where it stopped, each pinned to the ETag of the first ({@code If-Match}).
 */
final class MirrorInputStream extends InputStream {
    private static final Logger LOG = LoggerFactory.getLogger(MirrorInputStream.class);
    private static final int MAX_CONSECUTIVE_FAILURES = 5;
    private static final long SKIP_BY_RANGE = 1 << 20;

    private final S3Client s3;
    private final String bucket;
    private final String key;
    private final long end;
    private final String eTag;
    private ResponseInputStream<GetObjectResponse> body;
    private long position;
    private int failures;
    private boolean closed;

    private MirrorInputStream(S3Client s3, String bucket, String key, long position, long end, String eTag,
                              ResponseInputStream<GetObjectResponse> body) {
        this.s3 = s3;
        this.bucket = bucket;
        this.key = key;
        this.position = position;
        this.end = end;
        this.eTag = eTag;
        this.body = body;
    }

    static MirrorInputStream open(S3Client s3, String bucket, String key, long offset) throws IOException {
        ResponseInputStream<GetObjectResponse> body;
        try {
            body = s3.getObject(g -> {
                g.bucket(bucket).key(key);
                if (offset > 0) {
                    g.range("bytes=" + offset + "-");
                }
            });
        } catch (NoSuchKeyException e) {
            throw notFound(bucket, key, e);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw notFound(bucket, key, e);
            }
            if (e.statusCode() == 416) {
                return emptyAtEnd(s3, bucket, key, offset, e);
            }
            throw new IOException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("cannot read s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
        }
        GetObjectResponse response = body.response();
        long length = response.contentLength() == null ? -1 : response.contentLength();
        if (length < 0) {
            body.abort();
            throw new IOException("s3://" + bucket + "/" + key + " was served without a length");
        }
        return new MirrorInputStream(s3, bucket, key, offset, offset + length, response.eTag(), body);
    }

    /** A range starting at the object's end is refused by S3 (416); reading from there gives nothing. */
    private static MirrorInputStream emptyAtEnd(S3Client s3, String bucket, String key, long offset, S3Exception refused)
            throws IOException {
        long size;
        try {
            size = s3.headObject(h -> h.bucket(bucket).key(key)).contentLength();
        } catch (SdkException e) {
            throw new IOException("cannot read s3://" + bucket + "/" + key + " from byte " + offset, refused);
        }
        if (offset != size) {
            throw new EOFException("s3://" + bucket + "/" + key + " has " + size + " bytes, cannot read from byte " + offset);
        }
        return new MirrorInputStream(s3, bucket, key, offset, offset, null, null);
    }

    private static FileNotFoundException notFound(String bucket, String key, Exception cause) {
        FileNotFoundException e = new FileNotFoundException("no object s3://" + bucket + "/" + key);
        e.initCause(cause);
        return e;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (length == 0) {
            return 0;
        }
        while (true) {
            if (position >= end) {
                return -1;
            }
            if (body == null) {
                reopen();
            }
            int n;
            try {
                n = body.read(buffer, offset, (int) Math.min(length, end - position));
            } catch (IOException e) {
                resume(e);
                continue;
            }
            if (n < 0) {
                resume(new EOFException("connection ended at byte " + position + " of " + end));
                continue;
            }
            position += n;
            failures = 0;
            return n;
        }
    }

    /** Skips large distances with a new ranged GET instead of reading through. */
    @Override
    public long skip(long n) throws IOException {
        if (n <= 0 || closed) {
            return 0;
        }
        long target = Math.min(end, position + n);
        if (target - position < SKIP_BY_RANGE) {
            return super.skip(n);
        }
        long skipped = target - position;
        dropBody();
        position = target;
        if (position < end) {
            reopen();
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        return body == null || closed ? 0 : body.available();
    }

    /** Closing before the end drops the connection rather than reading the rest of the object. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            dropBody();
        }
    }

    private void resume(IOException cause) throws IOException {
        if (++failures > MAX_CONSECUTIVE_FAILURES) {
            throw new IOException("reading s3://" + bucket + "/" + key + " failed at byte " + position + " of " + end, cause);
        }
        LOG.info("reading s3://{}/{} broke at byte {} of {} ({}); resuming with a ranged GET", bucket, key, position, end,
                cause.toString());
        dropBody();
        try {
            Thread.sleep(200L * failures);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", cause);
        }
        reopen();
    }

    private void reopen() throws IOException {
        try {
            body = s3.getObject(g -> {
                g.bucket(bucket).key(key).range("bytes=" + position + "-" + (end - 1));
                if (eTag != null) {
                    g.ifMatch(eTag);
                }
            });
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new IOException("s3://" + bucket + "/" + key + " was replaced while being read", e);
            }
            throw new IOException("cannot resume s3://" + bucket + "/" + key + " at byte " + position + ": " + e.getMessage(), e);
        } catch (SdkException e) {
            throw new IOException("cannot resume s3://" + bucket + "/" + key + " at byte " + position + ": " + e.getMessage(), e);
        }
    }

    private void dropBody() {
        if (body != null) {
            if (position < end) {
                body.abort();
            }
            try {
                body.close();
            } catch (IOException ignored) {
                // dropped anyway
            }
            body = null;
        }
    }
}
