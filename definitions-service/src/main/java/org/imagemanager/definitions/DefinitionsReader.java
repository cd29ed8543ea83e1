package org.imagemanager.definitions;

import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.PathFilter;
import org.imagemanager.definition.DefinitionException;
import org.imagemanager.definition.DefinitionLoader;
import org.imagemanager.definition.ValidationReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads definition files ({@code *.yml}, {@code *.yaml}) from a git repository at a branch's head (JGit: the
 * committed tree, not the working copy) or from a plain folder.
 */
public final class DefinitionsReader {
    private final DefinitionLoader loader = new DefinitionLoader();

    /** The commit {@code ref} (e.g. {@code refs/heads/main}) points at, if the repository has that ref. */
    public Optional<String> headCommit(Path repositoryDir, String ref) throws IOException {
        try (Repository repository = open(repositoryDir)) {
            return Optional.ofNullable(repository.exactRef(ref)).map(r -> r.getObjectId().getName());
        }
    }

    /** Definitions at a commit; {@code subfolder} (may be null) limits the files read. */
    public DefinitionSnapshot readCommit(Path repositoryDir, String commit, String subfolder) throws IOException, DefinitionException {
        try (Repository repository = open(repositoryDir); RevWalk walk = new RevWalk(repository)) {
            RevCommit revCommit = walk.parseCommit(repository.resolve(commit));
            Map<String, DefinitionLoader.StreamSupplier> files = new TreeMap<>();
            try (TreeWalk tree = new TreeWalk(repository)) {
                tree.addTree(revCommit.getTree());
                tree.setRecursive(true);
                if (subfolder != null && !subfolder.isBlank()) {
                    tree.setFilter(PathFilter.create(subfolder.replaceAll("^/+|/+$", "")));
                }
                while (tree.next()) {
                    String path = tree.getPathString();
                    if (isDefinitionFile(path)) {
                        // the blob's size is in its header: an oversized file is refused without being inflated
                        ObjectLoader blob = repository.open(tree.getObjectId(0));
                        files.put(path, DefinitionLoader.StreamSupplier.sized(blob.getSize(), blob::openStream));
                    }
                }
            }
            return new DefinitionSnapshot(repositoryDir.toString(), revCommit.getName(), loader.loadAll(files, revCommit.getName()));
        }
    }

    /** Definitions in a folder on disk (or one file), as the reference's {@code --images PATH}. */
    public DefinitionSnapshot readFolder(Path path) throws IOException, DefinitionException {
        return new DefinitionSnapshot(path.toString(), "folder", loader.loadAll(filesOf(path), null));
    }

    /** Every error and warning of the definitions in a folder (or one file). */
    public ValidationReport validateFolder(Path path) throws IOException {
        return loader.validate(filesOf(path), null);
    }

    private static Map<String, DefinitionLoader.StreamSupplier> filesOf(Path path) throws IOException {
        Map<String, DefinitionLoader.StreamSupplier> files = new TreeMap<>();
        if (Files.isRegularFile(path)) {
            files.put(path.toString(), DefinitionLoader.StreamSupplier.sized(Files.size(path), () -> Files.newInputStream(path)));
        } else {
            try (Stream<Path> walk = Files.walk(path)) {
                walk.filter(Files::isRegularFile)
                        .filter(p -> isDefinitionFile(p.getFileName().toString()))
                        .forEach(p -> files.put(path.relativize(p).toString(),
                                DefinitionLoader.StreamSupplier.sized(sizeOf(p), () -> Files.newInputStream(p))));
            }
        }
        return files;
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1; // reported when it is read
        }
    }

    private static boolean isDefinitionFile(String path) {
        return path.endsWith(".yml") || path.endsWith(".yaml");
    }

    private static Repository open(Path dir) throws IOException {
        return new FileRepositoryBuilder().findGitDir(dir.toFile()).setMustExist(true).build();
    }
}
