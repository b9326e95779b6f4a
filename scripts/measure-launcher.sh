#!/usr/bin/env bash
# measure-launcher.sh [MIB] — what the launcher's JVM settings cost and save, measured:
#   start-up of `s3repofs --version` and of `s3repofs mount` (until the mount point answers),
#   peak RSS (VmHWM) of a mount that writes MIB MiB with dd (until it has exited after unmount)
#   and of a fresh mount that reads it back cold.
# Each configuration is a value of S3REPOFS_JAVA_OPTS_OVERRIDE (see scripts/s3repofs), given as
# lines of CONFIGS below; "default" is the launcher as shipped. Needs root (FUSE) and a build.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
MIB=${1:-256}
S3=$HERE/scripts/s3repofs
WORK=$(mktemp -d /tmp/measure-launcher.XXXXXX)
FUSERMOUNT=fusermount; command -v fusermount3 >/dev/null && FUSERMOUNT=fusermount3
cleanup() { $FUSERMOUNT -uz "$WORK/mnt" 2>/dev/null || true; [[ -n ${SP:-} ]] && kill "$SP" 2>/dev/null; sleep 0.5; rm -rf --one-file-system "$WORK"; }
trap cleanup EXIT
"$S3" local-s3 --port 0 --bucket mbench --data "$WORK/s3" > "$WORK/s3.log" 2>&1 & SP=$!
until grep -q 'http://' "$WORK/s3.log"; do sleep 0.2; done
EP=$(grep -o 'http://[0-9.:]*' "$WORK/s3.log" | head -n1)
printf 'mbench:local-access-key:local-secret-key\n' > "$WORK/pw"; chmod 600 "$WORK/pw"
mkdir -p "$WORK/mnt"
opts="url=$EP,use_path_request_style,passwd_file=$WORK/pw,use_cache=$WORK/cache"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# mount in the foreground (pid = the JVM), wait until the mount point answers; sets PID, MOUNT_MS
mount_it() {
  rm -rf "$WORK/cache"; local t0; t0=$(date +%s%N)
  "$S3" mount mbench "$WORK/mnt" -f -o "$opts" > "$WORK/mount.log" 2>&1 & PID=$!
  until stat -f -c %T "$WORK/mnt" 2>/dev/null | grep -q fuse && ls "$WORK/mnt" >/dev/null 2>&1; do
    kill -0 $PID 2>/dev/null || { cat "$WORK/mount.log"; exit 1; }; sleep 0.01; done
  MOUNT_MS=$(ms "$t0")
  sample_hwm $PID & SAMPLER=$!
}
# samples the mount's peak RSS (VmHWM, kB) into $WORK/hwm until the process exits
sample_hwm() {
  local pid=$1 hwm=0 h; echo 0 > "$WORK/hwm"
  while kill -0 "$pid" 2>/dev/null; do
    h=$(awk '/VmHWM/ {print $2}' /proc/$pid/status 2>/dev/null || true)
    if [[ -n $h ]] && ((h > hwm)); then hwm=$h; echo $hwm > "$WORK/hwm"; fi
    sleep 0.05
  done
}
# unmount, wait for the exit; sets HWM to the peak RSS in MiB
umount_hwm() {
  $FUSERMOUNT -u "$WORK/mnt"; wait $PID 2>/dev/null || true; wait $SAMPLER 2>/dev/null || true
  HWM=$(( $(cat "$WORK/hwm") / 1024 ))
}

CONFIGS=${CONFIGS:-default}
printf '%-60s %10s %9s %11s %10s %11s %10s\n' config version_ms mount_ms write_hwm write_s read_hwm read_s
while IFS= read -r cfg; do
  [[ -z $cfg ]] && continue
  if [[ $cfg == default ]]; then unset S3REPOFS_JAVA_OPTS_OVERRIDE; else export S3REPOFS_JAVA_OPTS_OVERRIDE="$cfg"; fi
  v=(); for i in 1 2 3; do t0=$(date +%s%N); "$S3" --version >/dev/null; v+=("$(ms "$t0")"); done
  vmed=$(printf '%s\n' "${v[@]}" | sort -n | sed -n 2p)
  mount_it; m1=$MOUNT_MS
  t0=$(date +%s%N); dd if=/dev/zero of="$WORK/mnt/big" bs=1M count="$MIB" status=none
  umount_hwm; whwm=$HWM; ws=$(ms "$t0")
  mount_it
  t0=$(date +%s%N); dd if="$WORK/mnt/big" of=/dev/null bs=1M status=none || { ls -la "$WORK/mnt" "$WORK/s3/mbench"; tail -5 "$WORK/mount.log"; }; rs=$(ms "$t0")
  umount_hwm; rhwm=$HWM
  rm -rf "$WORK/s3/mbench/big"
  printf '%-60s %10s %9s %9sMiB %9.1fs %9sMiB %9.1fs\n' "$cfg" "$vmed" "$m1" "$whwm" "$(echo "$ws/1000" | bc -l)" "$rhwm" "$(echo "$rs/1000" | bc -l)"
done <<< "$CONFIGS"
