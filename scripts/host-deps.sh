#!/usr/bin/env bash
# Installs the Debian packages the real-interface modes need (hotmem mount/exec/serve and their
# tests): fuse3 (fusermount3, libfuse3), busybox-static (the recorded guest's shell and tools),
# socat (a QMP client that is not ours), kmod (the guest environment binds its tool over
# /sbin/modprobe, which the kernel selftest calls by that path), chromium (the dashboard's browser
# tests drive Debian's chromium with Playwright). Idempotent and quiet when everything is there; only
# root on a Debian-like system installs, anyone else gets told what is missing.
# Usage: scripts/host-deps.sh   (./test runs it)
set -euo pipefail
missing=()
command -v fusermount3 >/dev/null 2>&1 || missing+=(fuse3)
[ -e /usr/lib/x86_64-linux-gnu/libfuse3.so.3 ] || [ -e /lib/x86_64-linux-gnu/libfuse3.so.3 ] \
  || ldconfig -p 2>/dev/null | grep -q 'libfuse3\.so\.3' || missing+=(libfuse3-3)
command -v busybox >/dev/null 2>&1 || missing+=(busybox-static)
command -v socat >/dev/null 2>&1 || missing+=(socat)
[ -e /sbin/modprobe ] || missing+=(kmod)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "hotmem: the FUSE/QMP modes need these packages: ${missing[*]} (install them as root)" >&2
  exit 0
fi
echo "hotmem: installing ${missing[*]} ..." >&2
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
