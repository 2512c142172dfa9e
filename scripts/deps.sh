#!/bin/bash
# Installs what bpfkit needs on a Debian 12 machine. Idempotent: does nothing
# when everything is present. `--check` only reports (exit 1 if something is missing).
set -euo pipefail

# package -> a file that proves it is installed
declare -A PROBE=(
  [clang]=/usr/bin/clang
  [llvm]=/usr/bin/llvm-objdump
  [libbpf-dev]=/usr/include/bpf/libbpf.h
  [libelf-dev]=/usr/include/libelf.h
  [zlib1g-dev]=/usr/include/zlib.h
  [pkg-config]=/usr/bin/pkg-config
  [bpftool]=/usr/sbin/bpftool
  [iproute2]=/usr/sbin/ip
  [linux-libc-dev]=/usr/include/linux/bpf.h
  [libpcap-dev]=/usr/include/pcap/pcap.h
  [xdp-tools]=/usr/sbin/xdp-loader
  [graphviz]=/usr/bin/dot
  [libcapstone-dev]=/usr/include/capstone/capstone.h
  [libdw-dev]=/usr/include/elfutils/libdw.h
  [tcpdump]=/usr/bin/tcpdump
  [libclang-rt-14-dev]=/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a
  [make]=/usr/bin/make
  [gcc]=/usr/bin/gcc
  [iputils-ping]=/usr/bin/ping
  [procps]=/usr/bin/pkill
  [libmicrohttpd-dev]=/usr/include/microhttpd.h
  [libxdp-dev]=/usr/include/xdp/libxdp.h
  [prometheus]=/usr/bin/prometheus
  [libcurl4-openssl-dev]=/usr/bin/curl-config
  [libjansson-dev]=/usr/include/jansson.h
  [etcd-server]=/usr/bin/etcd
  [etcd-client]=/usr/bin/etcdctl
  [python3]=/usr/bin/python3
  [curl]=/usr/bin/curl
  [systemd]=/usr/bin/systemd-analyze
  [util-linux]=/usr/bin/setpriv
  [strace]=/usr/bin/strace
)

# wanted, not needed: installed with the rest when we can, a build without
# them works (xdpfw's datapath is compiled with clang 19 where there is one:
# apps/xdpfw/module.mk)
declare -A OPTIONAL=(
  [clang-19]=/usr/bin/clang-19
)

missing=()
for pkg in "${!PROBE[@]}"; do
  [ -e "${PROBE[$pkg]}" ] || missing+=("$pkg")
done
optional=()
for pkg in "${!OPTIONAL[@]}"; do
  [ -e "${OPTIONAL[$pkg]}" ] || optional+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ] && { [ ${#optional[@]} -eq 0 ] || [ "$(id -u)" -ne 0 ] || [ "${1:-}" = "--check" ]; }; then
  [ ${#optional[@]} -eq 0 ] || echo "deps: optional, not installed: ${optional[*]} (as root: apt-get install ${optional[*]})" >&2
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "deps: missing: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "deps: installing ${missing[*]} ${optional[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ ${#optional[@]} -gt 0 ] && ! apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null; then
  echo "deps: optional ${optional[*]} not installed; building without" >&2
fi
echo "deps: done" >&2
