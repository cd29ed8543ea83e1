package org.imagemanager.definition;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The YAML side of reading one definitions file, knowing nothing of images: where a node stands, the keys of a
 * mapping with merge keys resolved as PyYAML resolves them and duplicates reported, a budget against alias bombs,
 * and the errors and warnings collected on the way (never the first one only).
 */
final class YamlNodes {
    /** Aliases may make a small file a huge graph; beyond this many nodes the file is refused. */
    private static final int NODE_BUDGET = 100_000;

    private final String file;
    private final List<DefinitionError> errors = new ArrayList<>();
    private final List<DefinitionError> warnings = new ArrayList<>();
    private int nodesVisited;

    YamlNodes(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    List<DefinitionError> errors() {
        return errors;
    }

    List<DefinitionError> warnings() {
        return warnings;
    }

    void error(Node at, String field, String message) {
        errors.add(problem(at, field, message));
    }

    void warning(Node at, String field, String message) {
        warnings.add(problem(at, field, message));
    }

    boolean hasErrorAt(String field) {
        return errors.stream().anyMatch(e -> field.equals(e.field()));
    }

    int errorCount() {
        return errors.size();
    }

    DefinitionError problem(Node at, String field, String message) {
        return new DefinitionError(file, line(at), column(at), field, message);
    }

    /**
     * The keys of a mapping in file order, merge keys ({@code <<: *common}) resolved: merged keys count unless the
     * mapping gives them itself. A duplicate key and a key that is not plain text are errors; the first one wins.
     */
    Map<String, NodeTuple> keys(MappingNode mapping, String path) {
        budget(mapping);
        List<NodeTuple> own = new ArrayList<>();
        List<NodeTuple> merged = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!tuple.getKeyNode().getTag().equals(Tag.MERGE)) {
                own.add(tuple);
                continue;
            }
            Node value = tuple.getValueNode();
            for (Node source : value instanceof SequenceNode list ? list.getValue() : List.of(value)) {
                if (source instanceof MappingNode m) {
                    merged.addAll(m.getValue());
                } else {
                    error(source, path, "a merge key (<<) takes a mapping or a list of mappings, found " + describe(source));
                }
            }
        }
        for (NodeTuple tuple : merged) {
            if (tuple.getKeyNode() instanceof ScalarNode k && own.stream().noneMatch(t ->
                    t.getKeyNode() instanceof ScalarNode e && e.getValue().equals(k.getValue()))) {
                own.add(tuple);
            }
        }
        Map<String, NodeTuple> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : own) {
            budget(tuple.getValueNode());
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                error(tuple.getKeyNode(), path, "keys must be plain text, found " + describe(tuple.getKeyNode()));
                continue;
            }
            String key = keyNode.getValue();
            if (keys.putIfAbsent(key, tuple) != null) {
                error(keyNode, join(path, key), "duplicate key '" + key + "'");
            }
        }
        return keys;
    }

    /** The value of {@code key} in a mapping node, or null. */
    static Node valueOf(Node mapping, String key) {
        if (mapping instanceof MappingNode m) {
            for (NodeTuple tuple : m.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return tuple.getValueNode();
                }
            }
        }
        return null;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static boolean isNull(Node node) {
        return node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL);
    }

    /** The text of a scalar as written ({@code 1.10} stays "1.10"), null for null and for collections. */
    static String text(Node node) {
        return node instanceof ScalarNode scalar && !isNull(scalar) ? scalar.getValue() : null;
    }

    static String describe(Node node) {
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

    static int line(Node node) {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }

    static int column(Node node) {
        return node == null ? 1 : node.getStartMark().getColumn() + 1;
    }

    private void budget(Node node) {
        if (++nodesVisited == NODE_BUDGET) {
            throw new TooComplexException(node);
        }
    }

    /** The document expands to more nodes than any definitions file needs (aliases). */
    static final class TooComplexException extends RuntimeException {
        final transient Node at;

        TooComplexException(Node at) {
            super("document too complex", null, false, false);
            this.at = at;
        }
    }

    /** The known key a typo most likely meant (edit distance ≤ 2), if any. */
    static String closest(String key, Collection<String> known) {
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
