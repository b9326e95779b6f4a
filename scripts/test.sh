#!/usr/bin/env bash
# Runs the whole test suite: README's main job end to end (scripts/demo.sh: mount, repo-add,
# pacman over HTTP), then the unit tests of every layer, real FUSE mounts over an in-process S3
# server (S3Proxy) driven by cp/mv/ln/tar/rsync/repo-add/pacman, s3fs interoperability, crash
# recovery, and LocalStack (only where Docker runs). Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup-debian.sh
echo "test: README's main job (scripts/demo.sh)"
S3REPOFS_DEMO_CLEANUP=1 bash scripts/demo.sh > target-demo.log 2>&1 || { cat target-demo.log; echo "test: scripts/demo.sh failed"; exit 1; }
tail -n 4 target-demo.log && rm -f target-demo.log
exec ./mvnw -B verify "$@"
