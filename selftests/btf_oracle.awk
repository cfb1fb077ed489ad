# Independent oracle for the module's BTF resolver: reads `bpftool btf dump
# file F format raw` once and prints "TYPE.PATH OFFSET" for each query, the
# byte offset of TYPE.PATH ("-" where there is none), where PATH is a
# dot-separated member path that may pass through anonymous members.
# usage: bpftool ... | awk -v queries="mnt_namespace.ns.inum mount.mnt_parent" -f btf_oracle.awk
/^\[[0-9]+\] / {
	id = substr($1, 2, length($1) - 2)
	kind[id] = $2
	name[id] = $3
	gsub("'", "", name[id])
	ref = $0
	ref_id[id] = (sub(/.*type_id=/, "", ref) ? ref + 0 : 0)
	nmem[id] = 0
	cur = id
	next
}
/^\t'/ {
	m = ++nmem[cur]
	mname[cur, m] = $1
	gsub("'", "", mname[cur, m])
	t = $2; sub("type_id=", "", t); mtype[cur, m] = t
	b = $3; sub("bits_offset=", "", b); sub(/ .*/, "", b); mbits[cur, m] = b
}
function strip(id) {
	while (kind[id] == "TYPEDEF" || kind[id] == "CONST" || kind[id] == "VOLATILE" || kind[id] == "RESTRICT" || kind[id] == "TYPE_TAG")
		id = ref_id[id]
	return id
}
# bit offset of member @want in struct @id, searching anonymous members; -1 if absent
function find(id, want,    m, r) {
	for (m = 1; m <= nmem[id]; m++) {
		if (mname[id, m] == want) { found_type = mtype[id, m]; return mbits[id, m] }
		if (mname[id, m] == "(anon)") {
			r = find(strip(mtype[id, m]), want)
			if (r >= 0) return mbits[id, m] + r
		}
	}
	return -1
}
# byte offset of TYPE.PATH, or "-"
function offset(type, path,    id, start, n, parts, bits, cur, i, r) {
	for (id in kind)
		if (kind[id] == "STRUCT" && name[id] == type && nmem[id] > 0) { start = id; break }
	if (!start) return "-"
	n = split(path, parts, ".")
	bits = 0; cur = start
	for (i = 1; i <= n; i++) {
		r = find(cur, parts[i])
		if (r < 0) return "-"
		bits += r
		cur = strip(found_type)
	}
	return bits / 8
}
END {
	n = split(queries, q, " ")
	for (i = 1; i <= n; i++) {
		dot = index(q[i], ".")
		print q[i], offset(substr(q[i], 1, dot - 1), substr(q[i], dot + 1))
	}
}
