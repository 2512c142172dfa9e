#!/bin/bash
# Installs what bpfkit needs on a Debian 12 machine. Idempotent: does nothing
# when everything is present. `--check` only reports (exit 1 if something is missing).
set -euo pipefail

# package -> a file that proves it is installed
declare -A PROBE=(
  [clang]=/usr/bin/clang
  [clang-19]=/usr/bin/clang-19
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
)

missing=()
for pkg in "${!PROBE[@]}"; do
  [ -e "${PROBE[$pkg]}" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
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
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done" >&2
