#!/usr/bin/env bash
# benchmark.sh [--quick] [--runs N] [--tools s3fs,rclone,s3repofs] [--workloads ...] [--out DIR] ...
#
# Benchmarks s3repofs side by side with s3fs and rclone mount (--vfs-cache-mode writes) on one
# local S3 server that counts every request, with and without 20 ms of added round-trip latency:
# publishing a pacman repository (cp + repo-add -R), listing, streaming, small files, peak RSS.
# The benchmark itself is Java (src/main/java/io/s3repofs/bench/Benchmark.java); this script
# builds the project if needed and runs it. `benchmark.sh --help` lists every option.
#
# Needs root (or a user allowed to mount FUSE), s3fs, rclone, repo-add, pacman, makepkg, curl
# (scripts/setup-debian.sh installs them). Results go to target/bench-results/DATE/ (--out DIR):
# results.csv, results.json, report.md, chart.png.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$HERE"
jar=$(ls target/s3repofs-*.jar 2>/dev/null | head -n 1 || true)
if [[ -z $jar || ! -f target/extra-classpath.txt || ! -f target/classpath.txt ||
	-n $(find src/main pom.xml -newer "$jar" -print -quit 2>/dev/null) ]]; then
	echo "benchmark: building s3repofs (./mvnw -q -DskipTests package)" >&2
	./mvnw -B -q -DskipTests package
	jar=$(ls target/s3repofs-*.jar | head -n 1)
fi
classpath=$(sed "s|\$S3REPOFS_LIB|$HERE/target/lib|g" target/classpath.txt)
# S3Proxy (the benchmark's S3 server) and XChart (its chart) are outside the mount's class path.
extra=$(sed "s|\$S3REPOFS_EXTRA_LIB|$HERE/target/extra-lib|g" target/extra-classpath.txt)
exec java ${BENCH_JAVA_OPTS:-} -Ds3repofs.home="$HERE" -cp "$jar:$classpath:$extra" \
	io.s3repofs.bench.Benchmark "$@"
