#!/bin/sh
# check.sh EXE: the Windows build is a 64-bit GUI program (no console
# window) that needs only DLLs every Windows has.
set -eu
exe=${1:?usage: check.sh EXE}
desc=$(file -b "$exe")
echo "$exe: $desc"
case $desc in
  *PE32+*"(GUI)"*x86-64*) ;;
  *) echo "check.sh: $exe is not a 64-bit Windows GUI program" >&2; exit 1 ;;
esac
# DLLs that ship with Windows itself (Windows 10 and later).
system='^(kernel32|user32|gdi32|opengl32|shell32|ole32|oleaut32|advapi32|comdlg32|comctl32|winmm|ws2_32|imm32|dwmapi|uxtheme|shcore|setupapi|version|bcrypt|ntdll|crypt32|winspool\.drv|secur32|userenv|powrprof|iphlpapi|dbghelp|msvcrt|api-ms-win-[a-z0-9-]+)(\.dll)?$'
dlls=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^[[:space:]]*DLL Name: //p' | sort -u)
echo "Imports: $(echo $dlls)"
bad=$(echo "$dlls" | tr 'A-Z' 'a-z' | grep -Ev "$system" || true)
if [ -n "$bad" ]; then
  echo "check.sh: $exe needs DLLs that Windows does not have: $bad" >&2
  exit 1
fi
ls -l "$exe" | awk '{printf "Size: %.1f MB\n", $5/1048576}'
