package org.imagemanager.app;

import org.imagemanager.cloud.CloudsYaml;
import org.imagemanager.glance.GlanceClient;
import org.imagemanager.plan.ObservedImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The OpenStack Image Manager's command line, unchanged: {@code ./image-manager} without a subcommand takes every
 * flag of {@code openstack-image-manager}, with its meaning and its defaults, so that a cron line or CI step that
 * calls the reference works when only the program name is replaced. Each run becomes a {@code sync} (or a
 * {@code validate}, or the reference's one-shot share); flags that have no meaning here are accepted and the run
 * says once why they are not needed.
 */
@Command(name = "image-manager", description = "The OpenStack Image Manager's command line (without a subcommand); "
        + "see also the subcommands sync, plan, validate, serve, status, republish.")
final class ReferenceCommandLine implements Callable<Integer> {
    static final Set<String> PREFETCH_CHOICES = Set.of("never", "on-stuck", "always");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--debug", description = "debug logs") boolean debug;
    @Option(names = "--dry-run", description = "do not perform any changes") boolean dryRun;
    @Option(names = "--check-age", description = "check image age against the definition") boolean checkAge;
    @Option(names = "--max-age", defaultValue = "90", description = "with --check-age: days after which an image is too old (default ${DEFAULT-VALUE})") int maxAge;
    @Option(names = "--latest", description = "only import the latest version of multi images") boolean latest;
    @Option(names = "--keep", description = "keep versions of images that are no longer defined") boolean keep;
    @Option(names = "--cloud", defaultValue = "openstack", description = "cloud name in clouds.yaml (default ${DEFAULT-VALUE})") String cloud;
    @Option(names = "--images", defaultValue = "etc/images/", description = "folder of image files, or one file (default ${DEFAULT-VALUE})") String images;
    @Option(names = "--tag", defaultValue = "managed_by_osism", description = "tag of managed images (default ${DEFAULT-VALUE})") String tag;
    @Option(names = "--filter", description = "only images whose name matches this regular expression (anywhere, as re.search)") String filter;
    @Option(names = "--deactivate", description = "deactivate images that should be deleted") boolean deactivate;
    @Option(names = "--hide", description = "hide images that should be deleted") boolean hide;
    @Option(names = "--force", description = "also process disabled images") boolean force;
    @Option(names = "--delete", description = "delete outdated images") boolean delete;
    @Option(names = "--yes-i-really-know-what-i-do", description = "really delete images") boolean reallyDelete;
    @Option(names = "--use-os-hidden", description = "use the os_hidden property") boolean useOsHidden;
    @Option(names = "--share-image", description = "share: the image to share (name or id)") String shareImage;
    @Option(names = "--share-action", defaultValue = "add", description = "share: add or del (default ${DEFAULT-VALUE})") String shareAction;
    @Option(names = "--share-domain", defaultValue = "default", description = "share: the domain of the --share-target project (default ${DEFAULT-VALUE})") String shareDomain;
    @Option(names = "--share-target", description = "share: the project (--share-type project) or domain (--share-type domain)") String shareTarget;
    @Option(names = "--share-type", defaultValue = "project", description = "share: project or domain (default ${DEFAULT-VALUE})") String shareType;
    @Option(names = "--check", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "validate the definitions first (always done here)") boolean check;
    @Option(names = "--check-only", description = "only validate the definitions") boolean checkOnly;
    @Option(names = "--stuck-retry", defaultValue = "0", description = "accepted; a stuck import is removed and planned again here") int stuckRetry;
    @Option(names = "--prefetch", defaultValue = "on-stuck", description = "accepted (never, on-stuck, always); the bytes are always streamed by this tool") String prefetch;
    @Option(names = "--import-timeout", defaultValue = "1800", description = "seconds; bounds the whole run here (default ${DEFAULT-VALUE})") int importTimeout;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help") boolean help;

    /** Whether {@code args} call the reference's command line: no subcommand named first. */
    static boolean isReferenceCall(String[] args, Set<String> subcommands) {
        if (args.length == 0) {
            return true; // the reference's defaults: --cloud openstack --images etc/images/
        }
        String first = args[0];
        if (subcommands.contains(first) || Set.of("-V", "--version").contains(first)) {
            return false;
        }
        if (args.length == 1 && Set.of("-h", "--help").contains(first)) {
            return false; // the overview, with the subcommands; "--cloud X --help" shows the reference's flags
        }
        return first.startsWith("-");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!PREFETCH_CHOICES.contains(prefetch)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--prefetch must be one of never, on-stuck, always");
        }
        Logger log = LoggerFactory.getLogger(ReferenceCommandLine.class);
        log.debug("cloud = {}", cloud);
        log.debug("dry-run = {}", dryRun);
        log.debug("images = {}", images);
        log.debug("tag = {}", tag);
        log.debug("yes-i-really-know-what-i-do = {}", reallyDelete);
        notNeeded(err);
        if (checkOnly) {
            return delegate("validate", List.of(images));
        }
        if (shareImage != null) {
            return share(out);
        }
        List<String> args = new ArrayList<>(List.of("--cloud", cloud, "--images", images, "--tag", tag,
                "--timeout", "PT" + Math.max(importTimeout, 1) + "S"));
        if (filter != null) {
            args.addAll(List.of("--filter", ".*(?:" + filter + ")")); // re.search finds a match anywhere
        }
        flag(args, dryRun, "--dry-run");
        flag(args, latest, "--latest");
        flag(args, keep, "--keep");
        flag(args, deactivate, "--deactivate");
        flag(args, hide, "--hide");
        flag(args, force, "--force");
        flag(args, delete, "--delete");
        flag(args, reallyDelete, "--yes-i-really-know-what-i-do");
        flag(args, useOsHidden, "--use-os-hidden");
        if (checkAge) {
            args.addAll(List.of("--max-age", String.valueOf(maxAge)));
        }
        return delegate("sync", args);
    }

    /** Says once, for each flag given that this tool does not need, why. */
    private void notNeeded(PrintWriter err) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--prefetch")) {
            err.println("note: --prefetch is not needed: this tool always downloads the bytes itself, verifies them as they "
                    + "stream and uploads them, so nothing is left to Glance's web-download to get stuck");
        }
        if (parsed.hasMatchedOption("--stuck-retry")) {
            err.println("note: --stuck-retry is not needed: an import stuck in Glance is removed and planned again by itself");
        }
        if (!check) {
            err.println("note: --no-check is ignored: the definitions are always validated first, and an invalid folder "
                    + "changes nothing");
        }
        err.flush();
    }

    private int delegate(String subcommand, List<String> args) {
        List<String> all = new ArrayList<>();
        all.add(subcommand);
        all.addAll(args);
        CommandLine commandLine = new CommandLine(new ImageManager());
        commandLine.setOut(spec.commandLine().getOut()).setErr(spec.commandLine().getErr());
        commandLine.setExecutionExceptionHandler(spec.commandLine().getExecutionExceptionHandler());
        return commandLine.execute(all.toArray(String[]::new));
    }

    private static void flag(List<String> args, boolean set, String name) {
        if (set) {
            args.add(name);
        }
    }

    /**
     * The reference's one-shot share: add (and accept on the project's behalf) or remove one image's membership for
     * a project, or for every project of a domain. Only a managed image (with {@code --tag}) is touched.
     */
    private int share(PrintWriter out) {
        if (!Set.of("add", "del").contains(shareAction) || !Set.of("project", "domain").contains(shareType) || shareTarget == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "sharing needs --share-target, --share-action add|del and --share-type project|domain");
        }
        GlanceClient glance = new GlanceClient(CloudsYaml.load(cloud));
        List<ObservedImage> found = glance.get(shareImage).map(List::of).orElseGet(() -> glance.listImagesNamed(shareImage));
        if (found.size() != 1) {
            spec.commandLine().getErr().println("error: cloud '" + cloud + "': " + (found.isEmpty() ? "no image '" + shareImage + "'"
                    : found.size() + " images are named '" + shareImage + "': give its id"));
            return ImageManager.EXIT_FAILED;
        }
        ObservedImage image = found.getFirst();
        if (!image.tags().contains(tag)) {
            spec.commandLine().getErr().println("error: cloud '" + cloud + "': image '" + image.name() + "' has no tag '" + tag
                    + "': an unmanaged image is never touched");
            return ImageManager.EXIT_FAILED;
        }
        Set<String> projects = shareType.equals("project")
                ? glance.resolveProjects(List.of(shareTarget), List.of())
                : glance.resolveProjects(List.of(), List.of(shareTarget));
        Set<String> members = glance.members(image.id()).stream().map(ObservedImage.Member::projectId)
                .collect(java.util.stream.Collectors.toSet());
        for (String project : projects) {
            boolean member = members.contains(project);
            if (shareAction.equals("add")) {
                if (!member) {
                    out.println("add - " + image.name() + " - " + project);
                    if (!dryRun) {
                        glance.addMember(image.id(), project);
                    }
                }
                if (!dryRun) {
                    out.println("accept - " + image.name() + " - " + project);
                    glance.setMemberStatus(image.id(), project, "accepted");
                }
            } else if (member) {
                out.println("del - " + image.name() + " - " + project);
                if (!dryRun) {
                    glance.removeMember(image.id(), project);
                }
            }
        }
        out.flush();
        return 0;
    }
}
