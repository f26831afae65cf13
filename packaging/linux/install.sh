#!/bin/sh
# install.sh: put Second Opinion in the desktop's menu, or take it out again.
#
#   sh install.sh                      install for you alone, in ~/.local (no root needed)
#   sh install.sh --uninstall          remove what that put there
#   sh install.sh --prefix /usr/local  install for everyone (as root); add --uninstall to remove
#
#   --bin FILE      the program to install (default: secondopinion next to this script)
#   --destdir DIR   stage a system install under DIR (for packagers; no record is kept)
#
# It installs the program, a menu entry (.desktop), the icon at the sizes
# desktops look for, and the AppStream file software centres read. The
# files it installs, and the folders it had to create, are written down in
# a record, so that --uninstall removes exactly those and nothing else.
# Your library and settings are never touched.
set -eu

app=org.secondopinion.app
bin=secondopinion
here=$(cd "$(dirname "$0")" && pwd)
mode=user prefix= destdir= src_bin="$here/$bin" uninstall=0

die() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --user) mode=user; shift ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder, e.g. --prefix /usr/local"
      mode=system prefix=$2; shift 2 ;;
    --destdir) [ $# -ge 2 ] || die "--destdir needs a folder"
      destdir=$2; shift 2 ;;
    --bin) [ $# -ge 2 ] || die "--bin needs the program file"
      src_bin=$2; shift 2 ;;
    --uninstall) uninstall=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1. Run sh install.sh --help to see the options." ;;
  esac
done

if [ "$mode" = user ]; then
  [ -n "${HOME:-}" ] || die "HOME is not set, so there is no home folder to install into."
  [ -z "$destdir" ] || die "--destdir is for system installs (with --prefix)."
  bindir=$HOME/.local/bin
  datadir=${XDG_DATA_HOME:-$HOME/.local/share}
else
  case $prefix in /*) ;; *) die "--prefix must be a full path, like /usr/local (got $prefix)." ;; esac
  bindir=$prefix/bin
  datadir=$prefix/share
fi
# The record of what was installed: in its own folder, never in the
# library's folder ($datadir/secondopinion).
record=$datadir/$app/installed
icons="16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512"

# files prints, one a line, every file an install puts in place.
files() {
  echo "$bindir/$bin"
  echo "$datadir/applications/$app.desktop"
  echo "$datadir/metainfo/$app.metainfo.xml"
  for s in $icons; do echo "$datadir/icons/hicolor/$s/apps/$app.png"; done
  echo "$datadir/icons/hicolor/scalable/apps/$app.svg"
}

if [ "$uninstall" = 1 ]; then
  D=$destdir
  if [ -f "$D$record" ]; then
    # Files first, then the folders the install created, deepest first,
    # each only if nothing else has been put in it since.
    dirs=$(grep '^d ' "$D$record.dirs" 2>/dev/null | cut -c3- | sort -r || true)
    grep '^f ' "$D$record" | cut -c3- | while IFS= read -r f; do rm -f "$D$f"; done
    rm -f "$D$record" "$D$record.dirs"
    printf '%s\n' "$dirs" | while IFS= read -r d; do
      [ -z "$d" ] || rmdir "$D$d" 2>/dev/null || true
    done
    rmdir "$D$datadir/$app" 2>/dev/null || true
  else
    # No record (it was removed, or staged with --destdir): remove the
    # files an install puts in place and leave every folder.
    files | while IFS= read -r f; do rm -f "$D$f"; done
  fi
  echo "Second Opinion is uninstalled."
  if [ "$mode" = user ] && [ -d "$datadir/secondopinion" ]; then
    echo "Your library is kept in $datadir/secondopinion; delete that folder yourself only if you no longer want what is in it."
  fi
  exit 0
fi

[ -f "$src_bin" ] && [ -x "$src_bin" ] || die "there is no program to install at $src_bin. Build it first (make build), or give its place with --bin FILE."
for f in "$here/$app.desktop" "$here/$app.metainfo.xml" "$here/icons/hicolor/scalable/apps/$app.svg"; do
  [ -f "$f" ] || die "$f is missing. Unpack the whole release again, or run this from the source folder."
done
# The menu entry starts the program by its full path, so it works whether
# or not ~/.local/bin is on PATH. A path the desktop entry cannot carry is
# refused rather than written wrongly.
case $bindir in
  *[\"\`\$\\%]*) die "the folder $bindir has a character a menu entry cannot hold (\" \` \$ \\ %). Install with a different --prefix." ;;
  *[!A-Za-z0-9._/+-]*) exec_line="Exec=\"$bindir/$bin\"" ;;
  *) exec_line="Exec=$bindir/$bin" ;;
esac

D=$destdir
made=""
# mkd makes folder $1 (under DESTDIR) and remembers each folder it created.
mkd() {
  d=$1 new=""
  while [ "$d" != / ] && [ ! -d "$D$d" ]; do new="$d
$new"; d=$(dirname "$d"); done
  mkdir -p "$D$1"
  made="$made$new"
}
put() { # put MODE SOURCE DEST
  mkd "$(dirname "$3")"
  cp "$2" "$D$3.new.$$" && chmod "$1" "$D$3.new.$$" && mv -f "$D$3.new.$$" "$D$3"
}
put 755 "$src_bin" "$bindir/$bin"
mkd "$datadir/applications"
sed "s|^Exec=.*|$exec_line|" "$here/$app.desktop" > "$D$datadir/applications/$app.desktop.new.$$"
chmod 644 "$D$datadir/applications/$app.desktop.new.$$"
mv -f "$D$datadir/applications/$app.desktop.new.$$" "$D$datadir/applications/$app.desktop"
put 644 "$here/$app.metainfo.xml" "$datadir/metainfo/$app.metainfo.xml"
for s in $icons; do
  put 644 "$here/icons/hicolor/$s/apps/$app.png" "$datadir/icons/hicolor/$s/apps/$app.png"
done
put 644 "$here/icons/hicolor/scalable/apps/$app.svg" "$datadir/icons/hicolor/scalable/apps/$app.svg"
# Tell icon caches to look again (changes the folder's time, adds no file).
touch "$D$datadir/icons/hicolor" 2>/dev/null || true

if [ -z "$D" ]; then
  mkd "$datadir/$app"
  # Folders an earlier install created are still ours to remove.
  old=$(grep '^d ' "$record.dirs" 2>/dev/null | cut -c3- || true)
  files | sed 's/^/f /' > "$record"
  printf '%s\n%s\n' "$old" "$made" | grep -v '^$' | sort -u | sed 's/^/d /' > "$record.dirs"
fi

echo "Second Opinion is installed: $bindir/$bin"
echo "Start it from your desktop's menu (Office), or run $bindir/$bin."
if [ "$mode" = user ]; then
  case ":${PATH:-}:" in
    *":$bindir:"*) ;;
    *) echo "To start it by typing secondopinion in a terminal, add $bindir to your PATH." ;;
  esac
  echo "To remove it: sh $0 --uninstall"
fi
