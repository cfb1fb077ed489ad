# SPDX-License-Identifier: GPL-2.0
# Sourced by the scripts that download from Debian: a private apt
# configuration under .cache/apt that sees every suite the kernel lines come
# from, without touching this machine's own apt sources, lists or status.
#
#   papt apt-get download PKG=VER     any apt command, with the private configuration
#
# MNTWATCH_MIRROR and MNTWATCH_SECURITY_MIRROR choose the mirrors.
# Needs: top (the checkout) set by the caller, and die/log functions.

apt_dir=$top/.cache/apt
mirror=${MNTWATCH_MIRROR:-http://deb.debian.org/debian}
security_mirror=${MNTWATCH_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# Written on every use, so a cache made by an older checkout takes a changed
# setting. Valid-Until is not enforced: a mirror may serve a sid or backports
# Release file past its one-week validity (seen here three weeks past), and
# its signature is still checked.
papt_setup() {
	mkdir -p "$apt_dir"/{lists/partial,cache/archives/partial,parts,prefs}
	# a file of this process's own, then renamed: kernel lines run in parallel
	cat >"$apt_dir/sources.list.$$" <<SOURCES
deb [arch=amd64] $mirror bookworm main
deb [arch=amd64] $mirror bookworm-updates main
deb [arch=amd64] $security_mirror bookworm-security main
deb [arch=amd64] $mirror bullseye main
deb [arch=amd64] $security_mirror bullseye-security main
deb [arch=amd64] $mirror trixie-backports main
deb [arch=amd64] $mirror sid main
SOURCES
	mv "$apt_dir/sources.list.$$" "$apt_dir/sources.list"
	[ -e "$apt_dir/status" ] || : >"$apt_dir/status"
	cat >"$apt_dir/apt.conf.$$" <<CONF
Dir::Etc::sourcelist "$apt_dir/sources.list";
Dir::Etc::sourceparts "$apt_dir/parts";
Dir::Etc::preferences "$apt_dir/prefs/none";
Dir::Etc::preferencesparts "$apt_dir/prefs";
Dir::State::Lists "$apt_dir/lists";
Dir::State::status "$apt_dir/status";
Dir::Cache "$apt_dir/cache";
APT::Architecture "amd64";
APT::Architectures "amd64";
Acquire::Languages "none";
Acquire::Check-Valid-Until "false";
APT::Sandbox::User "root";
CONF
	mv "$apt_dir/apt.conf.$$" "$apt_dir/apt.conf"
}

papt() { APT_CONFIG=$apt_dir/apt.conf "$@"; }

# The package lists, fetched once; papt_refresh fetches them again.
papt_lists() {
	papt_setup
	[ -e "$apt_dir/lists/.done" ] || papt_refresh
}

papt_refresh() {
	papt_setup
	log "updating the private apt lists (.cache/apt: bookworm, bullseye, trixie-backports, sid)"
	papt apt-get update -qq >&2 || die "apt-get update with .cache/apt/apt.conf failed (no network to $mirror?)"
	touch "$apt_dir/lists/.done"
}
