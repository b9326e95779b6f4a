#!/usr/bin/env bash
# install.sh [--no-build] [PREFIX]   (default PREFIX: /usr/local)
#
# Installs s3repofs from this checkout under PREFIX:
#   PREFIX/bin/s3repofs                              the launcher (java 17+ on PATH)
#   PREFIX/lib/s3repofs/                             s3repofs.jar and its libraries
#   PREFIX/share/bash-completion/completions/s3repofs    bash completion (picocli AutoComplete)
#   PREFIX/share/zsh/site-functions/_s3repofs        the same script for zsh (it runs bashcompinit)
#   PREFIX/share/man/man1/s3repofs*.1                man pages, one per command, made from the
#                                                    commands' --help (plain text in troff: no
#                                                    asciidoctor or picocli-codegen needed)
# With PREFIX=/usr/local (or /usr), mount(8) finds the launcher, so `mount -t fuse.s3repofs`
# and fstab lines work (mount.fuse3 runs `s3repofs BUCKET MOUNTPOINT -o OPTIONS`).
# Builds first if target/ is missing or stale (--no-build: install target/ as it is).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
build=1
if [[ ${1:-} == --no-build ]]; then build=0; shift; fi
prefix=${1:-/usr/local}
cd "$here"
jar=target/s3repofs-0.1.0-SNAPSHOT.jar
if [[ ! -f $jar || ! -f target/classpath.txt ]]; then
  [[ $build == 1 ]] || { echo "install: $jar is not built (./mvnw -B -q -DskipTests package)" >&2; exit 1; }
fi
if [[ $build == 1 ]] && { [[ ! -f $jar || ! -f target/classpath.txt ]] || [[ -n $(find src pom.xml -newer "$jar" 2>/dev/null | head -n 1) ]]; }; then
  echo "install: building s3repofs"
  ./mvnw -B -q -DskipTests package
fi
lib=$prefix/lib/s3repofs
install -d "$prefix/bin" "$lib/lib" "$lib/extra-lib" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/site-functions" "$prefix/share/man/man1"
install -m 644 "$jar" "$lib/s3repofs.jar"
# Only the jars the class paths name (target/lib may hold stale ones from an earlier build).
for jar_path in $(tr ':' ' ' < target/classpath.txt); do install -m 644 "target/lib/${jar_path##*/}" "$lib/lib/"; done
for jar_path in $(tr ':' ' ' < target/extra-classpath.txt); do
  install -m 644 "target/extra-lib/${jar_path##*/}" "$lib/extra-lib/"
done
classpath="$lib/s3repofs.jar:$(sed "s|\$S3REPOFS_LIB|$lib/lib|g" target/classpath.txt)"
# S3Proxy and the benchmark's charts: on the path of local-s3 alone (see scripts/s3repofs).
extra_classpath=$(sed "s|\$S3REPOFS_EXTRA_LIB|$lib/extra-lib|g" target/extra-classpath.txt)
cat > "$prefix/bin/s3repofs.tmp" <<LAUNCHER
#!/bin/sh
# s3repofs launcher, installed by scripts/install.sh. JVM settings as in scripts/s3repofs (README,
# "Memory and start-up"): serial GC and a 256 MiB heap (a mount keeps file data on disk), C1 only
# for short commands, a mount's JIT compiling after three times the usual calls and leaving C2
# to the JDK's cryptography, no heap limit for local-s3. S3REPOFS_JAVA_OPTS adds to them (a later -Xmx wins).
jvm="-XX:+UseSerialGC -Xmx256m -XX:MaxDirectMemorySize=64m"
classpath='$classpath'
# s3fs's command line (no command: what mount.fuse3 runs) is mount, as in scripts/s3repofs.
case "\${1:-}" in
  mount | umount | unmount | sync | pacman-conf | status | repo | local-s3 | help | -* | "") ;;
  *) if [ \$# -ge 2 ]; then set -- mount "\$@"; fi ;;
esac
case "\${1:-}" in
  local-s3) jvm="-XX:+UseSerialGC" classpath="\$classpath:$extra_classpath" ;;
  mount) jvm="\$jvm -XX:CompileThresholdScaling=3 -Ds3repofs.c2=crypto" ;; # see scripts/s3repofs
  -V | --version | -h | --help | help | status | umount | unmount | "") jvm="\$jvm -XX:TieredStopAtLevel=1" ;;
esac
jvm=\${S3REPOFS_JAVA_OPTS_OVERRIDE-\$jvm}
export MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-2} # two glibc arenas for a mount's 100 threads, not 16
extra=\${S3REPOFS_JAVA_OPTS:-}
export S3REPOFS_JAVA_OPTS="\$jvm \$extra"
# A mount without -f runs in the background in this one JVM, as scripts/s3repofs explains:
# its messages until it is mounted come out here, then it says so and this script exits.
if [ "\${1:-}" = mount ]; then
  case " \$* " in
    *" -f "* | *" --foreground "* | *" -h "* | *" --help "*) ;;
    *)
      fifo=\$(mktemp -u "\${TMPDIR:-/tmp}/s3repofs-mount.XXXXXXXX") || exit 1
      mkfifo -m 600 "\$fifo" || exit 1
      setsid -w java \$jvm \$extra -Ds3repofs.launcher-background=true -cp "\$classpath" \\
        io.s3repofs.cli.Main "\$@" </dev/null >"\$fifo" 2>&1 &
      mounter=\$!
      exec 3<"\$fifo"
      rm -f "\$fifo"
      while IFS= read -r line <&3; do
        if [ "\$line" = "s3repofs: mounted in the background" ]; then exit 0; fi
        printf '%s\\n' "\$line" >&2
      done
      wait "\$mounter"
      exit
      ;;
  esac
fi
exec java \$jvm \$extra -cp "\$classpath" io.s3repofs.cli.Main "\$@"
LAUNCHER
chmod 755 "$prefix/bin/s3repofs.tmp"
mv "$prefix/bin/s3repofs.tmp" "$prefix/bin/s3repofs"

run() { java -cp "$classpath" "$@"; }
run io.s3repofs.cli.CompletionScript "$prefix/share/bash-completion/completions/s3repofs"
cp "$prefix/share/bash-completion/completions/s3repofs" "$prefix/share/zsh/site-functions/_s3repofs"

# man pages: the --help of each command, as preformatted text in a troff page
man_page() {  # NAME TITLE ARGS...
  local name=$1 title=$2; shift 2
  {
    printf '.TH %s 1 "%s" "s3repofs" "User Commands"\n' "$(tr a-z- A-Z_ <<<"$name")" "$(date +%Y-%m-%d)"
    printf '.SH NAME\n%s \\- %s\n.SH DESCRIPTION\n.nf\n' "$name" "$title"
    "$prefix/bin/s3repofs" "$@" --help 2>&1 | sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\&'/"
    printf '.fi\n.SH SEE ALSO\ns3repofs(1), pacman.conf(5), makepkg(8), repo-add(8), mount.fuse3(8)\n'
  } > "$prefix/share/man/man1/$name.1"
}
man_page s3repofs "host an Arch Linux package repository in an S3 bucket"
for cmd in mount umount status sync pacman-conf local-s3; do
  man_page "s3repofs-$cmd" "s3repofs $cmd" "$cmd"
done
for cmd in add remove list verify; do
  man_page "s3repofs-repo-$cmd" "s3repofs repo $cmd" repo "$cmd"
done
echo "install: s3repofs installed under $prefix (launcher $prefix/bin/s3repofs)"
