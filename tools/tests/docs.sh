#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The documentation against what it documents: the README stays a newcomer's
# page, every relative link and every ("FILE.md", "Section") reference
# resolves, mntwatch.8 renders without a warning and names exactly the
# commands, options and columns the tool has, and module/README.md exactly
# the debugfs files, columns and status keys the module prints. TAP lines are
# numbered from $TAP_START; exits 1 if any test failed.
set -u
cd "$(dirname "$0")/../.."
n=$((${TAP_START:-1} - 1))
failed=0
bin=tools/mntwatch
man=tools/mntwatch.8
mod=module/README.md
readme_max=250

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	shift; for l in "$@"; do echo "#   $l"; done
}

# same NAME DOCUMENTED REAL: two newline-separated sets must be equal
same() {
	local name=$1 only_doc only_real
	only_doc=$(comm -23 <(sort -u <<<"$2") <(sort -u <<<"$3") | tr '\n' ' ')
	only_real=$(comm -13 <(sort -u <<<"$2") <(sort -u <<<"$3") | tr '\n' ' ')
	if [ -z "$3" ]; then
		not_ok "$name" "nothing found on the real side: has the source moved?"
	elif [ -z "$only_doc$only_real" ]; then
		ok "$name"
	else
		not_ok "$name" "documented, not real: ${only_doc:--}" "real, not documented: ${only_real:--}"
	fi
}

# GitHub's anchor of each heading of a Markdown file
anchors() {
	grep -E '^#{1,6} ' "$1" | sed -E 's/^#+ //' | tr 'A-Z' 'a-z' |
		sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# headings of a Markdown file, as written
headings() { grep -E '^#{1,6} ' "$1" | sed -E 's/^#+ //; s/`//g'; }

mds=$(git ls-files -co --exclude-standard -- '*.md' | grep -v '^tools/tests/fixtures/')

lines=$(wc -l <README.md)
if [ "$lines" -le $readme_max ]; then
	ok "README.md is $lines lines, at most $readme_max"
else
	not_ok "README.md is $lines lines, at most $readme_max" "move the details next to what they document"
fi

bad=()
for md in $mds; do
	dir=$(dirname "$md")
	while IFS= read -r link; do
		target=${link%%#*} anchor=
		[ "$target" != "$link" ] && anchor=${link#*#}
		path=$dir/$target
		[ -z "$target" ] && path=$md
		if [ ! -e "$path" ]; then
			bad+=("$md: $link: no such file")
		elif [ -n "$anchor" ] && ! anchors "$path" | grep -qxF -- "$anchor"; then
			bad+=("$md: $link: no such heading")
		fi
	done < <(grep -oE '\]\([^)]+\)' "$md" | sed -E 's/^\]\(//; s/\)$//' | grep -vE '^[a-z]+:')
done
if [ ${#bad[@]} = 0 ]; then
	ok "every relative link of the .md files resolves"
else
	not_ok "every relative link of the .md files resolves" "${bad[@]}"
fi

# (FILE.md, "Section") in sources and comments; see "Section" inside a .md
bad=()
while IFS=: read -r file ref; do
	doc=$(sed -E 's/^\(?([A-Za-z/]*README\.md).*/\1/' <<<"$ref")
	section=$(sed -E 's/.*"([^"\\]+)\\?"$/\1/' <<<"$ref")
	[ -e "$doc" ] && headings "$doc" | grep -qxF -- "$section" ||
		bad+=("$file: $doc has no section \"$section\"")
done < <(git grep -oE '[A-Za-z/]*README\.md,? \\?"[^"\\]+\\?"' -- . ':!*.md' ':!tools/tests/fixtures' ':!tools/tests/docs.sh')
for md in $mds; do
	while IFS= read -r section; do
		headings "$md" | grep -qxF -- "$section" || bad+=("$md: no section \"$section\"")
	done < <(grep -oE 'see "[^"]+"' "$md" | sed -E 's/^see "//; s/"$//')
done
if [ ${#bad[@]} = 0 ]; then
	ok "every (README.md, \"Section\") reference names a section that exists"
else
	not_ok "every (README.md, \"Section\") reference names a section that exists" "${bad[@]}"
fi

if [ ! -x $bin ]; then
	not_ok "tools/mntwatch is built" "make -C tools first"
	echo "# $failed failed"
	exit 1
fi

# The man page's section $1, up to the next .SH
man_section() { awk -v s=".SH $1" '$0 == s { on = 1; next } /^\.SH/ { on = 0 } on' $man; }

if ! command -v groff >/dev/null; then
	not_ok "mntwatch.8 renders without a warning" "no groff: Debian package groff-base (make deps)"
elif warn=$(groff -man -Tutf8 -ww -z $man 2>&1) && [ -z "$warn" ]; then
	ok "mntwatch.8 renders without a warning"
else
	not_ok "mntwatch.8 renders without a warning" "$warn"
fi

help=$($bin --help)
same "mntwatch.8 COMMANDS are mntwatch --help's commands" \
	"$(man_section COMMANDS | awk 'prev == ".TP" { print $2 } { prev = $0 }')" \
	"$(sed -nE 's/^  ([a-z]+) {2,}.*/\1/p' <<<"$help")"
same "mntwatch.8 OPTIONS are mntwatch --help's options" \
	"$(man_section OPTIONS | awk 'prev == ".TP" { print } { prev = $0 }' |
		sed 's/\\-/-/g' | grep -oE '(^|[ "])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' "')" \
	"$(grep -E '^ +-' <<<"$help" | grep -oE '(^|[ ,/])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,/')"

# The COLUMNS section's list for command $1: from "Of .BR $1 :" to the next "Of"
man_columns() {
	man_section COLUMNS | awk -v c="$1" '
		/^\.PP/ { on = 0 }
		prev == "Of" { on = ($0 == ".BR " c " :"); prev = ""; next }
		{ prev = $0 }
		on && /^\.BR? [A-Z]/ { print $2 }' | sed 's/\\-/-/g'
}
for cmd in ns events loops; do
	same "mntwatch.8 COLUMNS of $cmd are mntwatch $cmd --list-columns" \
		"$(man_columns $cmd)" "$($bin $cmd --list-columns | awk '{ print $1 }')"
done

# module/README.md: a "### `FILE`: ..." section per debugfs file, with a
# "| `column` |" row per column the module prints in its header line
mod_section() {
	awk -v h="### \`$1\`:" 'index($0, h) == 1 { on = 1; next } /^##/ { on = 0 } on' $mod
}
same "module/README.md documents the debugfs files the module makes" \
	"$(sed -nE 's/^### `([a-z_]+)`:.*/\1/p' $mod)" \
	"$(grep -hoE '\{ "[a-z_]+", &mw_[a-z_]+_fops \}' module/*.c | sed -E 's/\{ "([a-z_]+)".*/\1/')"
# the header line the module prints is its table's list in module/schema.h
header() { sed -nE "s/^MW_$(tr a-z A-Z <<<"$1")_COL\(([a-z_]+),.*/\1/p" module/schema.h; }
for t in "namespaces:ns mounts" "events:time pid" "growth:ns time"; do
	same "module/README.md's $t columns are the module's header" \
		"$(mod_section "${t%%:*}" | sed -nE 's/^\| `([a-z_]+)` \|.*/\1/p')" \
		"$(header "${t%%:*}")"
done
# status keys: "key %..." at the start of a format line; offset_%s is offset_*
same "module/README.md's status keys are the keys the module prints" \
	"$(mod_section status | grep -oE '`[a-z][a-z0-9_]*_[a-z0-9_*]*`|`(version|format|kernel|btf)`' | tr -d '`' |
		while read -r key; do
			# offset_FIELD is a line of offset_*, FIELD a field the module names
			field=${key#offset_}
			[ "$field" != "$key" ] && [ "$field" != '*' ] &&
				grep -q "\"$field\"" module/*.c && key='offset_*'
			echo "$key"
		done)" \
	"$(grep -hE 'seq_printf\(m, "' module/*.c | sed -E 's/.*seq_printf\(m, "([^"]*)".*/\1/' |
		sed 's/\\n/\n/g' | sed -nE 's/^([a-z][a-z0-9_]*) %.*/\1/p; s/^offset_%s .*/offset_*/p')"

echo "# docs: $failed failed"
[ $failed = 0 ]
