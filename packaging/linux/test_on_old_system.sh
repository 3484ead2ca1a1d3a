#!/usr/bin/env bash
# A test bench for the .deb on an old system, as government office PCs run (UOS 20, Kylin V10: glibc 2.28–2.31):
#
#     sudo packaging/linux/test_on_old_system.sh dist/rectify-desktop_<version>_amd64.deb
#
# 1. builds once (cached in $CACHE, default /var/cache/rectify-desktop) a minimal Debian 11 chroot with
#    debootstrap that holds only the runtime libraries such a desktop has: the Xorg client libraries, fontconfig
#    and freetype, GL/EGL, GLib, D-Bus, CUPS (DESKTOP_PACKAGES below), a Chinese font, and Xvfb to draw on;
# 2. mounts a throw-away copy of it (overlayfs: the cached chroot is never changed) with /proc, /dev, /sys;
# 3. `dpkg -i` the package (dpkg checks the Depends against what the desktop has: no apt, nothing fetched);
# 4. `rectify-desktop self-test` offline (unshare -n) with LD_BIND_NOW=1, so that every symbol of every library
#    is bound at load time and a missing one fails here rather than in an office;
# 5. `rectify-desktop --demo` on an Xvfb display inside the chroot; a screenshot of it is saved as
#    $OUT (default build/old-system/screenshot.png) — look at it;
# 6. `dpkg -r` the package and checks that none of its files is left.
# Everything mounted is unmounted on the way out, also when a step fails.
#
# Needs root, debootstrap (installed with apt-get when missing), python3, and the network to a
# Debian mirror the first time (MIRROR, default: the one in /etc/apt/sources.list(.d), else deb.debian.org).
# Environment: SUITE (default bullseye; bookworm or trixie try the package where the system's glibc is as new as
# the bundled one or newer, and the wrapper starts the program on the system's glibc), CACHE, OUT,
# KEEP_CHROOT_CACHE=0 to rebuild the cached chroot.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SUITE="${SUITE:-bullseye}"
ARCH="$(dpkg --print-architecture)"
CACHE="${CACHE:-/var/cache/rectify-desktop}"
BASE="$CACHE/$SUITE-$ARCH"
OUT="${OUT:-$ROOT/build/old-system/screenshot.png}"
# What a UOS 20 / Kylin V10 desktop has installed, under its Debian 11 names: the libraries the package may
# depend on. dpkg -i fails if its Depends ask for more. Xvfb and xauth only to draw the window here.
DESKTOP_PACKAGES="libx11-6 libx11-xcb1 libxcb1 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
 libxcb-xfixes0 libxcb-xinerama0 libxcb-xinput0 libxcb-xkb1 libxkbcommon0 libxkbcommon-x11-0 libxrender1 libxext6
 libxi6 libfontconfig1 libfreetype6 libbrotli1 fontconfig-config fonts-wqy-microhei libgl1 libegl1 libgl1-mesa-dri libglx-mesa0
 libegl-mesa0 libglib2.0-0 libdbus-1-3 libcups2 libzstd1 libexpat1 zlib1g libbz2-1.0 liblzma5 libpng16-16
 shared-mime-info desktop-file-utils xdg-utils xvfb xauth"
# Debian 13 renamed some of them (the 64-bit time_t transition): to try the package on a newer system too.
case "$SUITE" in
    buster | bullseye | bookworm) ;;
    *) DESKTOP_PACKAGES="$(echo "$DESKTOP_PACKAGES" | sed -E 's/\b(libglib2\.0-0|libcups2|libpng16-16)\b/\1t64/g')" ;;
esac

say() { printf '\n== %s\n' "$*"; }
die() { printf '错误：%s\n' "$*" >&2; exit 1; }

[ $# = 1 ] || die "用法：$0 PACKAGE.deb"
DEB="$(readlink -f "$1")"
[ -f "$DEB" ] || die "没有这个软件包：$1"
[ "$(id -u)" = 0 ] || die "需要 root（debootstrap、chroot、mount）"
START=$SECONDS

need() {  # need COMMAND PACKAGE: installs PACKAGE when COMMAND is missing
    command -v "$1" >/dev/null && return
    echo "（安装 $2）"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null || die "无法安装 $2"
}
need debootstrap debootstrap

if [ -z "${MIRROR:-}" ]; then
    MIRROR="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ')" || true
    MIRROR="${MIRROR:-http://deb.debian.org/debian}"
fi

if [ "${KEEP_CHROOT_CACHE:-1}" = 0 ]; then rm -rf "$BASE"; fi
if [ ! -x "$BASE/usr/bin/Xvfb" ]; then
    say "1/6 Debian $SUITE chroot（只做一次，缓存在 $BASE）← $MIRROR"
    rm -rf "$BASE.part"
    mkdir -p "$CACHE"
    debootstrap --variant=minbase --arch="$ARCH" --include="$(echo $DESKTOP_PACKAGES | tr ' ' ,)" \
        "$SUITE" "$BASE.part" "$MIRROR" > "$CACHE/debootstrap-$SUITE.log" 2>&1 \
        || { tail -20 "$CACHE/debootstrap-$SUITE.log"; die "debootstrap 失败（日志：$CACHE/debootstrap-$SUITE.log）"; }
    rm -rf "$BASE.part/var/cache/apt/archives/"*.deb
    mv "$BASE.part" "$BASE"
else
    say "1/6 Debian $SUITE chroot：用缓存 $BASE"
fi
echo "glibc $(chroot "$BASE" ldd --version | head -1 | grep -oE '[0-9.]+$')；$(chroot "$BASE" cat /etc/debian_version)"

# A throw-away layer over the cached chroot: what the test writes goes to $WORK/upper and is dropped at the end.
WORK="$(mktemp -d /tmp/rectify-old-system.XXXXXX)"
R="$WORK/root"
MOUNTS=()
cleanup() {
    local rc=$?
    [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
    [ -n "${XVFB_PID:-}" ] && kill "$XVFB_PID" 2>/dev/null || true
    # processes still running in the chroot keep its mounts busy
    for pid in $(ls /proc | grep -E '^[0-9]+$'); do
        [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$R" ] && kill "$pid" 2>/dev/null || true
    done
    sleep 1
    for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
        umount "${MOUNTS[$i]}" 2>/dev/null || umount -l "${MOUNTS[$i]}" 2>/dev/null || echo "未能卸载 ${MOUNTS[$i]}" >&2
    done
    if ! grep -q " $WORK" /proc/mounts; then rm -rf "$WORK"; else echo "仍有挂载在 $WORK 下，未删除" >&2; fi
    exit $rc
}
trap cleanup EXIT INT TERM
mnt() {  # mnt TARGET MOUNT-ARGS...: mounts and remembers it for cleanup
    local target="$1"
    shift
    [ -e "$target" ] || mkdir -p "$target"
    mount "$@" "$target"
    MOUNTS+=("$target")
}
mkdir -p "$WORK/upper" "$WORK/work" "$R"
mnt "$R" -t overlay overlay -o "lowerdir=$BASE,upperdir=$WORK/upper,workdir=$WORK/work"
mnt "$R/proc" -t proc proc
mnt "$R/sys" --rbind /sys -o ro
mnt "$R/dev" -t tmpfs -o mode=0755,size=1m tmpfs
for d in null zero full random urandom tty; do
    touch "$R/dev/$d"
    mnt "$R/dev/$d" --bind "/dev/$d"
done
mnt "$R/dev/shm" -t tmpfs -o mode=1777 tmpfs
mnt "$R/tmp" -t tmpfs -o mode=1777 tmpfs
cp "$DEB" "$R/tmp/package.deb"
# User names as Debian 10 and UOS 20 look them up ("compat"): the bundled glibc must load its own libnss_compat.
sed -i -E 's/^(passwd|group|shadow):.*/\1: compat/' "$R/etc/nsswitch.conf"
in_root() { chroot "$R" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME=/root LANG=C.UTF-8 "$@"; }

say "2/6 dpkg -i $(basename "$DEB")"
in_root dpkg -i /tmp/package.deb || die "dpkg -i 失败：Depends 中有这台系统没有的库（见上）"

say "3/6 自检：离线（unshare -n），LD_BIND_NOW=1"
unshare -n chroot "$R" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 LD_BIND_NOW=1 \
    rectify-desktop self-test || die "自检未通过"

say "4/6 --demo，Xvfb 显示器（chroot 内）"
chroot "$R" /usr/bin/env -i PATH=/usr/bin:/bin Xvfb :42 -screen 0 1280x800x24 -nolisten tcp -fbdir /tmp \
    > "$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 100); do [ -e "$R/tmp/.X11-unix/X42" ] && break; sleep 0.2; done
[ -e "$R/tmp/.X11-unix/X42" ] || { cat "$WORK/xvfb.log"; die "Xvfb 没有启动"; }
# A clerk's name already given (settings.ini), so that the main window shows rather than the first start's question.
mkdir -p "$R/tmp/config" "$R/tmp/data"
printf '[operator]\nname=bench\nasked=true\n' > "$R/tmp/config/settings.ini"
chroot "$R" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 DISPLAY=:42 LD_BIND_NOW=1 \
    XDG_RUNTIME_DIR=/tmp RECTIFY_DESKTOP_CONFIG_DIR=/tmp/config RECTIFY_DESKTOP_DATA_DIR=/tmp/data \
    rectify-desktop --demo > "$WORK/app.log" 2>&1 &
APP_PID=$!
# The window is up when the program is still running and the screen is no longer one colour.
shown=""
for _ in $(seq 60); do
    sleep 1
    kill -0 "$APP_PID" 2>/dev/null || { cat "$WORK/app.log"; die "程序退出了"; }
    colours="$(python3 "$HERE/xwd_to_png.py" "$R/tmp/Xvfb_screen0" 2>/dev/null || echo 0)"
    if [ "${colours:-0}" -gt 50 ]; then shown=1; sleep 3; break; fi
done
mkdir -p "$(dirname "$OUT")"
python3 "$HERE/xwd_to_png.py" "$R/tmp/Xvfb_screen0" "$OUT" >/dev/null
[ -n "$shown" ] || { cat "$WORK/app.log"; die "一分钟内没有出现窗口（截图：$OUT）"; }
echo "截图：$OUT"
# Which program the wrapper started, and which glibc it runs on (the bundled one where the system's is older).
for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$R" ] || continue
    exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || continue
    case "$exe" in "$R/opt/rectify-desktop/"*) ;; *) continue ;; esac
    libc="$(grep -oE '/[^ ]*/libc\.so\.6$' "/proc/$pid/maps" | head -n 1)"
    echo "程序 ${exe#"$R"}，glibc ${libc#"$R"}"
done | sort -u
[ -s "$WORK/app.log" ] && { echo "程序输出："; sed 's/^/  /' "$WORK/app.log" | tail -20; }
kill "$APP_PID"
wait "$APP_PID" 2>/dev/null || true
APP_PID=""

say "5/6 dpkg -r"
FILES="$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ {sub(/^\./, "", $6); print $6}')"
in_root dpkg -r rectify-desktop
left=""
while read -r f; do
    [ -e "$R$f" ] || [ -L "$R$f" ] && left="$left $f"
done <<< "$FILES"
[ ! -e "$R/opt/rectify-desktop" ] || left="$left /opt/rectify-desktop/"
[ -z "$left" ] || die "卸载后仍留有文件：$left"
echo "已卸载，没有留下文件（$(echo "$FILES" | wc -l) 个文件已检查）"

say "6/6 通过：Debian $SUITE（$ARCH），用时 $((SECONDS - START)) 秒"
