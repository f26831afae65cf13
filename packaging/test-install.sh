#!/bin/sh
# test-install.sh: install Second Opinion as a user would, into an empty
# temporary HOME, check the desktop can find and start it, uninstall it and
# check nothing is left. Done twice: with `make user-install` from the
# source folder, and with install.sh from the `make dist` tarball.
# Run from the source folder (make test-packaging does).
set -eu

app=org.secondopinion.app
src=$(pwd)
MAKE=${MAKE:-make}
fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
[ -f FyneApp.toml ] && [ -f packaging/linux/install.sh ] || fail "run me from the source folder"

tmp=$(mktemp -d)
xvfb_pid= app_pid=
cleanup() {
  [ -z "$app_pid" ] || kill "$app_pid" 2>/dev/null || true
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# What FyneApp.toml says: the installed files must agree with it.
toml() { sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*\"\(.*\)\"/\1/p" FyneApp.toml | head -1; }
version=$(toml Version)
name=$(toml Name)
[ -n "$version" ] && [ -n "$name" ] || fail "FyneApp.toml has no Name or Version"
grep -q "<release version=\"$version\"" packaging/linux/$app.metainfo.xml \
  || fail "the metainfo's newest release is not $version, the version in FyneApp.toml"
grep -qx "Name=$name" packaging/linux/$app.desktop || fail "the .desktop Name is not \"$name\" (FyneApp.toml)"
cmp -s assets/icon.svg packaging/linux/icons/hicolor/scalable/apps/$app.svg \
  || fail "packaging/linux/icons differ from assets/icon.svg: run make icons"

# Go and make must not write into the test HOME: keep their caches and
# settings where they are.
GOCACHE=$(go env GOCACHE) GOMODCACHE=$(go env GOMODCACHE) GOPATH=$(go env GOPATH) GOENV=$(go env GOENV)
XDG_CONFIG_HOME=${XDG_CONFIG_HOME:-$HOME/.config}
export GOCACHE GOMODCACHE GOPATH GOENV XDG_CONFIG_HOME
unset XDG_DATA_HOME

# check_installed HOME: the menu entry, icon and program are where the
# desktop looks, valid, and the program runs with no source folder near.
check_installed() {
  h=$1 data=$1/.local/share
  desktop=$data/applications/$app.desktop
  [ -f "$desktop" ] || fail "no menu entry at $desktop"
  desktop-file-validate "$desktop" || fail "the installed menu entry is not valid"
  appstreamcli validate --no-net "$data/metainfo/$app.metainfo.xml" >/dev/null \
    || fail "the installed metainfo is not valid"
  exe=$(sed -n 's/^Exec=//p' "$desktop" | tr -d '"')
  [ "$exe" = "$h/.local/bin/secondopinion" ] || fail "the menu entry starts $exe, not the installed program"
  [ -x "$exe" ] || fail "$exe is not an executable program"
  icon=$(sed -n 's/^Icon=//p' "$desktop")
  for n in 16 24 32 48 64 128 256 512; do
    f=$data/icons/hicolor/${n}x$n/apps/$icon.png
    [ -f "$f" ] || fail "no $n-pixel icon at $f"
    file -b "$f" | grep -q "PNG image data, $n x $n," || fail "$f is not a $n x $n PNG: $(file -b "$f")"
  done
  [ -f "$data/icons/hicolor/scalable/apps/$icon.svg" ] || fail "no scalable icon"
  # Run it from an empty folder, with a bare environment and a HOME of its
  # own, so nothing of the source folder can help it.
  run=$tmp/run-$$-$2 && mkdir -p "$run/home" "$run/cwd"
  got=$(cd "$run/cwd" && env -i HOME="$run/home" PATH=/usr/bin:/bin "$exe" --version) \
    || fail "$exe --version failed"
  case $got in "$name $version "*) ;; *) fail "$exe --version = \"$got\", want \"$name $version ...\"" ;; esac
  echo "test-install: $2: installed program says: $got"
  check_window "$exe" "$(sed -n 's/^StartupWMClass=//p' "$desktop")" "$run"
}

# check_window EXE CLASS RUNDIR: the installed program opens its window on
# a virtual display, and the window's WM_CLASS is the one the menu entry
# names (StartupWMClass), so docks group it under its own icon.
check_window() {
  if ! command -v Xvfb >/dev/null || ! command -v xdotool >/dev/null || ! command -v xprop >/dev/null; then
    echo "test-install: Xvfb, xdotool or xprop missing: not starting the window (make test-deps installs them)"
    return 0
  fi
  disp=
  for n in $(seq 150 199); do
    [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ] || { disp=:$n; break; }
  done
  [ -n "$disp" ] || fail "no free X display number"
  Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
  xvfb_pid=$!
  i=0; until DISPLAY=$disp xdotool getmouselocation >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "Xvfb did not start"; sleep 0.1
  done
  (cd "$3/cwd" && exec env -i HOME="$3/home" PATH=/usr/bin:/bin DISPLAY="$disp" LIBGL_ALWAYS_SOFTWARE=1 LANG=C.UTF-8 \
    "$1" --library "$3/home/library.sqlite") >"$3/app.log" 2>&1 &
  app_pid=$!
  win=$(DISPLAY=$disp timeout 60 xdotool search --sync --onlyvisible --name "^$name\$" 2>/dev/null | head -1) || true
  [ -n "$win" ] || { cat "$3/app.log" >&2; fail "the installed program opened no window named \"$name\" within 60 s"; }
  class=$(DISPLAY=$disp xprop -id "$win" WM_CLASS | sed -n 's/.*= "\(.*\)", "\(.*\)"/\2/p')
  [ "$class" = "$2" ] || fail "the window's WM_CLASS class is \"$class\" but the menu entry says StartupWMClass=$2"
  echo "test-install: window opened; WM_CLASS class \"$class\" matches StartupWMClass"
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=
  kill "$xvfb_pid"; wait "$xvfb_pid" 2>/dev/null || true; xvfb_pid=
}

# 1. make user-install / make user-uninstall from the source folder.
home=$tmp/home1 && mkdir -p "$home"
before=$(cd "$home" && find . | sort)
HOME=$home $MAKE -s user-install >/dev/null
check_installed "$home" make
HOME=$home $MAKE -s user-uninstall >/dev/null
after=$(cd "$home" && find . | sort)
[ "$before" = "$after" ] || fail "make user-uninstall left these behind:
$(printf '%s\n' "$after" | grep -vxF "$before")"
echo "test-install: make user-install / user-uninstall: nothing left behind"

# 2. The release tarball's install.sh, unpacked far from the source.
$MAKE -s dist >/dev/null
tarball=$(ls -t out/secondopinion-"$version"-linux-*.tar.gz | head -1)
mkdir -p "$tmp/unpacked"
tar -C "$tmp/unpacked" -xzf "$tarball"
dir=$(ls -d "$tmp"/unpacked/secondopinion-*)
for f in secondopinion install.sh README.md LICENSE $app.desktop $app.metainfo.xml icons/hicolor/48x48/apps/$app.png; do
  [ -e "$dir/$f" ] || fail "$tarball has no $f"
done
home=$tmp/home2 && mkdir -p "$home"
before=$(cd "$home" && find . | sort)
(cd "$dir" && HOME=$home sh ./install.sh >/dev/null)
check_installed "$home" dist
(cd / && HOME=$home sh "$dir/install.sh" --uninstall >/dev/null)
after=$(cd "$home" && find . | sort)
[ "$before" = "$after" ] || fail "install.sh --uninstall left these behind:
$(printf '%s\n' "$after" | grep -vxF "$before")"
echo "test-install: $(basename "$tarball") install.sh / --uninstall: nothing left behind"
echo "test-install: ok"
