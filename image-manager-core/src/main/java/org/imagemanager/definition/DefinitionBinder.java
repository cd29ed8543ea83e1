package org.imagemanager.definition;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.net.URI;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;

import static org.imagemanager.definition.DefinitionSchema.*;

/**
 * Turns the YAML node tree of one definitions file into {@link ImageDefinition}s, checking every key and value on
 * the way. It never stops at the first problem: every error of the file is collected with its line, column and key
 * path ({@code images[3].versions[1].checksum}), so that one run shows everything to fix.
 */
final class DefinitionBinder {
    /** Aliases may make a small file a huge graph; beyond this many nodes the file is refused. */
    private static final int NODE_BUDGET = 100_000;

    private final String file;
    private final List<DefinitionError> errors = new ArrayList<>();
    private final List<DefinitionError> warnings = new ArrayList<>();
    private int nodesVisited;

    DefinitionBinder(String file) {
        this.file = file;
    }

    List<DefinitionError> errors() {
        return errors;
    }

    List<DefinitionError> warnings() {
        return warnings;
    }

    /** Binds the document; returns the images that are free of errors, each with the line it starts on. */
    List<Bound> bind(Node root) {
        List<Bound> result = new ArrayList<>();
        if (root == null) {
            errors.add(error(null, "", "the file is empty; expected a mapping with the key 'images'"));
            return result;
        }
        if (!(root instanceof MappingNode mapping)) {
            errors.add(error(root, "", "expected a mapping with the key 'images', found " + describe(root)));
            return result;
        }
        // besides 'images', only extension keys (x-…) that hold anchors for merge keys, as docker-compose allows
        Map<String, NodeTuple> keys = keys(mapping, "", null);
        keys.keySet().stream().filter(k -> !k.equals("images") && !k.startsWith("x-")).forEach(k ->
                errors.add(error(keys.get(k).getKeyNode(), k, "unknown top-level key '" + k + "' (expected 'images', or x-… for anchors)")));
        NodeTuple images = keys.get("images");
        if (images == null) {
            errors.add(error(root, "images", "missing required key 'images'"));
            return result;
        }
        if (!(images.getValueNode() instanceof SequenceNode list)) {
            errors.add(error(images.getValueNode(), "images", "expected a list of images, found " + describe(images.getValueNode())));
            return result;
        }
        if (list.getValue().isEmpty()) {
            errors.add(error(list, "images", "needs at least one image"));
        }
        for (int i = 0; i < list.getValue().size(); i++) {
            int before = errors.size();
            Node node = list.getValue().get(i);
            String path = "images[" + i + "]";
            ImageDefinition image = image(node, path);
            if (image != null && errors.size() == before) {
                result.add(new Bound(image, line(node), place(valueOf(node, "name"), path + ".name"), idsOf(node, path)));
            }
        }
        return result;
    }

    /** A bound definition with the places of what must be unique across files (name, version ids). */
    record Bound(ImageDefinition definition, int line, Place name, Map<String, Place> ids) {
    }

    /** Where a value stands: file, line, column and key path. */
    record Place(String file, int line, int column, String field) {
        DefinitionError error(String message) {
            return new DefinitionError(file, line, column, field, message);
        }
    }

    private Place place(Node node, String field) {
        return new Place(file, line(node), node == null ? 1 : node.getStartMark().getColumn() + 1, field);
    }

    private static Node valueOf(Node mapping, String key) {
        if (mapping instanceof MappingNode m) {
            for (NodeTuple tuple : m.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return tuple.getValueNode();
                }
            }
        }
        return mapping;
    }

    private Map<String, Place> idsOf(Node image, String path) {
        Map<String, Place> ids = new LinkedHashMap<>();
        if (valueOf(image, "versions") instanceof SequenceNode versions) {
            for (int j = 0; j < versions.getValue().size(); j++) {
                Node id = valueOf(versions.getValue().get(j), "id");
                if (id instanceof ScalarNode scalar && id != versions.getValue().get(j)) {
                    ids.put(scalar.getValue(), place(id, path + ".versions[" + j + "].id"));
                }
            }
        }
        return ids;
    }

    private ImageDefinition image(Node node, String path) {
        if (!(node instanceof MappingNode mapping)) {
            errors.add(error(node, path, "expected an image (a mapping), found " + describe(node)));
            return null;
        }
        Map<String, NodeTuple> keys = keys(mapping, path, IMAGE_KEYS);
        String name = requiredString(keys, "name", path, node);
        if (name != null && name.isBlank()) {
            errors.add(error(keys.get("name").getValueNode(), path + ".name", "must not be empty"));
        }
        Boolean enable = bool(keys, "enable", path);
        String format = enumValue(keys, "format", path, FORMATS);
        if (!keys.containsKey("format")) {
            errors.add(error(node, path + ".format", "missing required key (one of " + sorted(FORMATS) + ")"));
        }
        String login = string(keys, "login", path);
        if (!keys.containsKey("login")) {
            warnings.add(error(node, path + ".login", "missing: image_original_user will not be set"));
        }
        String password = string(keys, "password", path);
        Integer minDisk = nonNegativeInt(keys, "min_disk", path);
        Integer minRam = nonNegativeInt(keys, "min_ram", path);
        String status = enumValue(keys, "status", path, STATUSES);
        String visibility = enumValue(keys, "visibility", path, VISIBILITIES);
        Boolean multi = bool(keys, "multi", path);
        Boolean keep = bool(keys, "keep", path);
        String separator = string(keys, "separator", path);
        String shortname = string(keys, "shortname", path);
        String latestUrl = url(keys, "latest_url", path, URL_SCHEMES);
        String latestChecksumUrl = url(keys, "latest_checksum_url", path, URL_SCHEMES);
        List<String> tags = stringList(keys, "tags", path);
        Map<String, Object> meta = meta(keys.get("meta"), path + ".meta");
        List<VersionDefinition> versions = versions(keys.get("versions"), path + ".versions", node);
        return new ImageDefinition(name == null ? "" : name, enable, format, login, password, minDisk, minRam, status,
                visibility, multi, keep, separator, shortname, latestUrl, latestChecksumUrl, tags, meta, versions);
    }

    private List<VersionDefinition> versions(NodeTuple tuple, String path, Node image) {
        List<VersionDefinition> versions = new ArrayList<>();
        if (tuple == null) {
            errors.add(error(image, path, "missing required key 'versions'"));
            return versions;
        }
        if (!(tuple.getValueNode() instanceof SequenceNode list)) {
            errors.add(error(tuple.getValueNode(), path, "expected a list of versions, found " + describe(tuple.getValueNode())));
            return versions;
        }
        if (list.getValue().isEmpty()) {
            // An empty list would make every image of the family look outdated to the retirement rules.
            errors.add(error(list, path, "needs at least one version"));
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node node = list.getValue().get(i);
            String vpath = path + "[" + i + "]";
            VersionDefinition version = version(node, vpath);
            if (version == null) {
                continue;
            }
            if (version.version() != null) {
                Integer first = seen.putIfAbsent(version.version(), i);
                if (first != null) {
                    errors.add(error(node, vpath + ".version", "version '" + version.version() + "' is already defined at "
                            + path + "[" + first + "]"));
                }
            }
            versions.add(version);
        }
        return versions;
    }

    private VersionDefinition version(Node node, String path) {
        if (!(node instanceof MappingNode mapping)) {
            errors.add(error(node, path, "expected a version (a mapping), found " + describe(node)));
            return null;
        }
        Map<String, NodeTuple> keys = keys(mapping, path, VERSION_KEYS);
        String version = requiredString(keys, "version", path, node);
        if (version != null && version.isBlank()) {
            errors.add(error(keys.get("version").getValueNode(), path + ".version", "must not be empty"));
        }
        Set<String> urlSchemes = new HashSet<>(URL_SCHEMES);
        urlSchemes.add("file");
        String url = url(keys, "url", path, urlSchemes);
        if (!keys.containsKey("url")) {
            errors.add(error(node, path + ".url", "missing required key"));
        }
        String mirrorUrl = url(keys, "mirror_url", path, urlSchemes);
        String checksum = checksum(keys, path);
        String checksumUrl = url(keys, "checksum_url", path, URL_SCHEMES);
        String checksumsUrl = url(keys, "checksums_url", path, URL_SCHEMES);
        String buildDate = date(keys, "build_date", path, true);
        if (!keys.containsKey("build_date")) {
            warnings.add(error(node, path + ".build_date", "missing: image_build_date will not be set"));
        }
        String visibility = enumValue(keys, "visibility", path, VISIBILITIES);
        Boolean hidden = bool(keys, "hidden", path);
        String osVersion = string(keys, "os_version", path);
        Map<String, Object> meta = keys.containsKey("meta") ? meta(keys.get("meta"), path + ".meta") : Map.of();
        String imageDescription = string(keys, "image_description", path);
        String source = string(keys, "source", path);
        if (source != null && !source.equals("private") && !hasScheme(source, URL_SCHEMES)) {
            errors.add(error(keys.get("source").getValueNode(), path + ".source",
                    "expected a URL (http, https, ftp) or 'private', found '" + source + "'"));
        }
        String id = string(keys, "id", path);
        if (id != null && !UUID.matcher(id).matches()) {
            errors.add(error(keys.get("id").getValueNode(), path + ".id", "expected a lowercase UUID, found '" + id + "'"));
        }
        if (LATEST.equals(version)) {
            if ((checksumUrl == null) == (checksumsUrl == null)) {
                errors.add(error(node, path, "version 'latest' needs exactly one of 'checksum_url' and 'checksums_url'"));
            }
            if (checksum != null) {
                errors.add(error(keys.get("checksum").getValueNode(), path + ".checksum",
                        "version 'latest' changes upstream; its digest comes from checksum_url or checksums_url"));
            }
        } else if (checksum == null && checksumUrl == null && checksumsUrl == null && keys.containsKey("url")) {
            warnings.add(error(node, path + ".checksum", "no checksum, checksum_url or checksums_url: the download cannot be verified"));
        }
        return new VersionDefinition(version, url, mirrorUrl, checksum, checksumUrl, checksumsUrl, buildDate, visibility,
                hidden, osVersion, meta, imageDescription, source, id);
    }

    private Map<String, Object> meta(NodeTuple tuple, String path) {
        Map<String, Object> meta = new LinkedHashMap<>();
        if (tuple == null) {
            return meta;
        }
        if (!(tuple.getValueNode() instanceof MappingNode mapping)) {
            errors.add(error(tuple.getValueNode(), path, "expected a mapping of properties, found " + describe(tuple.getValueNode())));
            return meta;
        }
        Map<String, NodeTuple> keys = keys(mapping, path, null);
        for (Map.Entry<String, NodeTuple> entry : keys.entrySet()) {
            String key = entry.getKey();
            Node value = entry.getValue().getValueNode();
            String kpath = path + "." + key;
            if (!(value instanceof ScalarNode scalar)) {
                errors.add(error(value, kpath, "a property value must be a single value (Glance stores text), found " + describe(value)));
                continue;
            }
            String text = isNull(scalar) ? null : scalar.getValue();
            meta.put(key, text);
            checkMetaValue(key, text, value, kpath);
        }
        return meta;
    }

    private void checkMetaValue(String key, String value, Node node, String path) {
        switch (key) {
            case "architecture" -> checkEnum(value, ARCHITECTURES, node, path, false);
            case "hypervisor_type" -> checkEnum(value, HYPERVISOR_TYPES, node, path, false);
            case "hw_disk_bus" -> checkEnum(value, HW_DISK_BUSES, node, path, true);
            case "hw_rng_model" -> checkEnum(value, HW_RNG_MODELS, node, path, true);
            case "hw_scsi_model" -> checkEnum(value, HW_SCSI_MODELS, node, path, false);
            case "hw_watchdog_action" -> checkEnum(value, HW_WATCHDOG_ACTIONS, node, path, false);
            case "hw_firmware_type" -> checkEnum(value, HW_FIRMWARE_TYPES, node, path, false);
            case "hw_vif_multiqueue_enabled" -> checkEnum(value == null ? null : value.toLowerCase(Locale.ROOT),
                    Set.of("true", "false"), node, path, false);
            case "os_distro" -> checkEnum(value, OS_DISTROS, node, path, false);
            case "os_purpose" -> checkEnum(value, OS_PURPOSES, node, path, false);
            case "replace_frequency" -> checkEnum(value, REPLACE_FREQUENCIES, node, path, false);
            case "hotfix_hours" -> {
                if (value == null || !value.matches("\\d+")) {
                    errors.add(error(node, path, "expected a whole number ≥ 0, found '" + value + "'"));
                }
            }
            case "uuid_validity" -> {
                if (value == null || !UUID_VALIDITY.matcher(value).matches() || !validDateIfDate(value)) {
                    errors.add(error(node, path, "expected none, forever, notice, last-N or a date (YYYY-MM-DD), found '" + value + "'"));
                }
            }
            case "provided_until" -> {
                if (value == null || !PROVIDED_UNTIL.matcher(value).matches() || !validDateIfDate(value)) {
                    errors.add(error(node, path, "expected none or a date (YYYY-MM-DD), found '" + value + "'"));
                }
            }
            default -> {
            }
        }
    }

    private void checkEnum(String value, Set<String> allowed, Node node, String path, boolean nullAllowed) {
        if (value == null ? !nullAllowed : !allowed.contains(value)) {
            errors.add(error(node, path, "expected one of " + sorted(allowed) + (nullAllowed ? " or null" : "")
                    + ", found " + (value == null ? "null" : "'" + value + "'")));
        }
    }

    private String checksum(Map<String, NodeTuple> keys, String path) {
        String checksum = string(keys, "checksum", path);
        if (checksum == null) {
            return null;
        }
        Node node = keys.get("checksum").getValueNode();
        Matcher m = CHECKSUM.matcher(checksum);
        if (!m.matches()) {
            errors.add(error(node, path + ".checksum", "expected '<md5|sha1|sha256|sha512>:<hex digest>', found '" + checksum + "'"));
            return checksum;
        }
        int expected = DIGEST_HEX_LENGTH.get(m.group(1));
        if (m.group(2).length() != expected) {
            errors.add(error(node, path + ".checksum", m.group(1) + " digest must have " + expected
                    + " hex digits, found " + m.group(2).length()));
        }
        return checksum;
    }

    // --- typed accessors: each reports its own error and returns null on a bad value ---

    private Map<String, NodeTuple> keys(MappingNode mapping, String path, Collection<String> known) {
        Map<String, NodeTuple> keys = new LinkedHashMap<>();
        budget(mapping);
        List<NodeTuple> merged = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode().getTag().equals(Tag.MERGE)) {
                // YAML merge key (<<: *common), as PyYAML reads it: merged keys count unless given explicitly
                Node value = tuple.getValueNode();
                List<Node> sources = value instanceof SequenceNode list ? list.getValue() : List.of(value);
                for (Node source : sources) {
                    if (source instanceof MappingNode m) {
                        merged.addAll(m.getValue());
                    } else {
                        errors.add(error(source, path, "a merge key (<<) takes a mapping or a list of mappings, found " + describe(source)));
                    }
                }
            }
        }
        List<NodeTuple> tuples = new ArrayList<>(mapping.getValue().stream()
                .filter(t -> !t.getKeyNode().getTag().equals(Tag.MERGE)).toList());
        for (NodeTuple tuple : merged) {
            if (tuple.getKeyNode() instanceof ScalarNode k && tuples.stream().noneMatch(t ->
                    t.getKeyNode() instanceof ScalarNode e && e.getValue().equals(k.getValue()))) {
                tuples.add(tuple);
            }
        }
        for (NodeTuple tuple : tuples) {
            budget(tuple.getValueNode());
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                errors.add(error(tuple.getKeyNode(), path, "keys must be plain text, found " + describe(tuple.getKeyNode())));
                continue;
            }
            String key = keyNode.getValue();
            String kpath = path.isEmpty() ? key : path + "." + key;
            if (known != null && !known.contains(key)) {
                String hint = closest(key, known);
                errors.add(error(keyNode, kpath, "unknown key '" + key + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)")));
                continue;
            }
            if (keys.put(key, tuple) != null) {
                errors.add(error(keyNode, kpath, "duplicate key '" + key + "'"));
            }
        }
        return keys;
    }

    private String requiredString(Map<String, NodeTuple> keys, String key, String path, Node parent) {
        if (!keys.containsKey(key)) {
            errors.add(error(parent, path + "." + key, "missing required key"));
            return null;
        }
        String value = string(keys, key, path);
        if (value == null && !hasErrorAt(path + "." + key)) {
            errors.add(error(keys.get(key).getValueNode(), path + "." + key, "must not be null"));
        }
        return value;
    }

    private String string(Map<String, NodeTuple> keys, String key, String path) {
        NodeTuple tuple = keys.get(key);
        if (tuple == null) {
            return null;
        }
        if (!(tuple.getValueNode() instanceof ScalarNode scalar)) {
            errors.add(error(tuple.getValueNode(), path + "." + key, "expected text, found " + describe(tuple.getValueNode())));
            return null;
        }
        // The text as written: 1.10 stays "1.10" and 20240416 stays "20240416" (versions are names, not numbers).
        return isNull(scalar) ? null : scalar.getValue();
    }

    private Boolean bool(Map<String, NodeTuple> keys, String key, String path) {
        NodeTuple tuple = keys.get(key);
        if (tuple == null) {
            return null;
        }
        if (tuple.getValueNode() instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            return switch (scalar.getValue().toLowerCase(Locale.ROOT)) {
                case "true", "yes", "on", "y" -> Boolean.TRUE;
                default -> Boolean.FALSE;
            };
        }
        errors.add(error(tuple.getValueNode(), path + "." + key, "expected true or false, found " + describe(tuple.getValueNode())));
        return null;
    }

    private Integer nonNegativeInt(Map<String, NodeTuple> keys, String key, String path) {
        NodeTuple tuple = keys.get(key);
        if (tuple == null) {
            return null;
        }
        if (tuple.getValueNode() instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
            try {
                int value = Integer.decode(scalar.getValue().replace("_", ""));
                if (value >= 0) {
                    return value;
                }
            } catch (NumberFormatException tooLarge) {
                // reported below
            }
        }
        errors.add(error(tuple.getValueNode(), path + "." + key, "expected a whole number ≥ 0, found " + describe(tuple.getValueNode())));
        return null;
    }

    private String enumValue(Map<String, NodeTuple> keys, String key, String path, Set<String> allowed) {
        String value = string(keys, key, path);
        if (value != null && !allowed.contains(value)) {
            errors.add(error(keys.get(key).getValueNode(), path + "." + key, "expected one of " + sorted(allowed) + ", found '" + value + "'"));
            return null;
        }
        return value;
    }

    private List<String> stringList(Map<String, NodeTuple> keys, String key, String path) {
        NodeTuple tuple = keys.get(key);
        List<String> values = new ArrayList<>();
        if (tuple == null || (tuple.getValueNode() instanceof ScalarNode s && isNull(s))) {
            return values;
        }
        if (!(tuple.getValueNode() instanceof SequenceNode list)) {
            errors.add(error(tuple.getValueNode(), path + "." + key, "expected a list of text, found " + describe(tuple.getValueNode())));
            return values;
        }
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            if (item instanceof ScalarNode scalar && !isNull(scalar)) {
                values.add(scalar.getValue());
            } else {
                errors.add(error(item, path + "." + key + "[" + i + "]", "expected text, found " + describe(item)));
            }
        }
        return values;
    }

    private String url(Map<String, NodeTuple> keys, String key, String path, Set<String> schemes) {
        String value = string(keys, key, path);
        if (value != null && !hasScheme(value, schemes)) {
            errors.add(error(keys.get(key).getValueNode(), path + "." + key, "expected a URL (" + String.join(", ", sorted(schemes))
                    + "), found '" + value + "'"));
        }
        return value == null ? null : value.trim();
    }

    private String date(Map<String, NodeTuple> keys, String key, String path, boolean timestampAllowed) {
        String value = string(keys, key, path);
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value).toString();
        } catch (DateTimeParseException notADay) {
            if (timestampAllowed) {
                for (String candidate : List.of(value, value.replace(' ', 'T'))) {
                    try {
                        return OffsetDateTime.parse(candidate).toLocalDate().toString();
                    } catch (DateTimeParseException ignored) {
                        // try the next form
                    }
                    try {
                        return LocalDateTime.parse(candidate).toLocalDate().toString();
                    } catch (DateTimeParseException ignored) {
                        // try the next form
                    }
                }
            }
            errors.add(error(keys.get(key).getValueNode(), path + "." + key, "expected a date (YYYY-MM-DD)"
                    + (timestampAllowed ? " or a timestamp" : "") + ", found '" + value + "'"));
            return null;
        }
    }

    private static boolean validDateIfDate(String value) {
        if (!Character.isDigit(value.charAt(0))) {
            return true;
        }
        try {
            LocalDate.parse(value);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static boolean hasScheme(String value, Set<String> schemes) {
        try {
            URI uri = URI.create(value.trim());
            return uri.getScheme() != null && schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))
                    && (uri.getScheme().equalsIgnoreCase("file") ? uri.getPath() != null || uri.getSchemeSpecificPart() != null
                    : uri.getHost() != null);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean hasErrorAt(String path) {
        return errors.stream().anyMatch(e -> path.equals(e.field()));
    }

    private void budget(Node node) {
        if (++nodesVisited == NODE_BUDGET) {
            throw new TooComplexException(node);
        }
    }

    static final class TooComplexException extends RuntimeException {
        final transient Node at;

        TooComplexException(Node at) {
            super("document too complex", null, false, false);
            this.at = at;
        }
    }

    private static boolean isNull(ScalarNode scalar) {
        return scalar.getTag().equals(Tag.NULL);
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        if (node instanceof ScalarNode scalar) {
            return isNull(scalar) ? "null" : "'" + scalar.getValue() + "'";
        }
        return "something else";
    }

    private static List<String> sorted(Set<String> values) {
        return values.stream().sorted().toList();
    }

    private DefinitionError error(Node node, String field, String message) {
        return new DefinitionError(file, line(node), node == null ? 1 : node.getStartMark().getColumn() + 1, field, message);
    }

    private static int line(Node node) {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }

    /** The known key a typo most likely meant (edit distance ≤ 2), if any. */
    private static String closest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : known) {
            int d = distance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
