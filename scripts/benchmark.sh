#!/usr/bin/env bash
# benchmark.sh [--packages N] [--big-mib M] [--out FILE] [--port PORT] [--tools LIST] [--keep]
#
# Measures s3repofs side by side with s3fs and rclone mount on one local S3 server (S3Proxy,
# started with `s3repofs local-s3`, which counts every request it serves by kind).
#
# For each tool, on a fresh bucket, it runs the classic "pacman repository on a mounted bucket"
# recipe:  mount;  mkdir -p MNT/repo/x86_64;  for each package:
#   cp PKG MNT/repo/x86_64/ && repo-add -q -R MNT/repo/x86_64/bench.db.tar.gz MNT/repo/x86_64/PKG
# then `fusermount -u MNT` at once and waits for the mount process to exit. It records the time
# of the copy+repo-add phase, the time from `fusermount -u` until the mount process exited, and
# the S3 requests by kind from mount to exit. Then it checks the bucket as a user would: a fresh
# pacman root with `Server = http://127.0.0.1:PORT/BUCKET/repo/x86_64` runs `pacman -Sy` and
# `pacman -S -dd` of every package in the repository, and every package file expected in the
# bucket is fetched anonymously.
#
# Options:
#   --packages N    small packages to build (default 20); every 7th is a newer build of the one
#                   before it, so repo-add -R also replaces packages
#   --big-mib M     also add one package of M MiB of incompressible data (default 64; 0: none)
#   --out FILE      also write the results as markdown to FILE
#   --port PORT     port of the local S3 server (default 0: any free port)
#   --tools LIST    comma-separated subset of s3fs,rclone,s3repofs (default: all three)
#   --keep          keep the work directory (packages, logs) for inspection
#   -h, --help      this help
#
# Environment: BENCH_PKG_CACHE=DIR keeps the built packages in DIR between runs (default: built
# in the work directory, each run). BENCH_TIMEOUT=SEC bounds every single step (default 600).
#
# A peer that is not installed or fails is reported as such; the exit status is non-zero only
# when s3repofs fails (its mount, its pacman check) or the benchmark cannot run. Needs root (or
# a user allowed to mount FUSE), makepkg, repo-add, pacman, curl. Cleans up on exit and Ctrl-C.
set -uo pipefail

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }

HERE=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
PACKAGES=20
BIG_MIB=64
OUT=""
PORT=0
TOOLS="s3fs,rclone,s3repofs"
KEEP=0
T=${BENCH_TIMEOUT:-600}

while [[ $# -gt 0 ]]; do
	case $1 in
	--packages) PACKAGES=${2:?--packages needs a number}; shift 2 ;;
	--packages=*) PACKAGES=${1#*=}; shift ;;
	--big-mib) BIG_MIB=${2:?--big-mib needs a number}; shift 2 ;;
	--big-mib=*) BIG_MIB=${1#*=}; shift ;;
	--out) OUT=${2:?--out needs a file}; shift 2 ;;
	--out=*) OUT=${1#*=}; shift ;;
	--port) PORT=${2:?--port needs a number}; shift 2 ;;
	--port=*) PORT=${1#*=}; shift ;;
	--tools) TOOLS=${2:?--tools needs a list}; shift 2 ;;
	--tools=*) TOOLS=${1#*=}; shift ;;
	--keep) KEEP=1; shift ;;
	-h | --help) usage; exit 0 ;;
	*) echo "benchmark: unknown argument: $1 (see --help)" >&2; exit 2 ;;
	esac
done
for v in PACKAGES BIG_MIB PORT T; do
	[[ ${!v} =~ ^[0-9]+$ ]] || { echo "benchmark: $v must be a number: ${!v}" >&2; exit 2; }
done
if [[ -n $OUT ]]; then
	OUT=$(cd "$(dirname "$OUT")" 2>/dev/null && pwd)/$(basename "$OUT") ||
		{ echo "benchmark: directory of --out does not exist: $OUT" >&2; exit 2; }
fi

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 3; }

for cmd in java repo-add pacman curl makepkg bsdtar fusermount timeout setsid; do
	command -v "$cmd" >/dev/null || die "$cmd not found"
done
[[ -e /dev/fuse ]] || die "/dev/fuse is missing"
FUSERMOUNT=fusermount
command -v fusermount3 >/dev/null && FUSERMOUNT=fusermount3

# ---------------------------------------------------------------------------------------------
# work directory and cleanup
WORK=$(mktemp -d /tmp/s3repofs-bench.XXXXXX) || die "mktemp failed"
chmod 755 "$WORK"
SERVER_PID=""
MOUNTS=()        # mount points to unmount on exit
MOUNT_PIDS=()    # pids of mount processes we started

is_mounted() { grep -qF " $1 " /proc/self/mountinfo 2>/dev/null; }

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	local m p
	for m in "${MOUNTS[@]}"; do
		if is_mounted "$m"; then
			$FUSERMOUNT -u "$m" 2>/dev/null || $FUSERMOUNT -uz "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		fi
	done
	for p in "${MOUNT_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null
	done
	sleep 0.5
	for p in "${MOUNT_PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
	done
	if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
		kill "$SERVER_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$SERVER_PID" 2>/dev/null && kill -9 "$SERVER_PID" 2>/dev/null
	fi
	if [[ $KEEP -eq 1 ]]; then
		log "work directory kept: $WORK"
	else
		# --one-file-system: never delete through a mount that is somehow still there
		rm -rf --one-file-system "$WORK" 2>/dev/null
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM HUP

now() { echo "$EPOCHREALTIME"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# pids of processes whose command line has an argument exactly equal to $1
pids_with_arg() {
	local d
	for d in /proc/[0-9]*; do
		[[ -r $d/cmdline ]] || continue
		if tr '\0' '\n' < "$d/cmdline" 2>/dev/null | grep -Fxq -- "$1"; then
			echo "${d#/proc/}"
		fi
	done
}

wait_pid_exit() { # PID TIMEOUT_SEC -> 0 if it exited
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null; do
		# a zombie child of ours counts as exited
		[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]] && return 0
		((SECONDS >= deadline)) && return 1
		sleep 0.05
	done
	return 0
}

# ---------------------------------------------------------------------------------------------
# 1. build s3repofs
cd "$HERE" || die "cannot cd to $HERE"
if ! ls "$HERE"/target/s3repofs-*.jar >/dev/null 2>&1 || [[ ! -d $HERE/target/lib ]] ||
	[[ -n $(find "$HERE/src/main" "$HERE/pom.xml" -newer "$(ls "$HERE"/target/s3repofs-*.jar | head -n1)" -print -quit 2>/dev/null) ]]; then
	log "building s3repofs (./mvnw -q -DskipTests package)"
	timeout "$T" ./mvnw -q -DskipTests package >"$WORK/build.log" 2>&1 || { tail -30 "$WORK/build.log" >&2; die "build failed"; }
fi
S3REPOFS="$HERE/scripts/s3repofs"

# ---------------------------------------------------------------------------------------------
# 2. packages
PKGDIR=${BENCH_PKG_CACHE:-$WORK/packages}
log "building test packages: $PACKAGES small + $( ((BIG_MIB > 0)) && echo "one of $BIG_MIB MiB" || echo "no big one") in $PKGDIR"
timeout "$T" "$HERE/scripts/make-test-packages.sh" "$PKGDIR" "$PACKAGES" "$BIG_MIB" || die "make-test-packages.sh failed"
mapfile -t PKGFILES < <(cut -f1 "$PKGDIR/packages.tsv")
NPKG=${#PKGFILES[@]}
((NPKG > 0)) || die "no packages built"
# the package files that must be in the bucket at the end: the last build of each name
declare -A LAST_OF
while IFS=$'\t' read -r f name _; do LAST_OF[$name]=$f; done < "$PKGDIR/packages.tsv"
EXPECTED=("${LAST_OF[@]}")
REPLACED=()
for f in "${PKGFILES[@]}"; do
	keep=0
	for e in "${EXPECTED[@]}"; do [[ $f == "$e" ]] && keep=1; done
	((keep)) || REPLACED+=("$f")
done
PKG_BYTES=$(cd "$PKGDIR" && cat "${PKGFILES[@]}" | wc -c)
log "$NPKG package files ($(awk -v b="$PKG_BYTES" 'BEGIN{printf "%.1f", b/1048576}') MiB), ${#EXPECTED[@]} distinct packages"

# ---------------------------------------------------------------------------------------------
# 3. the S3 server
IFS=, read -ra TOOL_LIST <<< "$TOOLS"
for t in "${TOOL_LIST[@]}"; do
	case $t in s3fs | rclone | s3repofs) ;; *) die "unknown tool in --tools: $t" ;; esac
done
STATS=$WORK/s3-stats
BUCKET_ARGS=()
for t in "${TOOL_LIST[@]}"; do BUCKET_ARGS+=(--bucket "bench-$t"); done
log "starting the local S3 server"
setsid "$S3REPOFS" local-s3 --port "$PORT" "${BUCKET_ARGS[@]}" --stats "$STATS" >"$WORK/s3.log" 2>&1 &
SERVER_PID=$!
ENDPOINT=""
for _ in $(seq 600); do
	ENDPOINT=$(grep -o 'http://[0-9.]*:[0-9]*' "$WORK/s3.log" 2>/dev/null | head -n1)
	[[ -n $ENDPOINT && -s $STATS ]] && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/s3.log" >&2; die "the S3 server did not start"; }
	sleep 0.1
done
[[ -n $ENDPOINT ]] || die "the S3 server did not report its endpoint"
log "S3 server at $ENDPOINT (pid $SERVER_PID)"
ACCESS_KEY=local-access-key
SECRET_KEY=local-secret-key

read_stats() { # FILE -> associative array STATS_NOW
	sleep 0.35 # the server rewrites the file every 100 ms
	cp "$STATS" "$1"
}
stat_of() { # FILE KIND
	awk -F= -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1"
}

# ---------------------------------------------------------------------------------------------
# 4. the runs
declare -A R # R[tool,field]

# S3 LIST of a bucket with curl's SigV4 (after the measured window); prints keys
list_keys() {
	local bucket=$1 token="" out keys
	while :; do
		# curl 7.88 does not send x-amz-content-sha256 itself; S3Proxy needs it (SHA-256 of "")
		out=$(curl -s --max-time 60 --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
			-H "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" \
			"$ENDPOINT/$bucket?list-type=2&max-keys=1000${token:+&continuation-token=$(urlencode_path "$token")}") || return 1
		printf '%s' "$out" | grep -o '<Key>[^<]*</Key>' | sed 's/<Key>\(.*\)<\/Key>/\1/; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&apos;/'"'"'/g'
		token=$(printf '%s' "$out" | grep -o '<NextContinuationToken>[^<]*' | sed 's/.*>//')
		[[ -n $token ]] || break
	done
}

urlencode_path() { # encodes a key for a URL path (keeps /)
	local s=$1 out="" c i
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in [a-zA-Z0-9._~/-]) out+=$c ;; *) out+=$(printf '%%%02X' "'$c") ;; esac
	done
	printf '%s' "$out"
}

http_status() { # BUCKET KEY -> HTTP status of an anonymous GET, with the URL pacman would use
	# (pacman puts the file name in the URL as it is; S3Proxy, like AWS, does not find a key
	# holding '+' when the '+' is sent as %2B)
	curl -s -g -o /dev/null -w '%{http_code}' --max-time 120 "$ENDPOINT/$1/${2// /%20}"
}

check_with_pacman() { # TOOL BUCKET -> sets R[tool,pacman] R[tool,pacman_err]
	local tool=$1 bucket=$2 root=$WORK/pacman-$1 conf pkgs out rc
	mkdir -p "$root/root" "$root/db" "$root/cache" "$root/gpg"
	conf=$root/pacman.conf
	cat > "$conf" <<-EOF
		[options]
		Architecture = x86_64
		SigLevel = Never
		LocalFileSigLevel = Never
		DisableDownloadTimeout

		[bench]
		Server = $ENDPOINT/$bucket/repo/x86_64
	EOF
	local P=(pacman --config "$conf" --root "$root/root" --dbpath "$root/db" --cachedir "$root/cache"
		--gpgdir "$root/gpg" --logfile "$root/pacman.log")
	out=$(timeout "$T" "${P[@]}" -Sy --noprogressbar 2>&1); rc=$?
	printf '%s\n' "$out" > "$root/sync.log"
	if ((rc != 0)) || grep -qi 'error' <<< "$out"; then
		R[$tool,pacman]=FAIL
		R[$tool,pacman_err]="pacman -Sy: $(grep -i 'error' <<< "$out" | head -n2 | tr '\n' ' ' | sed 's/ *$//')"
		[[ -n ${R[$tool,pacman_err]#pacman -Sy: } ]] || R[$tool,pacman_err]="pacman -Sy exit $rc: $(tail -n1 <<< "$out")"
		return
	fi
	mapfile -t pkgs < <(timeout "$T" "${P[@]}" -Slq bench 2>"$root/list.err")
	R[$tool,repo_pkgs]=${#pkgs[@]}
	if ((${#pkgs[@]} == 0)) || [[ -s $root/list.err ]]; then
		R[$tool,pacman]=FAIL
		R[$tool,pacman_err]="pacman -Slq bench: $(head -n2 "$root/list.err" | sed "s|$root/db/sync/||" | tr '\n' ' ' | sed 's/ *$//')"
		[[ -s $root/list.err ]] || R[$tool,pacman_err]="the repository lists no packages"
		return
	fi
	out=$(timeout "$T" "${P[@]}" -S -dd --noconfirm --noprogressbar "${pkgs[@]}" 2>&1); rc=$?
	printf '%s\n' "$out" > "$root/install.log"
	if ((rc != 0)); then
		R[$tool,pacman]=FAIL
		R[$tool,pacman_err]="pacman -S (${#pkgs[@]} pkgs): $(grep -iE 'error|failed|not found' <<< "$out" | head -n3 | tr '\n' ' ' | sed 's/ *$//')"
		return
	fi
	local installed
	installed=$("${P[@]}" -Qq 2>/dev/null | wc -l)
	if ((installed != ${#EXPECTED[@]})); then
		R[$tool,pacman]=FAIL
		R[$tool,pacman_err]="installed $installed of ${#EXPECTED[@]} packages (repository lists ${#pkgs[@]})"
		return
	fi
	R[$tool,pacman]=PASS
	R[$tool,pacman_err]="installed all $installed packages"
}

run_tool() {
	local tool=$1 bucket=bench-$1 dir=$WORK/$1 mnt pid="" t0 t1 t2 t3 ok=1 rc
	mnt=$dir/mnt
	mkdir -p "$mnt" "$dir/cache"
	local pw=$dir/passwd
	printf '%s:%s:%s\n' "$bucket" "$ACCESS_KEY" "$SECRET_KEY" > "$pw"
	chmod 600 "$pw"
	R[$tool,status]=ok
	local url=$ENDPOINT

	read_stats "$dir/stats.before"
	log "[$tool] mounting bucket $bucket on $mnt"
	t0=$(now)
	case $tool in
	s3fs)
		timeout "$T" s3fs "$bucket" "$mnt" -o "url=$url,use_path_request_style,passwd_file=$pw,default_acl=public-read,nosuid,nodev" \
			-o logfile="$dir/s3fs.log" >"$dir/mount.out" 2>&1
		rc=$?
		;;
	rclone)
		# AWS_CA_BUNDLE (set on some machines) makes rclone 1.60 fail: "unsupported transport"
		env -u AWS_CA_BUNDLE RCLONE_CONFIG="$dir/rclone.conf" \
			RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other \
			RCLONE_CONFIG_BENCH_ACCESS_KEY_ID="$ACCESS_KEY" RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY="$SECRET_KEY" \
			RCLONE_CONFIG_BENCH_ENDPOINT="$url" RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true \
			RCLONE_CONFIG_BENCH_REGION=us-east-1 RCLONE_CONFIG_BENCH_ACL=public-read \
			setsid rclone mount "bench:$bucket" "$mnt" --vfs-cache-mode writes --cache-dir "$dir/cache" \
			--log-file "$dir/rclone.log" --log-level INFO </dev/null >"$dir/mount.out" 2>&1 &
		pid=$!
		MOUNT_PIDS+=("$pid")
		rc=0
		local deadline=$((SECONDS + 60))
		until is_mounted "$mnt"; do
			if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then rc=1; break; fi
			sleep 0.05
		done
		;;
	s3repofs)
		timeout "$T" "$S3REPOFS" mount "$bucket" "$mnt" \
			-o "url=$url,use_path_request_style,passwd_file=$pw,default_acl=public-read,nosuid,nodev,use_cache=$dir/cache" \
			>"$dir/mount.out" 2>&1
		rc=$?
		;;
	esac
	MOUNTS+=("$mnt")
	t1=$(now)
	R[$tool,mount_s]=$(elapsed "$t0" "$t1")
	if ((rc != 0)) || ! is_mounted "$mnt"; then
		R[$tool,status]="mount failed: $(tail -n2 "$dir/mount.out" "$dir"/*.log 2>/dev/null | grep -v '^==>' | grep . | tail -n1)"
		log "[$tool] ${R[$tool,status]}"
		[[ -n $pid ]] && kill "$pid" 2>/dev/null
		return 1
	fi
	if [[ -z $pid ]]; then
		pid=$(pids_with_arg "$mnt" | head -n1)
		[[ -n $pid ]] && MOUNT_PIDS+=("$pid")
	fi
	log "[$tool] mounted in ${R[$tool,mount_s]} s (pid ${pid:-unknown}); adding $NPKG packages"

	# --- the measured phase: cp + repo-add for each package
	local fails=0 first_err="" f i=0
	t1=$(now)
	if ! timeout "$T" mkdir -p "$mnt/repo/x86_64" 2>"$dir/phase.err"; then
		fails=$((fails + 1)); first_err="mkdir: $(head -n1 "$dir/phase.err")"
	fi
	for f in "${PKGFILES[@]}"; do
		i=$((i + 1))
		if ! timeout "$T" cp "$PKGDIR/$f" "$mnt/repo/x86_64/" 2>>"$dir/phase.err"; then
			fails=$((fails + 1)); [[ -n $first_err ]] || first_err="cp $f: $(tail -n1 "$dir/phase.err")"
			continue
		fi
		if ! (cd "$dir" && timeout "$T" repo-add -q -R "$mnt/repo/x86_64/bench.db.tar.gz" "$mnt/repo/x86_64/$f") >>"$dir/phase.err" 2>&1; then
			fails=$((fails + 1)); [[ -n $first_err ]] || first_err="repo-add $f: $(tail -n1 "$dir/phase.err")"
		fi
		if ((i % 5 == 0 || i == NPKG)); then log "[$tool]   $i/$NPKG added ($(elapsed "$t1" "$(now)") s)"; fi
	done
	t2=$(now)
	R[$tool,phase_s]=$(elapsed "$t1" "$t2")
	R[$tool,phase_fails]=$fails
	[[ -n $first_err ]] && R[$tool,phase_err]=$first_err
	log "[$tool] phase done in ${R[$tool,phase_s]} s, $fails failed step(s)${first_err:+ (first: $first_err)}"

	# --- unmount at once, wait for the process to exit
	local umount_err=""
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		if umount_err=$(timeout 60 $FUSERMOUNT -u "$mnt" 2>&1); then break; fi
		sleep 0.5
	done
	local exited=1
	if [[ -n $pid ]]; then
		wait_pid_exit "$pid" "$T" || exited=0
	else
		local deadline=$((SECONDS + T))
		while is_mounted "$mnt" && ((SECONDS < deadline)); do sleep 0.05; done
	fi
	t3=$(now)
	R[$tool,exit_s]=$(elapsed "$t2" "$t3")
	if is_mounted "$mnt"; then
		R[$tool,status]="still mounted after fusermount -u: $umount_err"
	fi
	if ((exited == 0)); then
		R[$tool,status]="mount process did not exit within $T s"
		kill "$pid" 2>/dev/null
	fi
	# exit status of a child we started ourselves (rclone)
	if [[ $tool == rclone ]]; then
		wait "$pid" 2>/dev/null; R[$tool,proc_rc]=$?
		R[$tool,note]="exit status ${R[$tool,proc_rc]}; $(find "$dir/cache/vfs" -type f 2>/dev/null | wc -l) file(s) left in its VFS cache"
	fi
	log "[$tool] mount process exited ${R[$tool,exit_s]} s after fusermount -u"
	read_stats "$dir/stats.after"

	local k
	for k in TOTAL HEAD GET LIST PUT COPY DELETE DELETE_MULTIPLE CREATE_MULTIPART UPLOAD_PART COMPLETE_MULTIPART ABORT_MULTIPART; do
		R[$tool,$k]=$(($(stat_of "$dir/stats.after" "$k") - $(stat_of "$dir/stats.before" "$k")))
	done
	R[$tool,DELETE]=$((R[$tool,DELETE] + R[$tool,DELETE_MULTIPLE]))
	R[$tool,MULTIPART]=$((R[$tool,CREATE_MULTIPART] + R[$tool,UPLOAD_PART] + R[$tool,COMPLETE_MULTIPART] + R[$tool,ABORT_MULTIPART]))
	R[$tool,OTHER]=$((R[$tool,TOTAL] - R[$tool,HEAD] - R[$tool,GET] - R[$tool,LIST] - R[$tool,PUT] - R[$tool,COPY] - R[$tool,DELETE] - R[$tool,MULTIPART]))
	# every kind seen, for the detail line
	R[$tool,kinds]=$(awk -F= 'NR == FNR { b[$1] = $2; next } $1 != "TOTAL" && $2 - b[$1] > 0 { printf "%s%s=%d", s, $1, $2 - b[$1]; s = " " }' \
		"$dir/stats.before" "$dir/stats.after")

	# --- what is in the bucket
	local keys present=0 stale=0 missing=()
	keys=$(list_keys "$bucket" 2>/dev/null)
	R[$tool,objects]=$(grep -c . <<< "$keys")
	for f in "${EXPECTED[@]}"; do
		if [[ $(http_status "$bucket" "repo/x86_64/$f") == 200 ]]; then present=$((present + 1)); else missing+=("$f"); fi
	done
	for f in "${REPLACED[@]}"; do
		[[ $(http_status "$bucket" "repo/x86_64/$f") == 200 ]] && stale=$((stale + 1))
	done
	local dbfiles=0
	for f in bench.db bench.db.tar.gz bench.files bench.files.tar.gz; do
		[[ $(http_status "$bucket" "repo/x86_64/$f") == 200 ]] && dbfiles=$((dbfiles + 1))
	done
	R[$tool,present]="$present/${#EXPECTED[@]}"
	R[$tool,dbfiles]="$dbfiles/4"
	R[$tool,stale]=$stale
	R[$tool,missing]="${missing[*]:-}"
	printf '%s\n' "$keys" > "$dir/bucket-keys.txt"
	log "[$tool] bucket: ${R[$tool,objects]} objects; packages readable anonymously ${R[$tool,present]}, db files ${R[$tool,dbfiles]}, replaced packages still there: $stale"

	check_with_pacman "$tool" "$bucket"
	log "[$tool] pacman: ${R[$tool,pacman]} — ${R[$tool,pacman_err]}"
	return 0
}

# reference: the same loop on local disk (what repo-add itself costs)
run_local() {
	local dir=$WORK/local f t0 t1
	mkdir -p "$dir/repo/x86_64"
	t0=$(now)
	for f in "${PKGFILES[@]}"; do
		timeout "$T" cp "$PKGDIR/$f" "$dir/repo/x86_64/" &&
			(cd "$dir" && timeout "$T" repo-add -q -R "$dir/repo/x86_64/bench.db.tar.gz" "$dir/repo/x86_64/$f") >/dev/null 2>&1
	done
	t1=$(now)
	R[local,phase_s]=$(elapsed "$t0" "$t1")
	rm -rf "$dir"
	log "[local disk] the same cp + repo-add loop takes ${R[local,phase_s]} s without any S3"
}
run_local

for tool in "${TOOL_LIST[@]}"; do
	case $tool in
	s3fs) bin=s3fs ;; rclone) bin=rclone ;; *) bin="" ;;
	esac
	if [[ -n $bin ]] && ! command -v "$bin" >/dev/null; then
		R[$tool,status]="not installed"
		log "[$tool] not installed; skipped"
		continue
	fi
	if [[ $tool == s3fs ]]; then R[$tool,version]=$(s3fs --version 2>/dev/null | grep -o 'V[0-9.]*' | head -n1 | tr -d V); fi
	if [[ $tool == rclone ]]; then R[$tool,version]=$(rclone version 2>/dev/null | head -n1 | awk '{print $2}' | tr -d v); fi
	if [[ $tool == s3repofs ]]; then R[$tool,version]=$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null); fi
	run_tool "$tool" || true
done

# ---------------------------------------------------------------------------------------------
# 5. report
ratio() { # A B -> A/B with 1 decimal, or n/a
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "n/a"; else if (a + 0 == 0 && b + 0 == 0) print "0 vs 0"; else if (b + 0 == 0) printf "%s vs 0", a; else if (a / b >= 10) printf "%.0fx", a / b; else printf "%.1fx", a / b }'
}
ok_run() { [[ -n ${R[$1,phase_s]:-} && -n ${R[$1,TOTAL]:-} ]]; }

md=$WORK/report.md
{
	echo "## s3repofs benchmark"
	echo
	echo "$(date -u +%Y-%m-%d) · $NPKG package files ($(awk -v b="$PKG_BYTES" 'BEGIN{printf "%.1f", b/1048576}') MiB; $PACKAGES small$( ((BIG_MIB > 0)) && echo " + one of $BIG_MIB MiB"), ${#EXPECTED[@]} distinct) · local S3Proxy · $(nproc) cores · \`cp\` + \`repo-add -R\` per package, then \`fusermount -u\` at once"
	echo
	echo "| tool | add phase (s) | exit wait (s) | total (s) | S3 requests | HEAD | GET | LIST | PUT | COPY | DELETE | multipart | other | packages in bucket | pacman |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
	for tool in "${TOOL_LIST[@]}"; do
		name="$tool${R[$tool,version]:+ ${R[$tool,version]}}"
		if ! ok_run "$tool"; then
			echo "| $name | ${R[$tool,status]} | | | | | | | | | | | | | |"
			continue
		fi
		total=$(awk -v a="${R[$tool,phase_s]}" -v b="${R[$tool,exit_s]}" 'BEGIN{printf "%.2f", a + b}')
		R[$tool,total_s]=$total
		res="${R[$tool,pacman]}"
		[[ ${R[$tool,pacman]} == FAIL ]] && res="FAIL: ${R[$tool,pacman_err]//|/\\|}"
		[[ ${R[$tool,status]} != ok ]] && res="$res (${R[$tool,status]})"
		pkgs="${R[$tool,present]}"
		[[ ${R[$tool,stale]} != 0 ]] && pkgs="$pkgs (+${R[$tool,stale]} replaced)"
		pkgs="$pkgs, db ${R[$tool,dbfiles]}"
		fails=""
		[[ ${R[$tool,phase_fails]} != 0 ]] && fails=" (${R[$tool,phase_fails]} steps failed)"
		echo "| $name | ${R[$tool,phase_s]}$fails | ${R[$tool,exit_s]} | $total | ${R[$tool,TOTAL]} | ${R[$tool,HEAD]} | ${R[$tool,GET]} | ${R[$tool,LIST]} | ${R[$tool,PUT]} | ${R[$tool,COPY]} | ${R[$tool,DELETE]} | ${R[$tool,MULTIPART]} | ${R[$tool,OTHER]} | $pkgs | $res |"
	done
	echo
	echo "Reference: the same \`cp\` + \`repo-add\` loop on a local disk takes ${R[local,phase_s]} s."
	if ok_run s3repofs && ((${#TOOL_LIST[@]} > 1)); then
		echo
		echo "Ratios against s3repofs (higher = s3repofs better):"
		echo
		echo "| tool | add phase | total time | S3 requests | HEAD | GET | its pacman result |"
		echo "|---|---:|---:|---:|---:|---:|---|"
		for tool in "${TOOL_LIST[@]}"; do
			[[ $tool == s3repofs ]] && continue
			ok_run "$tool" || { echo "| $tool / s3repofs | n/a | n/a | n/a | n/a | n/a | ${R[$tool,status]} |"; continue; }
			echo "| $tool / s3repofs | $(ratio "${R[$tool,phase_s]}" "${R[s3repofs,phase_s]}") | $(ratio "${R[$tool,total_s]}" "${R[s3repofs,total_s]}") | $(ratio "${R[$tool,TOTAL]}" "${R[s3repofs,TOTAL]}") | $(ratio "${R[$tool,HEAD]}" "${R[s3repofs,HEAD]}") | $(ratio "${R[$tool,GET]}" "${R[s3repofs,GET]}") | ${R[$tool,pacman]} |"
		done
	fi
	echo
	echo "Details:"
	echo
	for tool in "${TOOL_LIST[@]}"; do
		ok_run "$tool" || continue
		echo "- $tool: mount ${R[$tool,mount_s]} s; requests by kind: ${R[$tool,kinds]:-none}; objects listed in bucket: ${R[$tool,objects]}${R[$tool,note]:+; ${R[$tool,note]}}${R[$tool,missing]:+; missing: ${R[$tool,missing]}}${R[$tool,phase_err]:+; first failed step: ${R[$tool,phase_err]}}; pacman: ${R[$tool,pacman_err]}"
	done
} > "$md"

# console: the same tables, each aligned on its own
echo
awk -F'|' '
	function flush(   r, i, line) {
		for (r = 1; r <= nrows; r++) {
			line = ""
			for (i = 1; i <= ncols[r]; i++) line = line sprintf("%-*s  ", (i < ncols[r] ? w[i] : 0), cell[r, i])
			sub(/ +$/, "", line); print line
		}
		nrows = 0; delete w; delete cell; delete ncols
	}
	/^\|---/ { next }
	/^\|/ {
		nrows++; n = 0
		for (i = 2; i < NF; i++) { c = $i; gsub(/^ +| +$/, "", c); cell[nrows, ++n] = c; if (length(c) > w[n]) w[n] = length(c) }
		ncols[nrows] = n; next }
	{ flush(); print }
	END { flush() }' "$md"
if [[ -n $OUT ]]; then cp "$md" "$OUT" && log "markdown written to $OUT"; fi

if ! ok_run s3repofs; then
	[[ " ${TOOL_LIST[*]} " == *" s3repofs "* ]] && { log "s3repofs did not complete: ${R[s3repofs,status]:-}"; exit 1; }
	exit 0
fi
if [[ ${R[s3repofs,pacman]} != PASS ]]; then
	log "s3repofs FAILED the pacman check: ${R[s3repofs,pacman_err]}"
	exit 1
fi
exit 0
