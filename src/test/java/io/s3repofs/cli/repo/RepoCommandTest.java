package io.s3repofs.cli.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.s3repofs.pacman.TestPackages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The picocli commands: exit codes, one-line errors, output. */
class RepoCommandTest {
  @TempDir
  Path tmp;

  /** Exit code, stdout, stderr of one run. */
  record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new RepoCommand());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static void assertOneLineError(Run r, String contains) {
    assertEquals(1, r.code(), r.toString());
    assertTrue(r.err().contains(contains), r.err());
    assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  @Test
  void addListRemoveVerify() throws Exception {
    List<TestPackages.Pkg> all = TestPackages.all();
    Path dir = tmp.resolve("repo");
    List<Path> files = TestPackages.copy(all.subList(0, 5), dir);
    String db = dir.resolve("cli.db.tar.zst").toString();
    List<String> args = new ArrayList<>(List.of("add", db));
    files.forEach(f -> args.add(f.toString()));
    Run add = run(args.toArray(String[]::new));
    assertEquals(0, add.code(), add.toString());
    assertEquals("", add.out(), "quiet when not on a terminal");

    Run list = run("list", db);
    assertEquals(0, list.code());
    List<String> expected = all.subList(0, 5).stream().map(p -> p.name() + " " + p.version()).sorted().toList();
    assertEquals(expected, list.out().lines().sorted().toList());

    Run verify = run("verify", db);
    assertEquals(0, verify.code(), verify.toString());
    assertTrue(verify.out().contains("5 package(s) verified"), verify.out());

    Files.delete(files.get(0));
    Run bad = run("verify", "-q", db);
    assertEquals(1, bad.code());
    assertTrue(bad.out().contains(all.get(0).fileName() + " is missing"), bad.out());
    assertTrue(bad.err().contains("1 problem(s) found"), bad.err());

    Run remove = run("remove", db, all.get(0).name());
    assertEquals(0, remove.code(), remove.toString());
    assertEquals(0, run("verify", db).code());
    assertEquals(4, run("list", db).out().lines().count());

    assertOneLineError(run("remove", db, "no-such-package"), "package matching 'no-such-package' not found");
  }

  @Test
  void userErrorsAreOneLineWithExitCode1() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("errors"));
    String db = dir.resolve("e.db.tar.gz").toString();
    assertOneLineError(run("add", db, dir.resolve("missing.pkg.tar.zst").toString()), "missing.pkg.tar.zst: file not found");
    Path junk = Files.writeString(dir.resolve("junk.pkg.tar.zst"), "junk".repeat(200));
    assertOneLineError(run("add", db, junk.toString()), "junk.pkg.tar.zst: not a package");
    assertOneLineError(run("list", db), "was not found");
    assertOneLineError(run("add", dir.resolve("bad.tar.gz").toString(), junk.toString()), "does not have a valid database archive extension");
    assertOneLineError(run("add", tmp.resolve("nodir/x.db.tar.gz").toString(), junk.toString()), "does not exist or is not a directory");
    Files.writeString(dir.resolve("e.db.tar.gz.lck"), "99\n");
    List<TestPackages.Pkg> all = TestPackages.all();
    Path pkg = TestPackages.copy(all.subList(0, 1), dir).get(0);
    assertOneLineError(run("add", db, pkg.toString()), "database is locked by another process");
    assertFalse(Files.exists(Path.of(db)), "nothing written");
  }

  @Test
  void usageErrorsExitWith2AndHelpWorks() {
    assertEquals(2, run().code());
    assertEquals(2, run("add").code());
    assertEquals(2, run("add", "x.db.tar.gz").code(), "at least one package");
    assertEquals(2, run("add", "--bogus", "x.db.tar.gz", "p").code());
    assertEquals(2, run("add", "--wait", "-3", "x.db.tar.gz", "p").code());
    Run help = run("add", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("--prevent-downgrade") && help.out().contains("Examples:"), help.out());
    assertTrue(run("--help").out().contains("Exit codes:"));
  }
}
