package io.s3repofs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HeaderRulesTest {
  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  static Map<String, String> h(String cacheControl, String type) {
    return type == null ? Map.of("Cache-Control", cacheControl)
        : Map.of("Cache-Control", cacheControl, "Content-Type", type);
  }

  @Test
  void repositoryDefaultsFitEachKindOfFile() {
    HeaderRules r = RepositoryHeaders.defaults();
    assertEquals(h(IMMUTABLE, "application/zstd"), r.headersFor("x86_64/foo-1.0-1-x86_64.pkg.tar.zst"));
    assertEquals(h(IMMUTABLE, "application/x-xz"), r.headersFor("foo-1.0-1-any.pkg.tar.xz"));
    assertEquals(h(IMMUTABLE, "application/gzip"), r.headersFor("foo-1.0-1-any.pkg.tar.gz"));
    assertEquals(h(IMMUTABLE, "application/x-tar"), r.headersFor("foo-1.0-1-any.pkg.tar"));
    assertEquals(h(IMMUTABLE, "application/pgp-signature"), r.headersFor("foo-1.0-1-any.pkg.tar.zst.sig"));
    assertEquals(h(IMMUTABLE, "application/zstd"), r.headersFor("libc  -1-1-x86_64.pkg.tar.zst"));
    assertEquals(h("no-cache", "application/gzip"), r.headersFor("repo/myrepo.db.tar.gz"));
    assertEquals(h("no-cache", "application/zstd"), r.headersFor("myrepo.files.tar.zst"));
    assertEquals(h("no-cache", "application/x-xz"), r.headersFor("myrepo.db.tar.xz.old"));
    assertEquals(h("no-cache", "application/pgp-signature"), r.headersFor("myrepo.db.tar.gz.sig"));
    assertEquals(h("no-cache", "application/pgp-signature"), r.headersFor("myrepo.db.sig"));
    assertEquals(h("no-cache", "application/pgp-signature"), r.headersFor("myrepo.files.tar.gz.old.sig"));
    // the links take their Content-Type from the database they copy (see ObjectStore.copy)
    assertEquals(h("no-cache", null), r.headersFor("myrepo.db"));
    assertEquals(h("no-cache", null), r.headersFor("myrepo.files"));
    assertTrue(r.headersFor("notes.txt").isEmpty());
    assertTrue(r.headersFor("dir/").isEmpty());
    assertTrue(r.headersFor("myrepo.db.tar.gz.lck").isEmpty());
    assertTrue(r.headersFor("foo.tar.gz").isEmpty());
  }

  @Test
  void maxAgesAreOptions() {
    HeaderRules r = RepositoryHeaders.rules(600, 60);
    assertEquals("public, max-age=600, immutable", r.headersFor("a-1-1-any.pkg.tar.zst").get("Cache-Control"));
    assertEquals("public, max-age=60", r.headersFor("r.db.tar.gz").get("Cache-Control"));
    assertEquals("no-cache", RepositoryHeaders.rules(0, 0).headersFor("a-1-1-any.pkg.tar.zst").get("Cache-Control"));
  }

  @Test
  void laterRulesOverrideAndEmptyValuesRemove() {
    HeaderRules r = RepositoryHeaders.defaults().then(HeaderRules.parse("""
        # comment
        *.db.tar.gz   Cache-Control: public, max-age=30
        *.pkg.tar.*   Cache-Control
        site/*.html   content-type text/html; charset=utf-8
        """, "rules"));
    assertEquals(h("public, max-age=30", "application/gzip"), r.headersFor("x/r.db.tar.gz"));
    assertEquals(Map.of("Content-Type", "application/zstd"), r.headersFor("a-1-1-any.pkg.tar.zst"));
    assertEquals(Map.of("Content-Type", "text/html; charset=utf-8"), r.headersFor("site/index.html"));
    assertTrue(r.headersFor("other/index.html").isEmpty());
  }

  @Test
  void s3fsAhbeConfFormat() {
    HeaderRules r = HeaderRules.parseAhbe("""
        .gz Content-Encoding gzip
        reg:^/MYDIR/(.*)[.]t2$ Content-Encoding text2
        Content-Language en
        """, "ahbe");
    assertEquals(Map.of("Content-Encoding", "gzip", "Content-Language", "en"), r.headersFor("a/b.gz"));
    assertEquals(Map.of("Content-Encoding", "text2", "Content-Language", "en"), r.headersFor("MYDIR/x.t2"));
    assertEquals(Map.of("Content-Language", "en"), r.headersFor("x.t2"));
  }

  @Test
  void badLinesAreOneLineErrorsNamingTheLine() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> HeaderRules.parse("*.db Cache-Control no-cache\n*.x X-Powered-By me\n", "rules.conf"));
    assertEquals("rules.conf line 2: header 'X-Powered-By' is not one s3repofs sets (Cache-Control,"
        + " Content-Type, Content-Disposition, Content-Encoding, Content-Language)", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HeaderRules.parse("lonely\n", "f"));
    assertTrue(e.getMessage().startsWith("f line 1: expected GLOB HEADER VALUE"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> HeaderRules.parse("*.{a Cache-Control x\n", "f"));
    assertEquals("f line 1: bad glob '*.{a'", e.getMessage());
  }
}
