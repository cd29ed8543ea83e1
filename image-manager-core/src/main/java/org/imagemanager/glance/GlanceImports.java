package org.imagemanager.glance;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Glance's interoperable image import: which methods a cloud allows, staging data, and starting an import with
 * {@code glance-direct} or {@code web-download}.
 */
public interface GlanceImports {
    String GLANCE_DIRECT = "glance-direct";
    String WEB_DOWNLOAD = "web-download";

    /** The import methods this cloud enables (empty where the import API is off or forbidden). */
    List<String> methods();

    /** Streams the data into Glance's staging area (chunked; never whole in memory). */
    void stage(String imageId, InputStream data) throws IOException;

    /** Imports what was staged ({@code glance-direct}); Glance may convert it (e.g. qcow2 → raw). */
    void importStaged(String imageId) throws IOException;

    /** Lets Glance download the image itself ({@code web-download}). */
    void webDownload(String imageId, String uri) throws IOException;
}
