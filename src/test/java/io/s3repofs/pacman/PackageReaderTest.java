package io.s3repofs.pacman;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link PackageReader} and {@link PackageInfo} on real makepkg packages of every compression. */
class PackageReaderTest {
    private final PackageReader reader = new PackageReader();

    @Test
    void readsEveryFieldOfRealPackagesInAllCompressions() throws Exception {
        List<TestPackages.Pkg> all = TestPackages.all();
        assertEquals(TestPackages.COUNT, all.size());
        Map<String, Compression> byExt = Map.of("zst", Compression.ZSTD, "xz", Compression.XZ, "gz", Compression.GZIP);
        assertEquals(3, all.stream().map(TestPackages.Pkg::compression).distinct().count());
        for (TestPackages.Pkg p : all) {
            PackageFile pkg = reader.read(p.path());
            PackageInfo info = pkg.info();
            String n = p.name();
            assertEquals(byExt.get(p.compression()), pkg.compression(), p.fileName());
            assertEquals(n, info.name());
            assertEquals(n, info.base());
            assertEquals(p.version(), info.version());
            assertEquals("Test package " + n + ", built by s3repofs make-test-packages", info.description(),
                    "whitespace runs are normalised as repo-add does");
            assertEquals("https://s3repofs.invalid/" + n, info.url());
            assertTrue(info.buildDate().matches("17\\d{8}"), info.buildDate());
            assertEquals("s3repofs tests <tests@s3repofs.invalid>", info.packager());
            assertTrue(Long.parseLong(info.installedSize()) > 1000, info.installedSize());
            assertTrue(List.of("any", "x86_64").contains(info.arch()), info.arch());
            assertEquals(List.of("GPL3", "custom:s3repofs test"), info.licenses());
            assertEquals(List.of(n + "-legacy"), info.replaces());
            assertEquals(2, info.groups().size());
            assertEquals("s3repofs-test", info.groups().get(0));
            assertEquals(List.of(n + "-old<1.0"), info.conflicts());
            assertEquals(2, info.provides().size());
            assertEquals(List.of("etc/" + n + "/" + n + ".conf"), info.backup());
            assertEquals(List.of("bash>=5.0", "glibc"), info.depends());
            assertEquals(List.of("python: for the helper scripts", "perl"), info.optDepends());
            assertEquals(List.of("make", "gcc>=12"), info.makeDepends());
            assertEquals(List.of("check"), info.checkDepends());
            assertEquals(n + "-" + p.version(), info.entryName());

            // size and checksums over the file's bytes, as repo-add computes them
            assertEquals(Files.size(p.path()), pkg.compressedSize());
            assertEquals(firstWord(Tools.run(p.path().getParent(), "md5sum", p.fileName()).assertOk("md5sum").output()), pkg.md5());
            assertEquals(firstWord(Tools.run(p.path().getParent(), "sha256sum", p.fileName()).assertOk("sha256sum").output()), pkg.sha256());
            // the file list exactly as repo-add builds it
            String listed = Tools.run(p.path().getParent(), "bash", "-c",
                    "bsdtar --exclude='^.*' -tf \"$1\" | LC_ALL=C sort -u", "x", p.fileName()).assertOk("bsdtar").output();
            assertEquals(Arrays.asList(listed.split("\n")), pkg.files(), p.fileName());
            assertTrue(pkg.files().contains("usr/share/" + n + "/data/file 1.txt"));
        }
    }

    @Test
    void bigIncompressiblePackageIsReadCompletely() throws Exception {
        TestPackages.Pkg big = TestPackages.big();
        PackageFile pkg = reader.read(big.path());
        assertEquals(Files.size(big.path()), pkg.compressedSize());
        assertTrue(pkg.compressedSize() > TestPackages.BIG_MIB * 1_000_000L);
        assertTrue(pkg.files().contains("usr/share/bigpkg/data/random.bin"));
        assertEquals(firstWord(Tools.run(big.path().getParent(), "sha256sum", big.fileName()).assertOk("sha256sum").output()),
                pkg.sha256());
    }

    @Test
    void compressionIsDetectedFromContentNotName(@TempDir Path tmp) throws Exception {
        for (TestPackages.Pkg p : TestPackages.oneOfEachCompression()) {
            Path misnamed = tmp.resolve(p.name() + "-misnamed.pkg.tar");
            Files.copy(p.path(), misnamed);
            PackageFile pkg = reader.read(misnamed);
            assertEquals(p.name(), pkg.info().name());
        }
        // an uncompressed package too
        TestPackages.Pkg zst = TestPackages.oneOfEachCompression().get(0);
        Path plain = tmp.resolve("plain.pkg.tar");
        Tools.run(tmp, "bash", "-c", "zstd -dc \"$1\" > plain.pkg.tar", "x", zst.path().toString()).assertOk("zstd -d");
        PackageFile pkg = reader.read(plain);
        assertEquals(Compression.NONE, pkg.compression());
        assertEquals(reader.read(zst.path()).files(), pkg.files());
    }

    @Test
    void pkginfoParsingFollowsRepoAdd() {
        PackageInfo info = PackageInfo.parse(String.join("\n",
                "# Generated by makepkg 6.0.2",
                "pkgname = foo",
                "pkgver = 2:1.0-3",
                "pkgdesc =   spaced    out\tdescription   ",
                "url=https://x.invalid/a=b",
                "license = MIT",
                "license = BSD",
                "depend = a",
                "depend = b>=1",
                "arch = x86_64",
                "arch = any",
                "  # not a comment for bash: a key named #",
                "xdata = pkgtype=pkg",
                "futurekey = kept",
                ""));
        assertEquals("foo", info.name());
        assertEquals("2:1.0-3", info.version());
        assertEquals("spaced out description", info.description());
        assertEquals("https://x.invalid/a=b", info.url());
        assertEquals(List.of("MIT", "BSD"), info.licenses());
        assertEquals(List.of("a", "b>=1"), info.depends());
        assertEquals("any", info.arch(), "single-valued keys: the last line wins");
        assertEquals(List.of("pkgtype=pkg"), info.xdata());
        assertEquals("kept", info.value("futurekey"));
        assertEquals(null, info.base());
    }

    @Test
    void pkginfoWithoutNameOrVersionIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> PackageInfo.parse("pkgver = 1-1\n"));
        assertThrows(IllegalArgumentException.class, () -> PackageInfo.parse("pkgname = a\n"));
        assertThrows(IllegalArgumentException.class, () -> PackageInfo.parse("pkgname = ../a\npkgver = 1-1\n"));
        assertThrows(IllegalArgumentException.class, () -> PackageInfo.parse("pkgname = a\npkgver = 1.0\n"));
        assertThrows(IllegalArgumentException.class, () -> PackageInfo.parse("pkgname = a\npkgver = 1/0-1\n"));
    }

    @Test
    void missingFileIsAPackageException(@TempDir Path tmp) {
        PackageException e = assertThrows(PackageException.class, () -> reader.read(tmp.resolve("nope.pkg.tar.zst")));
        assertEquals(tmp.resolve("nope.pkg.tar.zst") + ": file not found", e.getMessage());
    }

    private static String firstWord(String s) {
        return s.trim().split("\\s+")[0];
    }
}
