#!/usr/bin/env bash
# Install the Debian packages tcchain needs to build and test, if missing.
# Quiet and fast when everything is present; called by every make target.
set -eu

pkgs=(make gcc pkg-config libbpf-dev libmnl-dev libelf-dev zlib1g-dev
      clang llvm bpftool iproute2 iputils-ping netcat-openbsd jq
      nftables)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "Error: missing packages: ${missing[*]} (run as root to install them)" >&2
	exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
