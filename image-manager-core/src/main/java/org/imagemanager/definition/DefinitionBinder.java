package org.imagemanager.definition;

import org.imagemanager.definition.RuleCheck.Checked;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.imagemanager.definition.DefinitionSchema.DOCUMENT;
import static org.imagemanager.definition.DefinitionSchema.IMAGE;
import static org.imagemanager.definition.DefinitionSchema.LATEST;
import static org.imagemanager.definition.DefinitionSchema.META;
import static org.imagemanager.definition.DefinitionSchema.VERSION;

/**
 * Turns the YAML node tree of one definitions file into {@link ImageDefinition}s. The rules of single keys are data
 * ({@link DefinitionSchema}, applied by {@link RuleCheck}); what is left here are the rules that span keys (a
 * {@code latest} version's checksum source, versions unique within an image) and the warnings. It never stops at
 * the first problem: every error of the file is collected with its line, column and key path
 * ({@code images[3].versions[1].checksum}), so that one run shows everything to fix.
 */
final class DefinitionBinder {
    private static final String VERSION_META = "meta-override";

    private final DefinitionSchema schema = DefinitionSchema.rules();
    private final YamlNodes yaml;
    private final RuleCheck check;

    DefinitionBinder(String file) {
        this.yaml = new YamlNodes(file);
        this.check = new RuleCheck(yaml);
    }

    List<DefinitionError> errors() {
        return yaml.errors();
    }

    List<DefinitionError> warnings() {
        return yaml.warnings();
    }

    /** Binds the document; returns the images that are free of errors, each with the line it starts on. */
    List<Bound> bind(Node root) {
        List<Bound> result = new ArrayList<>();
        if (root == null) {
            yaml.error(null, "", "the file is empty; expected a mapping with the key 'images'");
            return result;
        }
        if (!(root instanceof MappingNode)) {
            yaml.error(root, "", "expected a mapping with the key 'images', found " + YamlNodes.describe(root));
            return result;
        }
        Checked document = check.mapping(root, schema.section(DOCUMENT), "", "a mapping with the key 'images'");
        if (!(document.values().get("images") instanceof SequenceNode list)) {
            return result;
        }
        for (int i = 0; i < list.getValue().size(); i++) {
            int before = yaml.errorCount();
            Node node = list.getValue().get(i);
            String path = "images[" + i + "]";
            ImageDefinition image = image(node, path);
            if (image != null && yaml.errorCount() == before) {
                Node name = YamlNodes.valueOf(node, "name");
                result.add(new Bound(image, YamlNodes.line(node), place(name == null ? node : name, path + ".name"), idsOf(node, path)));
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
        return new Place(yaml.file(), YamlNodes.line(node), YamlNodes.column(node), field);
    }

    private Map<String, Place> idsOf(Node image, String path) {
        Map<String, Place> ids = new LinkedHashMap<>();
        if (YamlNodes.valueOf(image, "versions") instanceof SequenceNode versions) {
            for (int j = 0; j < versions.getValue().size(); j++) {
                if (YamlNodes.valueOf(versions.getValue().get(j), "id") instanceof ScalarNode id) {
                    ids.put(id.getValue(), place(id, path + ".versions[" + j + "].id"));
                }
            }
        }
        return ids;
    }

    private ImageDefinition image(Node node, String path) {
        Checked image = check.mapping(node, schema.section(IMAGE), path, "an image");
        if (image == null) {
            return null;
        }
        Map<String, Object> meta = meta(image, "meta", META, path);
        boolean enabled = !Boolean.FALSE.equals(image.bool("enable"));
        List<VersionDefinition> versions = versions(image, path + ".versions", enabled);
        String name = image.text("name");
        return new ImageDefinition(name == null ? "" : name, image.bool("enable"), image.text("format"), image.text("login"),
                image.text("password"), image.integer("min_disk"), image.integer("min_ram"), image.text("status"),
                image.text("visibility"), image.bool("multi"), image.bool("keep"), image.text("separator"),
                image.text("shortname"), image.text("latest_url"), image.text("latest_checksum_url"), image.texts("tags"),
                meta, versions);
    }

    private List<VersionDefinition> versions(Checked image, String path, boolean enabled) {
        List<VersionDefinition> versions = new ArrayList<>();
        if (!(image.values().get("versions") instanceof SequenceNode list)) {
            return versions;
        }
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < list.getValue().size(); i++) {
            Node node = list.getValue().get(i);
            String vpath = path + "[" + i + "]";
            VersionDefinition version = version(node, vpath, enabled);
            if (version == null) {
                continue;
            }
            if (version.version() != null) {
                Integer first = seen.putIfAbsent(version.version(), i);
                if (first != null) {
                    yaml.error(node, vpath + ".version", "version '" + version.version() + "' is already defined at "
                            + path + "[" + first + "]");
                }
            }
            versions.add(version);
        }
        return versions;
    }

    private VersionDefinition version(Node node, String path, boolean enabled) {
        Checked version = check.mapping(node, schema.section(VERSION), path, "a version");
        if (version == null) {
            return null;
        }
        String number = version.text("version");
        if (LATEST.equals(number)) {
            if (version.has("checksum_url") == version.has("checksums_url")) {
                yaml.error(node, path, "version 'latest' needs exactly one of 'checksum_url' and 'checksums_url'");
            }
            if (version.has("checksum")) {
                yaml.error(version.node("checksum"), path + ".checksum",
                        "version 'latest' changes upstream; its digest comes from checksum_url or checksums_url");
            }
        } else if (version.has("url") && !version.has("checksum") && !version.has("checksum_url") && !version.has("checksums_url")) {
            yaml.warning(node, path + ".checksum", "no checksum, checksum_url or checksums_url: the download cannot be verified");
        }
        if (enabled) {
            for (String key : List.of("url", "mirror_url")) {
                // the schema's patterns let template URLs through (the reference's CentOS file has them); they are
                // fine in a disabled definition, but an enabled one would fail at its first download
                String url = version.text(key);
                if (url != null && !downloadable(url)) {
                    yaml.warning(version.node(key), path + "." + key, "'" + url + "' is not a URL that can be downloaded;"
                            + " the import of this version will fail");
                }
            }
        }
        return new VersionDefinition(number, version.text("url"), version.text("mirror_url"), version.text("checksum"),
                version.text("checksum_url"), version.text("checksums_url"), version.text("build_date"),
                version.text("visibility"), version.bool("hidden"), version.text("os_version"),
                meta(version, "meta", VERSION_META, path), version.text("image_description"), version.text("source"),
                version.text("id"));
    }

    /** The properties of a meta mapping as Glance will store them: text as written (or null). */
    private Map<String, Object> meta(Checked owner, String key, String section, String path) {
        Map<String, Object> meta = new LinkedHashMap<>();
        if (!(owner.values().get(key) instanceof MappingNode node)) {
            return meta;
        }
        Checked checked = check.mapping(node, schema.section(section), path + "." + key, "a mapping of properties");
        checked.keys().forEach((property, tuple) -> meta.put(property, YamlNodes.text(tuple.getValueNode())));
        return meta;
    }

    private static boolean downloadable(String url) {
        try {
            URI uri = URI.create(url);
            return "file".equalsIgnoreCase(uri.getScheme()) || uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
