# Sourced by scripts/run, scripts/test and bench/*: installs missing Debian packages, then builds.
# Works on a fresh Debian bookworm machine as root (or with sudo); a quick no-op when all is there.

set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${LIVE_ORIGIN_BUILD_DIR:-$repo_root/build}"

# Everything the build and the tests need, by Debian package name.
build_packages=(
  g++ cmake ninja-build pkg-config
  libcaf-dev                      # C++ Actor Framework 0.17 (core + io)
  libboost-dev libboost-system-dev  # Asio and Beast are header-only; Boost.System is linked
  libspdlog-dev libtoml11-dev nlohmann-json3-dev
  libxxhash-dev                   # XXH3: content digests for ETags and idempotent re-PUTs
  librocksdb-dev                  # durable storage under the data directory
  libgtest-dev
  ccache                          # compiler cache, kept outside the clone: a fresh clone rebuilds from it
)

# What scripts/demo and the end-to-end tests run: real packagers and a real CDN (the tests add chromium).
e2e_packages=(ffmpeg nginx)

apt_updated=0

# install_packages NAME...: installs the named packages that are not installed yet.
install_packages() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  echo "live-origin: installing ${missing[*]}" >&2
  if [[ $apt_updated -eq 0 ]]; then
    "${sudo[@]}" apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# install_e2e: the end-to-end packages, Node.js and npm when there are none, and the player's npm
# packages exactly as player/package-lock.json pins them (npm ci; again only when the lock file changed).
install_e2e() {
  install_packages "${e2e_packages[@]}"
  command -v node >/dev/null || install_packages nodejs
  command -v npm >/dev/null || install_packages npm
  local player="$repo_root/player"
  if [[ ! -f "$player/node_modules/.package-lock.json" || "$player/package-lock.json" -nt "$player/node_modules/.package-lock.json" ]]; then
    echo "live-origin: installing the player's npm packages (player/package-lock.json)" >&2
    (cd "$player" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
}

# build [CMAKE_ARGS...]: configures (once) and builds everything into $build_dir.
build() {
  install_packages "${build_packages[@]}"
  # CI builds a fresh clone each time; the cache (ccache's default, ~/.cache/ccache) outlives it. Paths
  # are hashed relative to the clone, so a clone elsewhere still hits.
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}" CCACHE_BASEDIR="$repo_root" CCACHE_NOHASHDIR=1
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "$@" >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)"
}
