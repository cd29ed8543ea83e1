package org.imagemanager.importer.mirror;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys of the mirror (no server needed; an IT so that it runs with the mirror's other tests). */
class S3MirrorKeyIT {
    private static final Pattern SAFE_KEY = Pattern.compile("[A-Za-z0-9._-]+(/[A-Za-z0-9._-]+)*");

    private static String key(String prefix, String family, String version, String file) {
        try (S3Mirror mirror = new S3Mirror(new S3MirrorConfig("http://127.0.0.1:1", null, "b", "a", "s", prefix))) {
            return mirror.keyFor(family, version, file);
        }
    }

    @Test
    void keysArePrefixFamilyVersionFileAndKeepPlainNamesAsTheyAre() {
        assertEquals("images/ubuntu-24.04/20250101/noble-server-cloudimg-amd64.img",
                key("images", "ubuntu-24.04", "20250101", "noble-server-cloudimg-amd64.img"));
        assertEquals("mirror/v1/Fedora/41-1.4/Fedora-Cloud-Base-Generic-41-1.4.x86_64.qcow2",
                key("/mirror/v1/", "Fedora", "41-1.4", "Fedora-Cloud-Base-Generic-41-1.4.x86_64.qcow2"));
        assertEquals("debian-12/20250101-2000/debian-12-genericcloud-amd64.qcow2",
                key("", "debian-12", "20250101-2000", "debian-12-genericcloud-amd64.qcow2"));
    }

    @Test
    void unsafeCharactersAreReplacedAndTheOriginalIsHashedInSoKeysStayDistinct() {
        String spaced = key("images", "Ubuntu 24.04 LTS", "2025/01/01", "../../etc/passwd");
        assertTrue(SAFE_KEY.matcher(spaced).matches(), spaced);
        assertTrue(spaced.startsWith("images/Ubuntu-24.04-LTS-"), spaced);
        assertEquals(4, spaced.split("/").length, "exactly prefix/family/version/file: " + spaced);
        for (String segment : spaced.split("/")) {
            assertNotEquals(".", segment);
            assertNotEquals("..", segment);
        }
        assertNotEquals(key("images", "a b", "1", "f"), key("images", "a/b", "1", "f"), "distinct families, distinct keys");
        assertNotEquals(key("images", "a-b", "1", "f"), key("images", "a b", "1", "f"));
        String unicode = key("images", "caf\u00e9", "1", "\u00fcber.img");
        assertTrue(SAFE_KEY.matcher(unicode).matches(), unicode);
        String dotted = key("images", ".", "..", ".hidden");
        assertTrue(SAFE_KEY.matcher(dotted).matches(), dotted);
        for (String segment : dotted.split("/")) {
            assertTrue(!segment.equals(".") && !segment.equals(".."), dotted);
        }
        String longName = key("images", "x".repeat(500), "1", "f");
        assertTrue(longName.length() < 200, longName);
        assertNotEquals(longName, key("images", "x".repeat(501), "1", "f"));
    }

    @Test
    void keysAreStable() {
        List<String[]> inputs = List.of(
                new String[] {"ubuntu-24.04", "20250101", "noble.img"},
                new String[] {"Ubuntu 24.04 LTS", "2025/01/01", "noble server.img"},
                new String[] {"caf\u00e9", "\u00e9t\u00e9", "b\u00e9b\u00e9.img"});
        Set<String> keys = new HashSet<>();
        for (String[] input : inputs) {
            String first = key("images", input[0], input[1], input[2]);
            assertEquals(first, key("images", input[0], input[1], input[2]));
            keys.add(first);
        }
        assertEquals(3, keys.size());
        // Pinned: a change here strands every object already mirrored.
        assertEquals("images/Ubuntu-24.04-LTS-8fb19d44/2025-01-01-e944bb78/noble.img",
                key("images", "Ubuntu 24.04 LTS", "2025/01/01", "noble.img"));
    }

    @Test
    void blankPartsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> key("images", "", "1", "f"));
        assertThrows(IllegalArgumentException.class, () -> key("images", "a", " ", "f"));
        assertThrows(IllegalArgumentException.class, () -> key("images", "a", "1", null));
    }
}
