package org.imagemanager.plan;

import java.time.LocalDate;

/**
 * What upstream publishes now for a {@code latest} version, resolved at the edge (checksum file and
 * {@code Last-Modified}) before planning: the plan stays a pure function of its inputs.
 *
 * @param checksum     {@code algo:hex} of the file upstream serves now (what the importer verifies with; the image
 *                     stores it bare, see {@link ImageProperties#upstreamChecksumValue})
 * @param lastModified the day upstream last changed it; becomes {@code internal_version} (YYYYMMDD)
 */
public record Upstream(String checksum, LocalDate lastModified) {
    public String internalVersion() {
        return lastModified.format(java.time.format.DateTimeFormatter.BASIC_ISO_DATE);
    }
}
