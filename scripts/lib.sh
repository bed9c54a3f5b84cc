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

# ensure_rust: the Rust of rust-toolchain.toml with rustfmt and clippy (rustup when it is missing).
ensure_rust() {
  ensure_apt build-essential pkg-config curl ca-certificates
  if ! command -v rustup >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/rustup" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if ! command -v rustup >/dev/null 2>&1 && ! command -v cargo >/dev/null 2>&1; then
    say "Installing rustup"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --default-toolchain none
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  if command -v rustup >/dev/null 2>&1; then
    # The toolchain pinned in rust-toolchain.toml, with rustfmt and clippy (a no-op once installed).
    # Named explicitly, which every rustup understands; a failed install stops here, and the
    # compiler the project then runs must be the pinned one.
    local pinned
    pinned="$(sed -n 's/^channel = "\(.*\)"$/\1/p' "$ROOT/rust-toolchain.toml")"
    if ! rustup toolchain install "$pinned" --profile minimal --component rustfmt --component clippy; then
      echo "could not install the pinned Rust toolchain $pinned (rust-toolchain.toml)" >&2
      exit 1
    fi
    if ! (cd "$ROOT" && rustc --version) | grep -q "^rustc $pinned "; then
      echo "the project's rustc is not the pinned $pinned: $(cd "$ROOT" && rustc --version)" >&2
      exit 1
    fi
  else
    echo "note: cargo without rustup: rust-toolchain.toml is not applied; rustfmt and clippy must be installed" >&2
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

# ensure_node: Node.js 18 or newer with npm (Debian's packages when missing).
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    ensure_apt nodejs npm
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 18 ]; then
    echo "trdcheck needs Node.js 18 or newer for its UI build; this machine has $(node --version)." >&2
    exit 1
  fi
}

# ensure_ui: the UI's npm packages (the versions in package-lock.json) and its bundle in ui/dist.
# `npm install` rather than `npm ci`: npm 11 refuses its own lock file in `npm ci` over Rollup's
# per-platform optional packages; with exact versions in package.json and the committed lock,
# `npm install` installs the same tree.
ensure_ui() {
  ensure_node
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    say "Installing the UI's npm packages"
    (cd ui && npm install --no-audit --no-fund --loglevel=error)
  fi
  say "Building the UI (type check + bundle)"
  (cd ui && npm run --silent build)
}

# ensure_tauri_deps: the Debian packages Tauri 2 needs on Linux (WebKitGTK 4.1 and friends).
ensure_tauri_deps() {
  ensure_apt libwebkit2gtk-4.1-dev build-essential curl wget file libxdo-dev libssl-dev \
    libayatana-appindicator3-dev librsvg2-dev pkg-config
}

# ensure_e2e_tools: Xvfb, WebKitWebDriver, tauri-driver, the Python WebDriver client and
# ImageMagick (screenshots of the Xvfb display: WebKitWebDriver's own can hang) and xdotool
# (types into the native save dialog).
ensure_e2e_tools() {
  ensure_apt xvfb xauth webkit2gtk-driver imagemagick xdotool
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    say "Installing tauri-driver"
    cargo install tauri-driver --locked --quiet
  fi
  export PATH="$HOME/.cargo/bin:$PATH"
  ensure_fhir_python
  if ! "$TRDCHECK_PYTHON" -c "import selenium, pytest" >/dev/null 2>&1; then
    "$TRDCHECK_PYTHON" -m pip install -q --disable-pip-version-check "selenium==4.51.0" "pytest==9.2.0"
  fi
}
