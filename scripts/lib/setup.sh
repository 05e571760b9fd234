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
  libgtest-dev
)

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

# build [CMAKE_ARGS...]: configures (once) and builds everything into $build_dir.
build() {
  install_packages "${build_packages[@]}"
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  cmake --build "$build_dir" --parallel "$(nproc)"
}
