package io.s3repofs.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * The conformance table: what Linux answers (checked on a local directory on every run) for the
 * calls issue 8 names. Uid/gid 4242 ("u") and 4343 ("o") are unprivileged users.
 */
final class ConformanceCases {

  private ConformanceCases() {}

  private static ConformanceCase.Builder c(String name) {
    return new ConformanceCase.Builder(name);
  }

  /** A file in the case directory, mode 0666 so that users may write it. */
  private static final String FILE = "open $/f O_CREAT|O_WRONLY 666";
  private static final String CHMOD_FILE = "chmod $/f 666";

  /** A name of 256 bytes, one of 255, one of 258 bytes in 86 characters. */
  private static final String LONG = "$/{a*256}";
  private static final String MAX = "$/{b*255}";
  private static final String LONG_UTF8 = "$/{U+20AC*86}";

  /** A path longer than PATH_MAX (4096) made of short-enough names. */
  private static String tooLongPath() {
    return "$/" + "{c*250}/".repeat(17) + "x";
  }

  static List<ConformanceCase> all() {
    List<ConformanceCase> t = new ArrayList<>();
    for (String who : List.of("root", "u")) {
      // device nodes, FIFOs, sockets
      t.add(c("mkfifo").as(who).call("mkfifo $/p 640").after("$/p").observe("type", "perm").expect("OK type=fifo perm=0640"));
      t.add(c("mknod-fifo").as(who).call("mknod $/p 010640 0 0").after("$/p").observe("type", "perm").expect("OK type=fifo perm=0640"));
      t.add(c("bind-unix-socket").as(who).call("bind $/s").after("$/s").observe("type").expect("OK type=sock"));
      t.add(c("mknod-regular").as(who).call("mknod $/r 0100640 0 0").after("$/r").observe("type", "perm", "size").expect("OK type=reg perm=0640 size=0"));
      t.add(c("mkfifo-exists").as(who).setup(FILE).call("mkfifo $/f 644").expect("ERR EEXIST"));
      t.add(c("unlink-fifo").as(who).setup("mkfifo $/p 666").call("unlink $/p").after("$/p").observe("stat").expect("OK stat=ENOENT"));
      // ENOTDIR for a path through a regular file
      t.add(c("stat-through-file").as(who).setup(FILE).call("stat $/f/x").expect("ERR ENOTDIR"));
      t.add(c("stat-through-file-deeper").as(who).setup(FILE).call("stat $/f/x/y").expect("ERR ENOTDIR"));
      t.add(c("create-through-file").as(who).setup(FILE).call("open $/f/x O_CREAT|O_WRONLY").expect("ERR ENOTDIR"));
      t.add(c("mkdir-through-file").as(who).setup(FILE).call("mkdir $/f/x 755").expect("ERR ENOTDIR"));
      t.add(c("unlink-through-file").as(who).setup(FILE).call("unlink $/f/x").expect("ERR ENOTDIR"));
      t.add(c("rmdir-file").as(who).setup(FILE).call("rmdir $/f").expect("ERR ENOTDIR"));
      t.add(c("rename-dir-over-file").as(who).setup(FILE, "mkdir $/d 777").call("rename $/d $/f").expect("ERR ENOTDIR"));
      t.add(c("rename-file-over-dir").as(who).setup(FILE, "mkdir $/d 777").call("rename $/f $/d").expect("ERR EISDIR"));
      t.add(c("o-directory-on-file").as(who).setup(FILE).call("open $/f O_RDONLY|O_DIRECTORY").expect("ERR ENOTDIR"));
      t.add(c("o-directory-on-dir").as(who).setup("mkdir $/d 777").call("open $/d O_RDONLY|O_DIRECTORY").expect("OK"));
      // ENAMETOOLONG
      t.add(c("create-name-256-bytes").as(who).call("open " + LONG + " O_CREAT|O_WRONLY").expect("ERR ENAMETOOLONG"));
      t.add(c("create-name-258-bytes-86-chars").as(who).call("open " + LONG_UTF8 + " O_CREAT|O_WRONLY").expect("ERR ENAMETOOLONG"));
      t.add(c("create-name-255-bytes").as(who).call("open " + MAX + " O_CREAT|O_WRONLY").after(MAX).observe("type").expect("OK type=reg"));
      t.add(c("mkdir-name-256-bytes").as(who).call("mkdir " + LONG + " 755").expect("ERR ENAMETOOLONG"));
      t.add(c("symlink-name-256-bytes").as(who).call("symlink x " + LONG).expect("ERR ENAMETOOLONG"));
      t.add(c("rename-to-name-256-bytes").as(who).setup(FILE).call("rename $/f " + LONG).expect("ERR ENAMETOOLONG"));
      t.add(c("stat-name-258-bytes").as(who).call("stat " + LONG_UTF8).expect("ERR ENAMETOOLONG"));
      t.add(c("path-over-path-max").as(who).call("stat " + tooLongPath()).expect("ERR ENAMETOOLONG"));
      // EEXIST, ENOTEMPTY, EISDIR, ELOOP
      t.add(c("mkdir-exists").as(who).setup("mkdir $/d 777").call("mkdir $/d 755").expect("ERR EEXIST"));
      t.add(c("mkdir-over-file").as(who).setup(FILE).call("mkdir $/f 755").expect("ERR EEXIST"));
      t.add(c("mkdir-over-symlink").as(who).setup("symlink nowhere $/l").call("mkdir $/l 755").expect("ERR EEXIST"));
      t.add(c("symlink-exists").as(who).setup(FILE).call("symlink x $/f").expect("ERR EEXIST"));
      t.add(c("rmdir-not-empty").as(who).setup("mkdir $/d 777", "open $/d/x O_CREAT|O_WRONLY 666").call("rmdir $/d").expect("ERR ENOTEMPTY"));
      t.add(c("rename-dir-over-non-empty-dir").as(who).setup("mkdir $/d 777", "mkdir $/e 777", "open $/e/x O_CREAT|O_WRONLY 666")
          .call("rename $/d $/e").expect("ERR ENOTEMPTY"));
      t.add(c("rename-dir-over-empty-dir").as(who).setup("mkdir $/d 777", "mkdir $/e 777").call("rename $/d $/e")
          .after("$/d").observe("stat").expect("OK stat=ENOENT"));
      t.add(c("unlink-dir").as(who).setup("mkdir $/d 777").call("unlink $/d").expect("ERR EISDIR"));
      t.add(c("open-dir-for-writing").as(who).setup("mkdir $/d 777").call("open $/d O_WRONLY").expect("ERR EISDIR"));
      t.add(c("create-over-dir").as(who).setup("mkdir $/d 777").call("open $/d O_RDWR|O_CREAT").expect("ERR EISDIR"));
      t.add(c("symlink-loop").as(who).setup("symlink b $/a", "symlink a $/b").call("open $/a O_RDONLY").expect("ERR ELOOP"));
      t.add(c("stat-symlink-loop").as(who).setup("symlink b $/a", "symlink a $/b").call("stat $/a").expect("ERR ELOOP"));
      // O_EXCL, O_NOFOLLOW
      t.add(c("o-excl-exists").as(who).setup(FILE).call("open $/f O_CREAT|O_EXCL|O_WRONLY").expect("ERR EEXIST"));
      t.add(c("o-excl-dangling-symlink").as(who).setup("symlink missing $/l").call("open $/l O_CREAT|O_EXCL|O_WRONLY")
          .after("$/missing").observe("stat").expect("ERR EEXIST stat=ENOENT"));
      t.add(c("o-excl-dir").as(who).setup("mkdir $/d 777").call("open $/d O_CREAT|O_EXCL|O_RDONLY").expect("ERR EEXIST"));
      t.add(c("o-excl-new").as(who).call("open $/n O_CREAT|O_EXCL|O_WRONLY 640").after("$/n").observe("type", "perm").expect("OK type=reg perm=0640"));
      t.add(c("o-creat-through-dangling-symlink").as(who).setup("symlink missing $/l").call("open $/l O_CREAT|O_WRONLY")
          .after("$/missing").observe("type").expect("OK type=reg"));
      t.add(c("o-nofollow-symlink").as(who).setup(FILE, "symlink f $/l").call("open $/l O_RDONLY|O_NOFOLLOW").expect("ERR ELOOP"));
      t.add(c("o-nofollow-file").as(who).setup(FILE).call("open $/f O_RDONLY|O_NOFOLLOW").expect("OK"));
      // hard links
      t.add(c("link").as(who).setup(FILE).call("link $/f $/g").after("$/f").observe("nlink").expect("OK nlink=2"));
      t.add(c("link-missing").as(who).call("link $/missing $/g").expect("ERR ENOENT"));
      // st_ino
      t.add(c("ino-stable-across-rename").as(who).setup(FILE).before("$/f").call("rename $/f $/g").after("$/g").observe("ino~")
          .expect("OK ino=same"));
      t.add(c("ino-distinct-across-files").as(who).setup(FILE, "open $/g O_CREAT|O_WRONLY 666").call("stat $/g").after("$/g")
          .observe("ino!=$/f").expect("OK ino=distinct"));
      // ctime on changes, not on refused calls (the file's owner is root)
      t.add(c("ctime-write").as(who).setup(FILE, CHMOD_FILE).watch("$/f").call("write $/f abc").observe("ctime~", "mtime~", "size")
          .expect("OK ctime=changed mtime=changed size=3"));
      t.add(c("ctime-truncate").as(who).setup(FILE, CHMOD_FILE, "write $/f abcdef").watch("$/f").call("truncate $/f 2")
          .observe("ctime~", "mtime~", "size").expect("OK ctime=changed mtime=changed size=2"));
      t.add(c("ctime-rename").as(who).setup(FILE).before("$/f").call("rename $/f $/g").after("$/g").observe("ctime~", "mtime~")
          .expect("OK ctime=changed mtime=same"));
      // utimensat
      t.add(c("utimens-now-by-writer").as(who).setup(FILE, CHMOD_FILE).watch("$/f").call("utimens $/f now now")
          .observe("mtime~", "ctime~").expect("OK mtime=changed ctime=changed"));
      t.add(c("utime-null-by-writer").as(who).setup(FILE, CHMOD_FILE).watch("$/f").call("touch $/f")
          .observe("mtime~").expect("OK mtime=changed"));
      t.add(c("utimens-omit-omit").as(who).setup(FILE, CHMOD_FILE).watch("$/f").call("utimens $/f omit omit")
          .observe("mtime~", "atime~", "ctime~").expect("OK mtime=same atime=same ctime=same"));
    }
    // as root only: device nodes, chown
    t.add(c("mknod-char").call("mknod $/c 020640 1 3").after("$/c").observe("type", "perm", "rdev").expect("OK type=chr perm=0640 rdev=1:3"));
    t.add(c("mknod-block").call("mknod $/b 060640 7 0").after("$/b").observe("type", "perm", "rdev").expect("OK type=blk perm=0640 rdev=7:0"));
    t.add(c("mknod-char-exists").setup(FILE).call("mknod $/f 020640 1 3").expect("ERR EEXIST"));
    t.add(c("ctime-chmod").setup(FILE).watch("$/f").call("chmod $/f 600").observe("ctime~", "mtime~", "perm")
        .expect("OK ctime=changed mtime=same perm=0600"));
    t.add(c("ctime-chown").setup(FILE).watch("$/f").call("chown $/f 4242 4242").observe("ctime~", "uid", "gid")
        .expect("OK ctime=changed uid=4242 gid=4242"));
    t.add(c("chown-by-root-clears-setuid").setup(FILE, "chmod $/f 6755").after("$/f").call("chown $/f 4242 4242").observe("perm")
        .expect("OK perm=0755"));
    t.add(c("utimens-explicit-by-owner").setup(FILE).watch("$/f")
        .call("utimens $/f 1000000000000000000 1100000000000000000").observe("atime", "mtime", "ctime~")
        .expect("OK atime=1000000000000000000 mtime=1100000000000000000 ctime=changed"));
    t.add(c("utimens-omit-atime").setup(FILE).watch("$/f").call("utimens $/f omit 1100000000000000000").observe("atime~", "mtime==1100000000000000000")
        .expect("OK atime=same mtime=set"));
    t.add(c("utimens-now-omit").setup(FILE).watch("$/f").call("utimens $/f now omit").observe("atime~", "mtime~")
        .expect("OK atime=changed mtime=same"));
    // as an unprivileged user: refused calls, setuid/setgid, sticky directories
    t.add(c("chmod-by-non-owner").as("u").setup(FILE).watch("$/f").call("chmod $/f 600").observe("ctime~", "perm")
        .expect("ERR EPERM ctime=same perm=0666"));
    t.add(c("chown-by-non-owner").as("u").setup(FILE).watch("$/f").call("chown $/f 4242 4242").observe("ctime~", "uid")
        .expect("ERR EPERM ctime=same uid=0"));
    t.add(c("truncate-without-permission").as("u").setup(FILE, "write $/f abc", "chmod $/f 644").watch("$/f").call("truncate $/f 0")
        .observe("ctime~", "size").expect("ERR EACCES ctime=same size=3"));
    t.add(c("chown-to-foreign-group").as("u").setup(FILE, "chown $/f 4242 4242").watch("$/f").call("chown $/f 4242 0")
        .observe("ctime~", "gid").expect("ERR EPERM ctime=same gid=4242"));
    t.add(c("chown-by-owner-clears-setuid-setgid").as("u").setup(FILE, "chown $/f 4242 4242", "chmod $/f 6755")
        .watch("$/f").call("chown $/f 4242 4242").observe("perm").expect("OK perm=0755"));
    t.add(c("write-by-non-owner-clears-setuid").as("u").setup(FILE, "chmod $/f 4777").watch("$/f").call("write $/f x")
        .observe("perm").expect("OK perm=0777"));
    t.add(c("chmod-setgid-outside-group").as("u").setup(FILE, "chown $/f 4242 0").watch("$/f").call("chmod $/f 2755")
        .observe("perm").expect("OK perm=0755"));
    t.add(c("sticky-unlink-others").as("u").setup("mkdir $/t 777", "chmod $/t 1777", "open $/t/r O_CREAT|O_WRONLY 666")
        .call("unlink $/t/r").after("$/t/r").observe("stat").expect("ERR EPERM stat=OK"));
    t.add(c("sticky-rename-others").as("u").setup("mkdir $/t 777", "chmod $/t 1777", "@o open $/t/r O_CREAT|O_WRONLY 666")
        .call("rename $/t/r $/t/x").expect("ERR EPERM"));
    t.add(c("sticky-unlink-own").as("u").setup("mkdir $/t 777", "chmod $/t 1777", "@u open $/t/m O_CREAT|O_WRONLY 666")
        .call("unlink $/t/m").expect("OK"));
    t.add(c("non-sticky-unlink-others").as("u").setup("mkdir $/t 777", "chmod $/t 777", "open $/t/r O_CREAT|O_WRONLY 666")
        .call("unlink $/t/r").expect("OK"));
    t.add(c("mknod-char-unprivileged").as("u").call("mknod $/c 020640 1 3").expect("ERR EPERM"));
    t.add(c("utimens-explicit-by-non-owner").as("u").setup(FILE, CHMOD_FILE).watch("$/f")
        .call("utimens $/f 1000000000000000000 1100000000000000000").observe("mtime~").expect("ERR EPERM mtime=same"));
    t.add(c("utimens-now-without-write").as("u").setup(FILE, "chmod $/f 644").watch("$/f").call("utimens $/f now now")
        .observe("mtime~").expect("ERR EACCES mtime=same"));
    return t;
  }
}
