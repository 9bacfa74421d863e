#!/usr/bin/env bash
# Runs a command inside a QEMU VM that boots a Debian kernel with IPVS, for
# hosts whose kernel lacks it. The guest mounts this machine's root read-only
# over 9p, the current directory read-write over it (test logs, build
# trees), tmpfs on /tmp, /run and /var/tmp, chroots into it and runs the
# command from the current directory, so it sees the binaries just built.
# The command's output streams to this terminal; its exit status is this
# script's exit status. The guest caches what it reads over 9p
# (cache=loose), as a real machine's page cache would: without it, every
# program start read its binaries and libraries again over 9p (an
# nlpp-ipvs start took 0.27 s instead of 0.09 s). So files the host
# changes while the VM runs may look stale inside it. /dev/pts is mounted
# for tmux.
#
#   scripts/ipvs-vm.sh [--timeout SECONDS] COMMAND [ARGS...]
#
# The kernel and initramfs are cached in $NLPP_VM_CACHE (default
# /var/cache/nlpp-vm), outside the work tree, and built once. The guest
# loads ip_vs with its schedulers, veth and dummy; the sysctl
# net.ipv4.vs.* and the usermode helper (for on-demand schedulers) work.
set -euo pipefail
timeout=1800
if [[ ${1:-} == --timeout ]]; then timeout=$2; shift 2; fi
(($#)) || { echo "usage: scripts/ipvs-vm.sh [--timeout SECONDS] COMMAND [ARGS...]" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
bash "$here/scripts/deps.sh" vm
cache=${NLPP_VM_CACHE:-/var/cache/nlpp-vm}
mkdir -p "$cache"

build_image() {
  local pkg work ver
  pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -n 1)
  [[ -n $pkg ]] || { apt-get update -qq; pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | awk '{print $1}' | sort -V | tail -n 1); }
  [[ -n $pkg ]] || { echo "ipvs-vm: no linux-image-6.1.0-*-amd64 package found" >&2; exit 1; }
  echo "ipvs-vm: building the VM image from $pkg (once, cached in $cache)" >&2
  work=$(mktemp -d)
  (cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "ipvs-vm: apt-get download $pkg failed" >&2; exit 1; }
  dpkg-deb -x "$work"/*.deb "$work/k"
  ver=$(ls "$work/k/lib/modules")
  local r=$work/initramfs
  mkdir -p "$r"/{bin,sbin,proc,sys,dev,mnt,tmp,lib/modules/$ver/kernel/drivers,lib/modules/$ver/kernel/fs}
  cp /bin/busybox "$r/bin/busybox"
  for a in sh mount umount mkdir ln cat echo poweroff modprobe insmod chroot sleep mknod; do ln -s busybox "$r/bin/$a"; done
  ln -s ../bin/busybox "$r/sbin/modprobe"
  local m=$work/k/lib/modules/$ver
  cp -a "$m/kernel/net" "$m/kernel/lib" "$m/kernel/crypto" "$r/lib/modules/$ver/kernel/"
  for d in fs/9p fs/netfs fs/fscache drivers/virtio drivers/net drivers/char; do
    [[ -d $m/kernel/$d ]] && mkdir -p "$r/lib/modules/$ver/kernel/$(dirname $d)" && cp -a "$m/kernel/$d" "$r/lib/modules/$ver/kernel/$(dirname $d)/"
  done
  cp "$m"/modules.order "$m"/modules.builtin* "$r/lib/modules/$ver/" 2>/dev/null || true
  depmod -b "$r" "$ver"
  cat >"$r/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_pci 9pnet_virtio 9p crc32c_generic ip_vs ip_vs_rr ip_vs_wrr ip_vs_lc ip_vs_wlc ip_vs_lblc \
         ip_vs_lblcr ip_vs_dh ip_vs_sh ip_vs_sed ip_vs_nq ip_vs_fo ip_vs_ovf ip_vs_mh ip_vs_pe_sip veth dummy; do
  modprobe $m 2>/dev/null || echo "ipvs-vm: could not load $m"
done
echo /sbin/modprobe > /proc/sys/kernel/modprobe
out=$(sed -n 's/.*nlpp.out=\([^ ]*\).*/\1/p' /proc/cmdline)
work=$(sed -n 's/.*nlpp.work=\([^ ]*\).*/\1/p' /proc/cmdline)
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro,cache=loose hostroot /mnt
for d in tmp run var/tmp; do mount -t tmpfs tmpfs /mnt/$d; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out "/mnt$out"
mkdir -p "/mnt$work" 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=loose work "/mnt$work"
mount -t proc proc /mnt/proc
mount -t sysfs sys /mnt/sys
mount -t devtmpfs dev /mnt/dev
mkdir -p /mnt/dev/pts && mount -t devpts devpts /mnt/dev/pts  # tmux's pseudo-terminals
ln -s /proc/self/fd /mnt/dev/fd 2>/dev/null
ln -s /proc/self/fd/0 /mnt/dev/stdin 2>/dev/null
ln -s /proc/self/fd/1 /mnt/dev/stdout 2>/dev/null
ln -s /proc/self/fd/2 /mnt/dev/stderr 2>/dev/null
chroot /mnt /usr/sbin/ip link set lo up
echo "ipvs-vm: guest up"
chroot /mnt /bin/sh "$out/cmd.sh"
echo $? > "/mnt$out/rc"
sync
poweroff -f
INIT
  chmod +x "$r/init"
  (cd "$r" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$cache/initrd.img.new"
  cp "$work/k/boot/vmlinuz-$ver" "$cache/vmlinuz.new"
  mv "$cache/initrd.img.new" "$cache/initrd.img"
  mv "$cache/vmlinuz.new" "$cache/vmlinuz"
  echo "$pkg" >"$cache/package"
  echo "$stamp" >"$cache/stamp"
  rm -rf "$work"
}

# The cached image is rebuilt whenever this recipe changes.
stamp=$(sed -n '/^build_image()/,/^}/p' "$0" | sha256sum | cut -c1-16)
[[ -f $cache/vmlinuz && -f $cache/initrd.img && "$(cat "$cache/stamp" 2>/dev/null)" == "$stamp" ]] || build_image

mkdir -p "$cache/runs"
out=$(mktemp -d "$cache/runs/run.XXXXXX")
trap 'rm -rf "$out"' EXIT
# The guest has fresh tmpfs on /tmp, /run and /var/tmp: spec directories of
# NLPP_SPEC_PATH below them (a clone in /tmp with ../shared beside it) are
# shared read-only and mounted at the same path.
shares=()
{
  if [[ -n ${NLPP_SPEC_PATH:-} ]]; then
    IFS=: read -r -a spec_dirs <<<"$NLPP_SPEC_PATH"
    for d in "${spec_dirs[@]}"; do
      d=$(readlink -f "$d" 2>/dev/null) || continue
      [[ -d $d && $d =~ ^/(tmp|run|var/tmp)/ && $d != "$PWD"/* ]] || continue
      tag=spec${#shares[@]}
      shares+=(-virtfs "local,path=$d,mount_tag=$tag,security_model=passthrough,readonly=on,multidevs=remap")
      echo "mkdir -p $(printf '%q' "$d") && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro,cache=loose $tag $(printf '%q' "$d")"
    done
  fi
  echo "cd $(printf '%q' "$PWD") || exit 97"
  echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp CI=${CI:-} NLPP_IN_VM=1"
  [[ -n ${NLPP_SPEC_PATH:-} ]] && echo "export NLPP_SPEC_PATH=$(printf '%q' "$NLPP_SPEC_PATH")"
  printf 'exec'
  printf ' %q' "$@"
  echo
} >"$out/cmd.sh"

timeout --foreground "$timeout" qemu-system-x86_64 -accel tcg -cpu max -m 2048 -smp 2 -nographic -no-reboot \
  -kernel "$cache/vmlinuz" -initrd "$cache/initrd.img" \
  -append "console=ttyS0 quiet panic=-1 nlpp.out=$out nlpp.work=$PWD" \
  -virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
  -virtfs local,path="$out",mount_tag=out,security_model=passthrough,multidevs=remap \
  -virtfs local,path="$PWD",mount_tag=work,security_model=passthrough,multidevs=remap "${shares[@]}" </dev/null 2>&1 |
  tee "$out/console.log" | awk 'up { sub(/\r$/, ""); print; fflush(); next } /ipvs-vm: guest up/ { up = 1 }' || true
if [[ ! -f $out/rc ]]; then
  echo "ipvs-vm: the VM did not report an exit status (boot failure or timeout after ${timeout}s); console:" >&2
  tail -n 30 "$out/console.log" >&2
  exit 1
fi
exit "$(cat "$out/rc")"
