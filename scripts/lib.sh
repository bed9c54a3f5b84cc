# Shared set-up for scripts/run and scripts/test: installs only what is missing, so running it
# again is quick. Debian/Ubuntu; uses sudo only when not root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# ensure_apt PKG...: installs the Debian packages that are not installed yet.
ensure_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  fi
}

# ensure_rust: a current stable Rust with rustfmt and clippy (rustup when cargo is missing).
ensure_rust() {
  ensure_apt build-essential pkg-config curl ca-certificates
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v cargo >/dev/null 2>&1; then
    say "Installing Rust (rustup, stable)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if command -v rustup >/dev/null 2>&1; then
    for c in rustfmt clippy; do
      rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
    done
  fi
}

# ensure_fhir_python: a virtual environment in target/ with the FHIR R4B models for the tests.
ensure_fhir_python() {
  ensure_apt python3 python3-venv
  local venv="$ROOT/target/pyenv"
  if ! "$venv/bin/python" -c "import fhir.resources.R4B" >/dev/null 2>&1; then
    say "Installing fhir.resources (Python) into target/pyenv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check "fhir.resources==8.3.0"
  fi
  export TRDCHECK_PYTHON="$venv/bin/python"
}
