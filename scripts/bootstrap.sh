#!/usr/bin/env bash
# Install what JoinedUp needs to run and test: uv (through pip, if it is missing), then the
# locked dependencies into .venv. Safe to run again and again; run it from any directory.
#
#   scripts/bootstrap.sh              # uv sync --locked (all dependency groups we use)
#   scripts/bootstrap.sh --no-dev     # extra arguments go to `uv sync`
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Never let uv download a Python interpreter: JoinedUp runs on the machine's own Python 3.11.
export UV_PYTHON_DOWNLOADS=never

say() { printf 'bootstrap: %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

PYTHON="${PYTHON:-python3}"
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install Python 3.11 first."

# Where `pip install --user` puts scripts (usually ~/.local/bin).
user_bin="$("$PYTHON" -m site --user-base 2>/dev/null || printf '%s/.local' "$HOME")/bin"
case ":$PATH:" in
  *":$user_bin:"*) ;;
  *) export PATH="$PATH:$user_bin" ;;
esac

in_virtualenv() {
  "$PYTHON" -c 'import sys; raise SystemExit(0 if sys.prefix != sys.base_prefix else 1)'
}

install_uv() {
  "$PYTHON" -m pip --version >/dev/null 2>&1 \
    || die "uv is not installed and '$PYTHON -m pip' is not available (Debian: apt-get install python3-pip)."
  if in_virtualenv; then
    say "installing uv into the active virtualenv with pip"
    "$PYTHON" -m pip install --quiet uv
  elif "$PYTHON" -m pip install --quiet --user uv; then
    say "installed uv with pip --user into $user_bin"
  else
    # Debian 12 marks its Python as externally managed (PEP 668). uv is a single self-contained
    # binary in the user's own site, so installing it there does not disturb system packages.
    say "pip --user refused (externally managed Python?); retrying with --break-system-packages"
    "$PYTHON" -m pip install --quiet --user --break-system-packages uv
  fi
}

# uv on PATH, else the uv that pip installed for this Python (`python3 -m uv` runs it).
find_uv() {
  if command -v uv >/dev/null 2>&1; then
    uv_cmd=(uv)
  elif "$PYTHON" -c 'import uv' >/dev/null 2>&1; then
    uv_cmd=("$PYTHON" -m uv)
  else
    return 1
  fi
}

if ! find_uv; then
  say "uv not found"
  install_uv
  hash -r
  find_uv || die "uv was installed but cannot be found; add $user_bin to PATH."
fi
say "using $("${uv_cmd[@]}" --version) (${uv_cmd[*]})"

if ! "${uv_cmd[@]}" sync --locked "$@"; then
  if ! "${uv_cmd[@]}" lock --check >/dev/null 2>&1; then
    die "uv.lock is out of date with pyproject.toml. Run 'make lock' (uv lock), review the change to uv.lock and commit it."
  fi
  die "'uv sync --locked' failed (see the message above: network, package index, or no Python 3.11 found?)."
fi
say "environment ready in .venv"
