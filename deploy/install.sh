#!/bin/sh
# Installs Vigil on a host: the binary, its shell completions (bash, zsh, fish), the systemd
# unit, the vigil user and group, and a default configuration (/etc/vigil/vigil.yaml and
# /etc/vigil/manifests/). Idempotent: a second run with the same inputs changes nothing;
# existing configuration is never overwritten.
#
#   swift build -c release --static-swift-stdlib    # a binary that needs no Swift runtime
#   sudo deploy/install.sh                          # then: systemctl enable --now vigil
#
# Options:
#   --binary PATH   the vigil executable to install (default: .build/release/vigil)
#   --prefix DIR    install the binary as DIR/bin/vigil (default: /usr/local)
#   --destdir DIR   stage everything under DIR instead of / (also the DESTDIR variable); users
#                   are then added to DIR/etc/passwd and DIR/etc/group when those exist, and
#                   systemctl is left alone
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
binary="$repo/.build/release/vigil"
prefix=/usr/local
destdir=${DESTDIR:-}

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
fail() { echo "install.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --binary) [ $# -ge 2 ] || fail "--binary needs a path"; binary=$2; shift 2 ;;
        --prefix) [ $# -ge 2 ] || fail "--prefix needs a directory"; prefix=$2; shift 2 ;;
        --destdir) [ $# -ge 2 ] || fail "--destdir needs a directory"; destdir=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) fail "unknown option '$1' (try --help)" ;;
    esac
done
case "$prefix" in /*) ;; *) fail "--prefix must be absolute, got '$prefix'" ;; esac
[ -x "$binary" ] || fail "no vigil executable at $binary; build one with \`swift build -c release --static-swift-stdlib\` or pass --binary PATH"
[ -z "$destdir" ] || destdir=$(mkdir -p "$destdir" && cd "$destdir" && pwd)
[ "$(id -u)" = 0 ] || [ -n "$destdir" ] || fail "run as root (or stage into --destdir DIR)"

changed=0
say() { echo "install.sh: $*"; }

# install_file SOURCE DEST MODE: copies only when the content differs, so an unchanged file
# keeps its timestamp; always sets the mode.
install_file() {
    if ! cmp -s "$1" "$destdir$2"; then
        mkdir -p "$(dirname "$destdir$2")"
        cp "$1" "$destdir$2.new" && chmod "$3" "$destdir$2.new" && mv -f "$destdir$2.new" "$destdir$2"
        say "installed $2"
        changed=1
    fi
    chmod "$3" "$destdir$2"
}

# install_config SOURCE DEST: the default configuration, only when there is none yet.
install_config() {
    if [ -e "$destdir$2" ]; then
        cmp -s "$1" "$destdir$2" || say "kept your $2 (the default is $1)"
    else
        install_file "$1" "$2" 0644
    fi
}

# make_dir DIR MODE [OWNER:GROUP]
make_dir() {
    [ -d "$destdir$1" ] || { mkdir -p "$destdir$1"; say "created $1"; changed=1; }
    chmod "$2" "$destdir$1"
    [ -z "${3:-}" ] || chown "$3" "$destdir$1"
}

# The vigil group owns the control socket and the state (members may run `vigil status`);
# the vigil user runs the default services unprivileged.
ensure_account() {
    if [ -z "$destdir" ]; then
        getent group vigil >/dev/null || { groupadd --system vigil; say "created group vigil"; changed=1; }
        getent passwd vigil >/dev/null || {
            useradd --system --gid vigil --home-dir /var/lib/vigil --no-create-home --shell /usr/sbin/nologin --comment "Vigil services" vigil
            say "created user vigil"; changed=1
        }
    elif [ -f "$destdir/etc/passwd" ] && [ -f "$destdir/etc/group" ]; then
        grep -q '^vigil:' "$destdir/etc/group" || { groupadd --prefix "$destdir" --system vigil; say "created group vigil in $destdir"; changed=1; }
        grep -q '^vigil:' "$destdir/etc/passwd" || {
            useradd --prefix "$destdir" --system --gid vigil --home-dir /var/lib/vigil --no-create-home --shell /usr/sbin/nologin --comment "Vigil services" vigil
            say "created user vigil in $destdir"; changed=1
        }
    else
        say "no etc/passwd under $destdir: create the vigil user and group when installing for real"
    fi
}

# uid:gid of vigil in the target's own user database (a staged root has its own ids).
vigil_owner() {
    uid=$(awk -F: '$1 == "vigil" { print $3 }' "$destdir/etc/passwd" 2>/dev/null)
    gid=$(awk -F: '$1 == "vigil" { print $3 }' "$destdir/etc/group" 2>/dev/null)
    [ -n "$uid" ] && [ -n "$gid" ] && echo "$uid:$gid"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ensure_account
owner=$(vigil_owner || true)

install_file "$binary" "$prefix/bin/vigil" 0755
# Completions, written by the binary itself (swift-argument-parser), where each shell looks
# under the prefix.
for shell in bash zsh fish; do
    "$binary" --generate-completion-script "$shell" > "$tmp/vigil.$shell" || fail "$binary could not write its $shell completions"
done
install_file "$tmp/vigil.bash" "$prefix/share/bash-completion/completions/vigil" 0644
install_file "$tmp/vigil.zsh" "$prefix/share/zsh/site-functions/_vigil" 0644
install_file "$tmp/vigil.fish" "$prefix/share/fish/vendor_completions.d/vigil.fish" 0644
sed "s|^ExecStart=/usr/local/bin/vigil |ExecStart=$prefix/bin/vigil |" "$repo/deploy/vigil.service" > "$tmp/vigil.service"
install_file "$tmp/vigil.service" /etc/systemd/system/vigil.service 0644

make_dir /etc/vigil 0755
make_dir /etc/vigil/manifests 0755
install_config "$repo/deploy/vigil.yaml" /etc/vigil/vigil.yaml
# The SOC engine, as in manifests/, but as the unprivileged vigil user with its database in a
# directory that user owns.
sed -e 's|^name: soc-engine$|name: soc-engine\nuser: vigil|' \
    -e 's|\${STATE_DIR}/soc-engine.db|${STATE_DIR}/soc-engine/soc-engine.db|' \
    "$repo/manifests/soc-engine.yaml" > "$tmp/soc-engine.yaml"
install_config "$tmp/soc-engine.yaml" /etc/vigil/manifests/soc-engine.yaml

# systemd creates /var/lib/vigil (StateDirectory) on start; made here too so the engine's
# directory can be owned by vigil before the first start.
make_dir /var/lib/vigil 0750 "${owner:+0:${owner#*:}}"
make_dir /var/lib/vigil/soc-engine 0750 "$owner"

if [ "$changed" = 1 ] && [ -z "$destdir" ] && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    say "systemd reloaded; start with: systemctl enable --now vigil"
elif [ -z "$destdir" ] && [ ! -d /run/systemd/system ]; then
    say "systemd is not running here (no /run/systemd/system); the unit takes effect on the next boot"
fi
[ "$changed" = 1 ] || say "nothing to change: everything is installed already"
