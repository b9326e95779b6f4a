package io.s3repofs.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code s3repofs} command. */
@Command(
    name = "s3repofs",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
        "Host an Arch Linux package repository in an S3 bucket.",
        "",
        "Mount a bucket as a filesystem (write-back cache, public-read ACLs, s3fs-compatible",
        "options and objects) and run repo-add, repose or aurutils against it; pacman then",
        "downloads the repository over HTTPS."},
    footer = {
        "",
        "Examples:",
        "  s3repofs mount mybucket ~/bucket -o default_acl=public-read",
        "  s3repofs mybucket ~/bucket -o default_acl=public-read   # s3fs's form: same as mount",
        "  s3repofs sync mybucket --repo myrepo --root repo/x86_64 ~/pkgbuilds/foo",
        "  s3repofs mount mybucket:/repo ~/repo -o url=https://ams3.digitaloceanspaces.com",
        "  s3repofs status ~/bucket",
        "  s3repofs umount ~/bucket        # waits until every file is in the bucket"})
public final class Main implements Runnable {

  /**
   * The commands, in the order help lists them. Only the one a command line names gets a
   * picocli model: picocli is Java 5 bytecode, which class-data sharing does not archive, so
   * every model is built by interpreted reflection (all eight cost {@code mount --help} 0.1 s
   * of CPU more than one).
   */
  private static final List<Class<?>> COMMANDS = List.of(MountCommand.class, UmountCommand.class,
      SyncCommand.class, PacmanConfCommand.class, StatusCommand.class, io.s3repofs.cli.repo.RepoCommand.class,
      LocalS3Command.class, CommandLine.HelpCommand.class);

  /** Each command's name and aliases, read from its {@code @Command}, to the command. */
  private static final Map<String, Class<?>> BY_NAME = byName();

  private static Map<String, Class<?>> byName() {
    Map<String, Class<?>> byName = new HashMap<>();
    for (Class<?> command : COMMANDS) {
      Command names = command.getAnnotation(Command.class);
      byName.put(names.name(), command);
      for (String alias : names.aliases()) {
        byName.put(alias, command);
      }
    }
    return Map.copyOf(byName);
  }

  /** The command names, in the order help lists them. */
  private static List<String> names() {
    return COMMANDS.stream().map(c -> c.getAnnotation(Command.class).name()).toList();
  }

  /** Every command name and alias (the launchers keep a copy: scripts/s3repofs, scripts/install.sh). */
  static java.util.Set<String> commandNames() {
    return BY_NAME.keySet();
  }

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see: s3repofs --help)");
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit status. */
  public static int run(String... args) {
    return run(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
  }

  /** Runs the command line with the given output streams (for tests) and returns the exit status. */
  public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
    args = dropIn(args);
    CommandLine cli = commandLine(args.length > 0 ? BY_NAME.get(args[0]) : null);
    cli.setOut(out);
    cli.setErr(err);
    cli.setUsageHelpWidth(100); // the help texts are laid out for 100 columns
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      String message = e instanceof UsageException || e instanceof Failure
          ? e.getMessage() : Failure.describe(e);
      commandLine.getErr().println("s3repofs: " + message);
      return e instanceof UsageException ? 2 : 1;
    });
    cli.setParameterExceptionHandler((e, strings) -> {
      // one word that is no command: a typo of one, or s3fs's form without its mount point
      boolean unknownWord = e.getCommandLine() == cli && e instanceof CommandLine.UnmatchedArgumentException
          && strings.length == 1 && !strings[0].startsWith("-");
      e.getCommandLine().getErr().println("s3repofs: " + (unknownWord
          ? "unknown command '" + strings[0] + "' (commands: " + String.join(", ", names())
              + "; s3fs's form is s3repofs BUCKET MOUNTPOINT [-o OPTIONS])"
          : e.getMessage()));
      e.getCommandLine().getErr().println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName()
          + " --help' for more information.");
      return 2;
    });
    return cli.execute(args);
  }

  /**
   * The command line with the model of the command {@code named} only, or of every command when
   * it is null or help (so that help, completion and a mistake's error name them all).
   */
  static CommandLine commandLine(Class<?> named) {
    CommandLine cli = new CommandLine(new Main());
    if (named != null && named != CommandLine.HelpCommand.class) {
      cli.addSubcommand(named);
    } else {
      COMMANDS.forEach(cli::addSubcommand);
    }
    return cli;
  }

  /**
   * s3fs's command line, {@code s3repofs BUCKET[:/PREFIX] MOUNTPOINT [-o OPTIONS]} (no command),
   * is {@code mount}: what mount.fuse3 runs for {@code mount -t fuse.s3repofs} and fstab lines.
   */
  static String[] dropIn(String[] args) {
    if (args.length >= 2 && !args[0].startsWith("-") && !BY_NAME.containsKey(args[0])) {
      String[] mount = new String[args.length + 1];
      mount[0] = "mount";
      System.arraycopy(args, 0, mount, 1, args.length);
      return mount;
    }
    return args;
  }

  /** The version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"s3repofs " + (v == null ? "development" : v)};
    }
  }
}
