#!/usr/bin/env bash
# Installs gVisor on a Kubernetes node that runs containerd: the runsc runtime and its
# containerd shim (containerd-shim-runsc-v1), and a `runsc` runtime in containerd's CRI
# config, which the `gvisor` RuntimeClass (runtimeclass.yaml, handler: runsc) names.
#
#   sudo deploy/gvisor/install.sh            # install and configure (idempotent)
#   deploy/gvisor/install.sh --dry-run       # print the steps, change nothing
#
# Options: --platform systrap|ptrace (default: systrap when runsc is a 2023 release or
# newer, else ptrace, the only one older releases have; never kvm on a VM without nested
# virtualisation), --config <containerd config.toml> (default /etc/containerd/config.toml),
# --no-restart (configure but do not restart containerd).
#
# Idempotent: a second run finds runsc installed and the runtime configured, and changes
# nothing (containerd is restarted only when its config changed).
set -euo pipefail

dry_run=0
platform=
config=/etc/containerd/config.toml
restart=1
while (($#)); do
  case "$1" in
    --dry-run) dry_run=1 ;;
    --platform) platform="${2:?--platform needs a value}"; shift ;;
    --config) config="${2:?--config needs a path}"; shift ;;
    --no-restart) restart=0 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$platform" in
  ""|systrap|ptrace) ;;
  *) echo "install.sh: --platform must be systrap or ptrace, not $platform" >&2; exit 2 ;;
esac

step() { echo "+ $*"; }
run() {
  step "$@"
  if ((dry_run == 0)); then "$@"; fi
}

# 1. runsc: the distribution's package where there is one (Debian/Ubuntu `runsc`), else
#    gVisor's release (checked against its published SHA-512).
release=https://storage.googleapis.com/gvisor/releases/release/latest/$(uname -m)
fetch_release() { # <binary>
  run curl -fsSLo "/usr/local/bin/$1" "$release/$1"
  run curl -fsSLo "/tmp/$1.sha512" "$release/$1.sha512"
  run sh -c "cd /usr/local/bin && sed 's|  .*|  $1|' /tmp/$1.sha512 | sha512sum -c -"
  run chmod 0755 "/usr/local/bin/$1"
}
if command -v runsc >/dev/null; then
  step "runsc already installed: $(runsc --version 2>/dev/null | head -1)"
elif command -v apt-get >/dev/null && apt-cache show runsc >/dev/null 2>&1; then
  run apt-get update -qq
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runsc
else
  fetch_release runsc
fi
# The containerd shim: Debian 12's package ships runsc alone.
if command -v containerd-shim-runsc-v1 >/dev/null; then
  step "containerd-shim-runsc-v1 already installed"
else
  fetch_release containerd-shim-runsc-v1
fi

if [[ -z $platform ]]; then
  # "runsc version release-20240212.0" or Debian's "runsc version 0.0~20221219.0"; a dry
  # run without runsc assumes the release it would fetch.
  released=$( (runsc --version 2>/dev/null || echo 99999999) | grep -oE '20[0-9]{6}' | head -1)
  if [[ ${released:-0} -ge 20230101 ]]; then platform=systrap; else platform=ptrace; fi
  step "platform $platform (runsc release ${released:-unknown})"
fi

# 2. runsc's own options for containerd's shim.
runsc_toml=/etc/containerd/runsc.toml
want_runsc_toml=$(printf '[runsc_config]\n  platform = "%s"\n' "$platform")
if [[ -f $runsc_toml && $(cat "$runsc_toml") == "$want_runsc_toml" ]]; then
  step "$runsc_toml already says platform = $platform"
else
  step "write $runsc_toml (platform = $platform)"
  if ((dry_run == 0)); then
    mkdir -p "$(dirname "$runsc_toml")"
    printf '%s\n' "$want_runsc_toml" >"$runsc_toml"
  fi
fi

# 3. The runsc runtime in containerd's CRI plugin (config version 2).
marker='# tntc: gVisor runtime (deploy/gvisor/install.sh)'
block=$(cat <<TOML
$marker
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc]
  runtime_type = "io.containerd.runsc.v1"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runsc.options]
  TypeUrl = "io.containerd.runsc.v1.options"
  ConfigPath = "$runsc_toml"
TOML
)
changed=0
if [[ -f $config ]] && grep -qF 'containerd.runtimes.runsc]' "$config"; then
  step "$config already has a runsc runtime"
else
  step "append the runsc runtime to $config"
  if ((dry_run == 0)); then
    mkdir -p "$(dirname "$config")"
    if [[ ! -s $config ]]; then printf 'version = 2\n' >"$config"; fi
    printf '\n%s\n' "$block" >>"$config"
  else
    printf '%s\n' "$block" | sed 's/^/    /'
  fi
  changed=1
fi

# 4. containerd reads its config at start.
if ((changed && restart)); then
  run systemctl restart containerd
elif ((changed)); then
  step "restart containerd to load the new runtime (--no-restart given)"
fi
step "done: apply deploy/gvisor/runtimeclass.yaml once per cluster, then deploy/gvisor/test-pod.yaml to check a node"
