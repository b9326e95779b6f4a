package io.s3repofs.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a TARGET is, and what .SRCINFO says about versions and split packages. */
class TargetsTest {

  @TempDir
  Path tmp;

  @Test
  void directoriesFilesAndAurNamesAreToldApart() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("foo"));
    Files.writeString(dir.resolve("PKGBUILD"), "pkgname=foo\n");
    Path pkg = Files.writeString(tmp.resolve("foo-1.0-1-any.pkg.tar.zst"), "x");
    List<Target> t = Targets.resolve(List.of(dir.toString(), pkg.toString(), "yay-bin"));
    assertInstanceOf(Target.PkgbuildDir.class, t.get(0));
    assertInstanceOf(Target.PackageFile.class, t.get(1));
    assertEquals(new Target.AurName("yay-bin"), t.get(2));
  }

  @Test
  void whatIsNoTargetIsOneLineNamingIt() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Path text = Files.writeString(tmp.resolve("notes.txt"), "x");
    assertTrue(assertThrows(SyncException.class, () -> Targets.resolve(List.of(empty.toString())))
        .getMessage().contains("without a PKGBUILD"));
    assertTrue(assertThrows(SyncException.class, () -> Targets.resolve(List.of(text.toString())))
        .getMessage().contains("neither a PKGBUILD directory nor a package file"));
    // a path or a package file name that does not exist is never taken for an AUR name
    for (String missing : List.of("./foo", "dir/foo", "foo-1.0-1-any.pkg.tar.zst", "Foo Bar")) {
      assertTrue(assertThrows(SyncException.class, () -> Targets.resolve(List.of(missing)))
          .getMessage().contains("does not exist"), missing);
    }
  }

  @Test
  void srcinfoGivesTheDatabaseVersionAndEverySplitPackage() {
    SrcInfo s = SrcInfo.parse("""
        pkgbase = duo
        \tpkgver = 2.0
        \tpkgrel = 3
        \tepoch = 1
        \tarch = x86_64

        pkgname = duo-core

        pkgname = duo-extra
        \tarch = any
        """, "duo");
    assertEquals("1:2.0-3", s.version());
    assertEquals(List.of("duo-core", "duo-extra"), s.pkgnames());
    assertEquals("0.9-1", SrcInfo.parse("pkgbase = g\n\tpkgver = 0.9\n\tpkgrel = 1\npkgname = g\n", "g").version());
    assertThrows(SyncException.class, () -> SrcInfo.parse("pkgbase = x\n", "x"));
  }
}
