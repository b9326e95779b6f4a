#!/bin/bash
# make-test-packages.sh OUTDIR [COUNT] [BIGSIZE_MIB]
#
# Builds real pacman packages with Debian's makepkg, for tests and benchmarks of s3repofs.
#
#   OUTDIR       where the packages go (created if missing)
#   COUNT        number of package files to build (default 21); every 7th file is a second,
#                newer version of the package built just before it, so the number of distinct
#                package names is COUNT - COUNT/7
#   BIGSIZE_MIB  if > 0, also build "bigpkg" holding BIGSIZE_MIB MiB of incompressible bytes
#                (default 0: none); it is not counted in COUNT
#
# Every package sets every .PKGINFO field makepkg writes (pkgdesc, url, license, groups,
# depends, optdepends, makedepends, checkdepends, provides, conflicts, replaces, backup);
# compressions rotate .pkg.tar.zst / .pkg.tar.xz / .pkg.tar.gz; versions include epochs,
# letters, '+' and '_'. Builds are reproducible (SOURCE_DATE_EPOCH fixed per package).
#
# OUTDIR/packages.tsv lists the built files in build order, tab-separated:
#   FILENAME  PKGNAME  FULLVERSION  COMPRESSION(zst|xz|gz)
#
# With MAKE_TEST_PACKAGES_CACHE=DIR, each package built is kept in DIR and reused by any later
# run (any OUTDIR, COUNT or BIGSIZE) that asks for the same package from the same script: the
# first 21 of a COUNT of 56 are the packages of a COUNT of 21. makepkg costs seconds of CPU
# per package (it starts hundreds of processes), so the test suite shares one cache.
#
# makepkg refuses to run as root: when run as root, this script creates (once) the unprivileged
# user "pkgbuilder" (override with PKGBUILDER=name) and builds as that user; /var/lib/pacman is
# created if missing. A second run with the same arguments does nothing (stamp file).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
if [[ $# -lt 1 || $1 == -h || $1 == --help ]]; then usage; [[ $# -ge 1 ]] && exit 0; exit 2; fi

OUTDIR=$1
COUNT=${2:-21}
BIGSIZE=${3:-0}
[[ $COUNT =~ ^[0-9]+$ ]] || { echo "make-test-packages: COUNT must be a number: $COUNT" >&2; exit 2; }
[[ $BIGSIZE =~ ^[0-9]+$ ]] || { echo "make-test-packages: BIGSIZE_MIB must be a number: $BIGSIZE" >&2; exit 2; }
command -v makepkg >/dev/null || { echo "make-test-packages: makepkg not found (apt-get install makepkg)" >&2; exit 3; }
command -v bsdtar >/dev/null || { echo "make-test-packages: bsdtar not found (apt-get install libarchive-tools)" >&2; exit 3; }

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
SCRIPT_SUM=$(sha256sum "$0" | cut -d' ' -f1)
STAMP="$OUTDIR/.make-test-packages.stamp"
WANT="$SCRIPT_SUM $COUNT $BIGSIZE"
if [[ -f $STAMP && $(cat "$STAMP") == "$WANT" && -f $OUTDIR/packages.tsv ]]; then
	exit 0
fi

BUILDER=${PKGBUILDER:-pkgbuilder}
if [[ $(id -u) -eq 0 ]]; then
	id -u "$BUILDER" >/dev/null 2>&1 || useradd -m "$BUILDER" 2>/dev/null || id -u "$BUILDER" >/dev/null
	mkdir -p /var/lib/pacman
	as_builder() { runuser -u "$BUILDER" -- "$@"; }
else
	[[ -d /var/lib/pacman ]] || { echo "make-test-packages: /var/lib/pacman is missing (mkdir -p it as root)" >&2; exit 3; }
	as_builder() { "$@"; }
fi

# build under /tmp: the unprivileged builder may not be able to enter OUTDIR's parents
WORK=$(mktemp -d "${TMPDIR:-/tmp}/make-test-packages.XXXXXXXX")
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
rm -f "$OUTDIR/packages.tsv" "$STAMP"

cat > "$WORK/makepkg.conf" <<'EOF'
source /etc/makepkg.conf
OPTIONS=(!strip docs !libtool !staticlibs emptydirs !zipman !purge !debug !lto)
BUILDENV=(!distcc !color !ccache !check !sign)
PACKAGER="s3repofs tests <tests@s3repofs.invalid>"
COMPRESSZST=(zstd -c -T0 -1 -q -)
COMPRESSXZ=(xz -c -z -0 -T0 -)
COMPRESSGZ=(gzip -c -f -n -1)
EOF

NAMES=(alpha beta-tools gamma_lib delta.utils epsilon+plus zeta@home eta2 theta-git iota kappa
	lambda mu nu xi omicron pi-calc rho sigma tau upsilon phi chi psi omega)
VERSIONS=("1.0" "2.3.1" "0.9rc1" "1.0+git20240101" "3.2_beta" "10.0" "1.2.3.4" "0.1" "7")

# one job per line: INDEX NAME PKGVER PKGREL EPOCH EXT ARCH
jobs=()
name="" ver="" rel=1 epoch=""
for ((i = 1; i <= COUNT; i++)); do
	case $((i % 3)) in 1) ext=zst ;; 2) ext=xz ;; 0) ext=gz ;; esac
	if ((i % 7 == 0 && i > 1)); then
		rel=$((rel + 1))                 # a second, newer build of the previous package
	else
		k=$(( (i - 1) - (i - 1) / 7 ))   # index of the distinct name
		if ((k < ${#NAMES[@]})); then name=${NAMES[k]}; else name=pkg$(printf '%03d' "$k"); fi
		ver=${VERSIONS[k % ${#VERSIONS[@]}]}
		rel=1
		if ((k % 5 == 3)); then epoch=$((k % 3 + 1)); else epoch=""; fi
	fi
	if ((i % 4 == 0)); then arch=x86_64; else arch=any; fi
	jobs+=("$i $name $ver $rel ${epoch:--} $ext $arch")
done
if ((BIGSIZE > 0)); then
	jobs+=("0 bigpkg 1.0 1 - zst any")
fi

build_one() {
	local i=$1 name=$2 ver=$3 rel=$4 epoch=$5 ext=$6 arch=$7
	local dir="$WORK/$i-$name"
	local cached=""
	if [[ -n ${MAKE_TEST_PACKAGES_CACHE:-} ]]; then
		# the job line and the script name the package; only bigpkg's content depends on BIGSIZE
		local key
		key=$(printf '%s %s %s' "$SCRIPT_SUM" "$*" "$([[ $name == bigpkg ]] && echo "$BIGSIZE")" | sha256sum | cut -c1-24)
		cached="$MAKE_TEST_PACKAGES_CACHE/$key"
		if [[ -d $cached/out ]]; then
			mkdir -p "$dir" && cp -a "$cached/out" "$dir/out"
			return 0
		fi
	fi
	mkdir -p "$dir"
	{
		echo "pkgname='$name'"
		echo "pkgver='$ver'"
		echo "pkgrel=$rel"
		[[ $epoch != - ]] && echo "epoch=$epoch"
		echo "pkgdesc='Test package   $name, built by s3repofs make-test-packages'"
		echo "arch=($arch)"
		echo "url='https://s3repofs.invalid/$name'"
		echo "license=(GPL3 'custom:s3repofs test')"
		echo "groups=(s3repofs-test group$((i % 2)))"
		echo "depends=('bash>=5.0' 'glibc')"
		echo "optdepends=('python: for the   helper scripts' 'perl')"
		echo "makedepends=('make' 'gcc>=12')"
		echo "checkdepends=('check')"
		echo "provides=('$name-virtual=$ver' 'libtest-$name.so=1-64')"
		echo "conflicts=('$name-old<1.0')"
		echo "replaces=('$name-legacy')"
		echo "backup=('etc/$name/$name.conf')"
		echo "BIGSIZE=$BIGSIZE"
		cat <<'EOF'
package() {
	install -d "$pkgdir/etc/$pkgname" "$pkgdir/usr/bin" "$pkgdir/usr/share/$pkgname/data" "$pkgdir/usr/share/doc/$pkgname"
	echo "# configuration of $pkgname" > "$pkgdir/etc/$pkgname/$pkgname.conf"
	printf '#!/bin/sh\necho %s %s\n' "$pkgname" "$pkgver" > "$pkgdir/usr/bin/$pkgname"
	chmod 755 "$pkgdir/usr/bin/$pkgname"
	for n in 1 2 3; do seq 1 $((n * 200)) > "$pkgdir/usr/share/$pkgname/data/file $n.txt"; done
	echo "$pkgname $pkgver-$pkgrel" > "$pkgdir/usr/share/doc/$pkgname/README"
	ln -s "../../bin/$pkgname" "$pkgdir/usr/share/$pkgname/link-to-bin"
	if [[ $pkgname == bigpkg ]]; then
		head -c $((BIGSIZE * 1048576)) /dev/urandom > "$pkgdir/usr/share/$pkgname/data/random.bin"
	fi
}
EOF
	} > "$dir/PKGBUILD"
	if [[ $(id -u) -eq 0 ]]; then chown -R "$BUILDER" "$dir"; fi
	local log="$dir/makepkg.log"
	if ! (cd "$dir" && as_builder env MAKEPKG_CONF="$WORK/makepkg.conf" PKGEXT=".pkg.tar.$ext" \
		PKGDEST="$dir/out" SOURCE_DATE_EPOCH=$((1700000000 + i * 3600)) LC_ALL=C \
		makepkg -d --nocheck --noconfirm -f --noprogressbar >"$log" 2>&1); then
		echo "make-test-packages: makepkg failed for $name (log: $log)" >&2
		tail -20 "$log" >&2
		return 1
	fi
	if [[ -n $cached ]]; then
		# a whole directory appears at once: a concurrent run sees it complete or not at all
		local part
		part=$(mktemp -d "$MAKE_TEST_PACKAGES_CACHE/.part.XXXXXXXX")
		cp -a "$dir/out" "$part/out"
		mv -T "$part" "$cached" 2>/dev/null || rm -rf "$part"
	fi
}

if [[ $(id -u) -eq 0 ]]; then chown "$BUILDER" "$WORK"; fi
export -f build_one as_builder
export WORK BUILDER BIGSIZE SCRIPT_SUM
if [[ -n ${MAKE_TEST_PACKAGES_CACHE:-} ]]; then
	mkdir -p "$MAKE_TEST_PACKAGES_CACHE"
	MAKE_TEST_PACKAGES_CACHE=$(cd "$MAKE_TEST_PACKAGES_CACHE" && pwd)
	export MAKE_TEST_PACKAGES_CACHE
fi
printf '%s\n' "${jobs[@]}" | xargs -P "$(nproc)" -L 1 bash -c 'build_one "$@"' _

: > "$OUTDIR/packages.tsv.tmp"
for job in "${jobs[@]}"; do
	read -r i name ver rel epoch ext arch <<< "$job"
	full="$ver-$rel"; [[ $epoch != - ]] && full="$epoch:$full"
	src=("$WORK/$i-$name/out/"*.pkg.tar.$ext)
	[[ -f ${src[0]} ]] || { echo "make-test-packages: no package built for $name" >&2; exit 1; }
	cp -f "${src[0]}" "$OUTDIR/"
	printf '%s\t%s\t%s\t%s\n' "${src[0]##*/}" "$name" "$full" "$ext" >> "$OUTDIR/packages.tsv.tmp"
done
mv "$OUTDIR/packages.tsv.tmp" "$OUTDIR/packages.tsv"
echo "$WANT" > "$STAMP"
