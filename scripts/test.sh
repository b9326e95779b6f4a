#!/usr/bin/env bash
# Runs the whole test suite: unit tests of every layer, real FUSE mounts over an in-process S3
# server (S3Proxy) driven by cp/mv/ln/tar/repo-add/pacman, s3fs interoperability, crash
# recovery, and LocalStack (only where Docker runs). Installs missing Debian packages first.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup-debian.sh
exec ./mvnw -B verify "$@"
