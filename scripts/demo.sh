#!/usr/bin/env bash
# demo.sh [BUCKET[:/PREFIX] [-o OPTIONS]]
#
# The main job, end to end: installs what is missing (Debian), builds s3repofs, then one command,
# `s3repofs sync`, mounts a bucket with s3fs-style options and public-read ACLs, builds the
# example package in examples/s3repofs-hello with makepkg, adds it to the database, and returns
# once every file is in the bucket; a second `sync -u` finds nothing to do. Debian's pacman,
# configured with what `s3repofs pacman-conf` prints, then installs the package anonymously
# over HTTP.
#
# Without arguments it runs against an embedded local S3 endpoint (s3repofs local-s3) with a
# fresh bucket. With BUCKET it uses your bucket and keys (~/.passwd-s3fs or -o passwd_file=...);
# set REPO_URL to the bucket's public HTTP(S) URL (default: URL/BUCKET from -o url=..., else
# https://BUCKET.s3.amazonaws.com).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$here"
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0; fi

bash scripts/setup-debian.sh
if [[ ! -d target/lib ]] || [[ -n $(find src pom.xml -newer target/s3repofs-0.1.0-SNAPSHOT.jar 2>/dev/null | head -n 1) ]]; then
  echo "demo: building s3repofs"
  ./mvnw -B -q -DskipTests package
fi
s3repofs=scripts/s3repofs
work=$(mktemp -d /tmp/s3repofs-demo.XXXXXX)
chmod 755 "$work"  # makepkg runs as an unprivileged user when we are root
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  # scripts/test.sh runs the demo as a smoke test and wants nothing left behind
  if [[ ${S3REPOFS_DEMO_CLEANUP:-0} == 1 ]]; then wait "$server_pid" 2>/dev/null || true; rm -rf "$work"; fi
}
trap cleanup EXIT

if [[ $# -eq 0 ]]; then
  bucket=demo-repo
  echo "demo: starting an embedded S3 endpoint (s3repofs local-s3, bucket $bucket)"
  "$s3repofs" local-s3 --port 0 --bucket "$bucket" --data "$work/s3data" --stats "$work/requests" \
    > "$work/local-s3.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do grep -q 'S3 endpoint' "$work/local-s3.log" 2>/dev/null && break; sleep 0.1; done
  grep -q 'S3 endpoint' "$work/local-s3.log" || { cat "$work/local-s3.log"; exit 1; }
  port=$(sed -n 's|^S3 endpoint http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/local-s3.log")
  echo "demo: S3 endpoint http://127.0.0.1:$port"
  printf '%s:local-access-key:local-secret-key\n' "$bucket" > "$work/passwd-s3fs"
  chmod 600 "$work/passwd-s3fs"
  spec=$bucket
  options="url=http://127.0.0.1:$port,use_path_request_style,passwd_file=$work/passwd-s3fs"
  repo_url=http://127.0.0.1:$port/$bucket/repo/x86_64
else
  spec=$1; shift
  options=
  if [[ ${1:-} == -o ]]; then options=$2; fi
  bucket=${spec%%:*}
  url=$(sed -n 's/.*url=\([^,]*\).*/\1/p' <<<"$options")
  repo_url=${REPO_URL:-${url:+$url/$bucket}}
  repo_url=${repo_url:-https://$bucket.s3.amazonaws.com}/repo/x86_64
fi

sync=("$s3repofs" sync "$spec" --repo demo --root repo/x86_64
  -o "nosuid,nodev,default_acl=public-read,use_cache=$work/cache${options:+,$options}")
echo "demo: s3repofs sync $spec --repo demo --root repo/x86_64 examples/s3repofs-hello -o default_acl=public-read,..."
echo "demo:   (mounts the bucket, builds with makepkg, adds to demo.db, unmounts once all is uploaded)"
"${sync[@]}" examples/s3repofs-hello
echo "demo: again with -u: nothing is out of date, so nothing is built or uploaded"
"${sync[@]}" -u examples/s3repofs-hello
if [[ -f $work/requests ]]; then
  sleep 0.3  # the server rewrites its counts every 100 ms
  echo "demo: S3 requests of both syncs: $(tr '\n' ' ' < "$work/requests")"
fi

echo "demo: the section for pacman.conf (s3repofs pacman-conf):"
if [[ -n ${REPO_URL:-} ]]; then
  section=$(printf '[demo]\nSigLevel = Optional TrustAll\nServer = %s\n' "$repo_url")
else
  section=$("$s3repofs" pacman-conf "$spec" --repo demo --root repo/x86_64 ${options:+-o "$options"})
fi
sed 's/^/demo:   /' <<<"$section"
echo "demo: pacman -Sy from it (anonymous HTTP)"
mkdir -p "$work/root/db" "$work/root/cache"
printf '[options]\nArchitecture = auto\n%s\n' "$section" > "$work/pacman.conf"
pac=(pacman --config "$work/pacman.conf" --root "$work/root" --dbpath "$work/root/db" --cachedir "$work/root/cache" --noconfirm)
"${pac[@]}" -Sy
"${pac[@]}" -Sl demo
"${pac[@]}" -S s3repofs-hello >/dev/null
echo "demo: installed into $work/root:"
"${pac[@]}" -Q
"$work/root/usr/bin/s3repofs-hello"
if [[ ${S3REPOFS_DEMO_CLEANUP:-0} == 1 ]]; then
  echo "demo: done"
else
  echo "demo: done; everything is in $work"
fi
