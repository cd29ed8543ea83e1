package org.imagemanager.definition;

import org.imagemanager.definition.DefinitionSchema.Rule;
import org.imagemanager.definition.DefinitionSchema.Section;
import org.imagemanager.definition.DefinitionSchema.Type;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.imagemanager.definition.YamlNodes.describe;
import static org.imagemanager.definition.YamlNodes.isNull;
import static org.imagemanager.definition.YamlNodes.join;

/**
 * Applies the rules of {@link DefinitionSchema} to YAML nodes: which keys a mapping may and must have, and what each
 * value must be. Every failure is reported with its place and key path; the values that pass come back converted
 * (text, booleans, numbers, ISO days), so that the binder never looks at a value twice.
 */
final class RuleCheck {
    /** Splits a checksum into algorithm and digest, to name what is wrong with it more precisely than a pattern can. */
    private static final Pattern CHECKSUM_PARTS = Pattern.compile("(\\w+):(.*)", Pattern.DOTALL);
    private static final Pattern LOWERCASE_HEX = Pattern.compile("[0-9a-f]+");
    private static final Object INVALID = new Object();

    private final YamlNodes yaml;

    RuleCheck(YamlNodes yaml) {
        this.yaml = yaml;
    }

    /** A checked mapping: its keys as written and the converted values of those that passed their rule. */
    record Checked(Node node, Map<String, NodeTuple> keys, Map<String, Object> values) {
        boolean has(String key) {
            return keys.containsKey(key);
        }

        Node node(String key) {
            NodeTuple tuple = keys.get(key);
            return tuple == null ? null : tuple.getValueNode();
        }

        String text(String key) {
            return values.get(key) instanceof String s ? s : null;
        }

        Boolean bool(String key) {
            return values.get(key) instanceof Boolean b ? b : null;
        }

        Integer integer(String key) {
            return values.get(key) instanceof Integer i ? i : null;
        }

        @SuppressWarnings("unchecked")
        List<String> texts(String key) {
            return values.get(key) instanceof List<?> list ? (List<String>) list : List.of();
        }
    }

    /**
     * Checks one mapping against a section: unknown keys, missing required keys and every value. Returns null when
     * the node is not a mapping (reported as {@code what}, e.g. "an image").
     */
    Checked mapping(Node node, Section section, String path, String what) {
        if (!(node instanceof MappingNode mapping)) {
            yaml.error(node, path, "expected " + what + " (a mapping), found " + describe(node));
            return null;
        }
        Map<String, NodeTuple> keys = yaml.keys(mapping, path);
        Map<String, NodeTuple> known = new LinkedHashMap<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Map.Entry<String, NodeTuple> entry : keys.entrySet()) {
            String key = entry.getKey();
            Node value = entry.getValue().getValueNode();
            Rule rule = section.keys().get(key);
            if (rule != null) {
                known.put(key, entry.getValue());
                Object converted = value(value, rule, join(path, key), true);
                if (converted != INVALID) {
                    values.put(key, converted);
                }
            } else if (section.extensionPrefix() != null && key.startsWith(section.extensionPrefix())) {
                continue; // an anchor holder (x-…), ignored like docker-compose ignores it
            } else if (section.open()) {
                known.put(key, entry.getValue());
                if (value instanceof ScalarNode) {
                    values.put(key, YamlNodes.text(value));
                } else {
                    yaml.error(value, join(path, key), "a property value must be a single value (Glance stores text), found "
                            + describe(value));
                }
            } else {
                String hint = YamlNodes.closest(key, section.keys().keySet());
                Node keyNode = entry.getValue().getKeyNode();
                yaml.error(keyNode, join(path, key), "unknown key '" + key + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                        + (section.extensionPrefix() == null ? "" : " (expected " + section.keys().keySet().stream()
                        .map(k -> "'" + k + "'").reduce((a, b) -> a + ", " + b).orElse("") + ", or "
                        + section.extensionPrefix() + "… for anchors)"));
            }
        }
        section.keys().forEach((key, rule) -> {
            if (rule.required() && !keys.containsKey(key)) {
                yaml.error(node, join(path, key), "missing required key"
                        + (rule.type() == Type.ENUM ? " (one of " + rule.values() + ")" : ""));
            }
        });
        return new Checked(node, known, values);
    }

    /** The value converted, or INVALID (after reporting why, when {@code report}). */
    private Object value(Node node, Rule rule, String path, boolean report) {
        if (isNull(node) && rule.type() != Type.ENUM && rule.type() != Type.ANY) {
            if (rule.required()) {
                return fail(report, node, path, "must not be null");
            }
            return null;
        }
        return switch (rule.type()) {
            case TEXT -> text(node, rule, path, report);
            case BOOL -> node instanceof ScalarNode s && s.getTag().equals(Tag.BOOL)
                    ? Boolean.valueOf(switch (s.getValue().toLowerCase(java.util.Locale.ROOT)) {
                        case "true", "yes", "on", "y" -> true;
                        default -> false;
                    })
                    : fail(report, node, path, "expected true or false, found " + describe(node));
            case INT -> integer(node, rule, path, report);
            case ENUM -> enumValue(node, rule, path, report);
            case DATE -> date(node, rule, path, report);
            case PATTERN -> pattern(node, rule, path, report);
            case CHECKSUM -> checksum(node, rule, path, report);
            case TEXT_LIST -> texts(node, rule, path, report);
            case SECTION -> node instanceof MappingNode ? node
                    : fail(report, node, path, "expected " + expected(rule, "a mapping") + ", found " + describe(node));
            case SECTION_LIST -> sectionList(node, rule, path, report);
            case ANY -> {
                for (Rule alternative : rule.of()) {
                    Object value = value(node, alternative, path, false);
                    if (value != INVALID) {
                        yield value;
                    }
                }
                yield fail(report, node, path, "expected " + rule.expected() + ", found " + describe(node));
            }
        };
    }

    private Object text(Node node, Rule rule, String path, boolean report) {
        if (!(node instanceof ScalarNode scalar)) {
            return fail(report, node, path, "expected text, found " + describe(node));
        }
        if (!scalar.getTag().equals(Tag.STR)) {
            // as the reference's str(): 1.10 unquoted is the number 1.1, so the version would not be what is written
            return fail(report, node, path, "expected text, found " + describe(node) + ", which YAML reads as "
                    + kind(scalar) + "; quote it ('" + scalar.getValue() + "')");
        }
        if (rule.notEmpty() && scalar.getValue().isBlank()) {
            return fail(report, node, path, "must not be empty");
        }
        return scalar.getValue();
    }

    private Object integer(Node node, Rule rule, String path, boolean report) {
        String wanted = "expected a whole number" + (rule.min() == null ? "" : " ≥ " + rule.min()) + ", found " + describe(node);
        if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.INT)) {
            return fail(report, node, path, wanted);
        }
        try {
            int value = Integer.decode(scalar.getValue().replace("_", ""));
            return rule.min() != null && value < rule.min() ? fail(report, node, path, wanted) : (Object) value;
        } catch (NumberFormatException tooLarge) {
            return fail(report, node, path, wanted);
        }
    }

    private Object enumValue(Node node, Rule rule, String path, boolean report) {
        if (isNull(node)) {
            return rule.nullable() ? null : fail(report, node, path, "expected one of " + rule.values() + ", found null");
        }
        if (node instanceof ScalarNode scalar && rule.values().contains(scalar.getValue())) {
            return scalar.getValue();
        }
        return fail(report, node, path, "expected one of " + rule.values() + (rule.nullable() ? " or null" : "")
                + ", found " + describe(node));
    }

    /** An ISO day; a timestamp counts by its day, as Python's datetime is a date. */
    private Object date(Node node, Rule rule, String path, boolean report) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.TIMESTAMP) && scalar.getValue().length() >= 10) {
            try {
                return LocalDate.parse(scalar.getValue().substring(0, 10)).toString();
            } catch (DateTimeParseException noSuchDay) {
                return fail(report, node, path, "expected a date (YYYY-MM-DD) or a timestamp, found " + describe(node)
                        + ", which is no day of the calendar");
            }
        }
        boolean quoted = node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)
                && scalar.getValue().matches("\\d{4}-\\d{2}-\\d{2}.*");
        return fail(report, node, path, "expected a date (YYYY-MM-DD) or a timestamp, found " + describe(node)
                + (quoted ? " as quoted text; write the date unquoted" : ""));
    }

    private Object pattern(Node node, Rule rule, String path, boolean report) {
        // as Yamale's regex(): text only, matched at its start (re.match)
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)
                && rule.pattern().matcher(scalar.getValue()).lookingAt()) {
            return scalar.getValue().trim();
        }
        return fail(report, node, path, "expected " + expected(rule, "text matching " + rule.pattern()) + ", found " + describe(node));
    }

    private Object checksum(Node node, Rule rule, String path, boolean report) {
        String wanted = "expected " + rule.expected() + ", found " + describe(node);
        if (!(node instanceof ScalarNode scalar) || !scalar.getTag().equals(Tag.STR)) {
            return fail(report, node, path, wanted);
        }
        Matcher parts = CHECKSUM_PARTS.matcher(scalar.getValue());
        if (!parts.matches() || !LOWERCASE_HEX.matcher(parts.group(2)).matches()) {
            return fail(report, node, path, wanted);
        }
        Integer length = rule.algorithms().get(parts.group(1));
        if (length == null) {
            return fail(report, node, path, "unknown digest algorithm '" + parts.group(1) + "'; " + wanted);
        }
        if (parts.group(2).length() != length) {
            return fail(report, node, path, parts.group(1) + " digest must have " + length + " hex digits, found "
                    + parts.group(2).length());
        }
        return rule.pattern().matcher(scalar.getValue()).lookingAt() ? scalar.getValue() : fail(report, node, path, wanted);
    }

    private Object texts(Node node, Rule rule, String path, boolean report) {
        if (!(node instanceof SequenceNode list)) {
            return fail(report, node, path, "expected " + expected(rule, "a list of text") + ", found " + describe(node));
        }
        List<String> values = new ArrayList<>();
        boolean valid = true;
        for (int i = 0; i < list.getValue().size(); i++) {
            Node item = list.getValue().get(i);
            if (item instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
                values.add(scalar.getValue());
            } else {
                valid = false;
                fail(report, item, path + "[" + i + "]", "expected text, found " + describe(item));
            }
        }
        return valid ? List.copyOf(values) : INVALID;
    }

    private Object sectionList(Node node, Rule rule, String path, boolean report) {
        if (!(node instanceof SequenceNode list)) {
            return fail(report, node, path, "expected " + expected(rule, "a list") + ", found " + describe(node));
        }
        if (rule.minItems() != null && list.getValue().size() < rule.minItems()) {
            // the list is still bound, so that the errors of what it does hold are reported too
            fail(report, node, path, "needs at least " + (rule.minItems() == 1 ? "one " + rule.section()
                    : rule.minItems() + " " + rule.section() + "s"));
        }
        return node;
    }

    private Object fail(boolean report, Node node, String path, String message) {
        if (report) {
            yaml.error(node, path, message);
        }
        return INVALID;
    }

    private static String expected(Rule rule, String otherwise) {
        return rule.expected() == null ? otherwise : rule.expected();
    }

    private static String kind(ScalarNode scalar) {
        Tag tag = scalar.getTag();
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
            return "a number";
        }
        if (tag.equals(Tag.BOOL)) {
            return "a boolean";
        }
        if (tag.equals(Tag.TIMESTAMP)) {
            return "a date";
        }
        return "a " + tag.getValue();
    }
}
