#!/usr/bin/env bash
# Installs what s3repofs needs on Debian 12 (as root, or through sudo): a JDK 17, FUSE
# (libfuse2 for jnr-fuse, fuse3 for fusermount), pacman's tools (pacman, repo-add, vercmp,
# makepkg with bsdtar), and s3fs and rclone (the peers of the interoperability tests and the
# benchmark). Safe to run again: it installs only what is missing.
set -euo pipefail

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
fi

packages=(libfuse2 fuse3 pacman-package-manager makepkg libarchive-tools s3fs rclone rsync curl zstd xz-utils)
if ! javac -version 2>&1 | grep -Eq 'javac (1[7-9]|[2-9][0-9])'; then
  packages+=(openjdk-17-jdk-headless)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# makepkg (used by the tests to build real packages) needs a pacman database directory.
[ -d /var/lib/pacman ] || $SUDO mkdir -p /var/lib/pacman
echo "setup: done"
