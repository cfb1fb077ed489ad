// SPDX-License-Identifier: GPL-2.0
/*
 * Field offsets of the kernel's private mount structures, read by name from
 * raw BTF. Every access is bounds-checked: the blob comes from a file path
 * a user can change, so a truncated or foreign file must fail, not fault.
 */
#include <linux/errno.h>
#ifdef __KERNEL__
#include <linux/string.h>
#include <uapi/linux/btf.h>
#else
#include <string.h>
#include <linux/btf.h>
#endif
#include "btf.h"
#include "compat.h"

#define MW_BTF_MAX_DEPTH 8

const struct mw_field_desc mw_fields[MW_NR_FIELDS] = {
	[MW_NS_INUM] = { "ns_inum", "mnt_namespace", { "ns.inum" }, 4 },
	/* 6.1..6.17 keep a sequence number; later kernels an ns_id */
	[MW_NS_SERIAL] = { "ns_serial", "mnt_namespace",
			   { "seq", "ns.ns_id" }, 8 },
	/* renamed when the mounts of a namespace became an rbtree (6.8) */
	[MW_NS_MOUNTS] = { "ns_mounts", "mnt_namespace",
			   { "mounts", "nr_mounts" }, 4 },
	[MW_NS_PENDING] = { "ns_pending", "mnt_namespace",
			    { "pending_mounts" }, 4 },
	[MW_MNT_PARENT] = { "mnt_parent", "mount", { "mnt_parent" }, 8 },
	[MW_MNT_MOUNTS] = { "mnt_mounts", "mount", { "mnt_mounts" }, 16 },
	[MW_MNT_CHILD] = { "mnt_child", "mount", { "mnt_child" }, 16 },
	[MW_PROC_VFS_INODE] = { "proc_vfs_inode", "proc_inode",
				{ "vfs_inode" }, 0 },
	[MW_PROC_SYSCTL_ENTRY] = { "proc_sysctl_entry", "proc_inode",
				   { "sysctl_entry" }, 8 },
	[MW_NS_UCOUNTS] = { "ns_ucounts", "mnt_namespace", { "ucounts" }, 8 },
};

static const char *btf_str(const struct mw_btf *btf, __u32 off)
{
	if (off >= btf->strings_len)
		return NULL;
	/* the section ends with a NUL, so every string is terminated */
	return btf->strings + off;
}

/* Bytes taken by a type record and the data that follows it. */
static __u32 btf_rec_size(const struct btf_type *t)
{
	__u32 vlen = BTF_INFO_VLEN(t->info);
	__u32 size = sizeof(*t);

	switch (BTF_INFO_KIND(t->info)) {
	case BTF_KIND_INT:
	case BTF_KIND_VAR:
	case MW_BTF_KIND_DECL_TAG:
		return size + sizeof(__u32);
	case BTF_KIND_PTR:
	case BTF_KIND_FWD:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case MW_BTF_KIND_FLOAT:
	case MW_BTF_KIND_TYPE_TAG:
		return size;
	case BTF_KIND_ARRAY:
		return size + sizeof(struct btf_array);
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		return size + vlen * sizeof(struct btf_member);
	case BTF_KIND_ENUM:
		return size + vlen * sizeof(struct btf_enum);
	case MW_BTF_KIND_ENUM64:
		return size + vlen * MW_BTF_ENUM64_SIZE;
	case BTF_KIND_FUNC_PROTO:
		return size + vlen * sizeof(struct btf_param);
	case BTF_KIND_DATASEC:
		return size + vlen * sizeof(struct btf_var_secinfo);
	}
	return 0;
}

/* Walks the type section; returns the record at @pos or NULL at the end. */
static const struct btf_type *btf_rec(const struct mw_btf *btf, __u32 pos)
{
	const struct btf_type *t;
	__u32 size;

	if (pos + sizeof(*t) > btf->types_len)
		return NULL;
	t = (const struct btf_type *)(btf->types + pos);
	size = btf_rec_size(t);
	if (!size || size > btf->types_len - pos)
		return NULL;
	return t;
}

static const struct btf_type *btf_type(const struct mw_btf *btf, __u32 id)
{
	const struct btf_type *t;
	__u32 pos = 0, cur;

	if (!id)
		return NULL;
	for (cur = 1; (t = btf_rec(btf, pos)); cur++, pos += btf_rec_size(t))
		if (cur == id)
			return t;
	return NULL;
}

static const struct btf_type *btf_find(const struct mw_btf *btf,
				       const char *name, __u32 kind)
{
	const struct btf_type *t;
	const char *tname;
	__u32 pos = 0;

	for (; (t = btf_rec(btf, pos)); pos += btf_rec_size(t)) {
		if (BTF_INFO_KIND(t->info) != kind)
			continue;
		tname = btf_str(btf, t->name_off);
		if (tname && !strcmp(tname, name))
			return t;
	}
	return NULL;
}

/* Follows typedefs and qualifiers to the type that has a layout. */
static const struct btf_type *btf_strip(const struct mw_btf *btf, __u32 id)
{
	const struct btf_type *t = btf_type(btf, id);
	int depth;

	for (depth = 0; t && depth < MW_BTF_MAX_DEPTH; depth++) {
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_TYPEDEF:
		case BTF_KIND_VOLATILE:
		case BTF_KIND_CONST:
		case BTF_KIND_RESTRICT:
		case MW_BTF_KIND_TYPE_TAG:
			t = btf_type(btf, t->type);
			break;
		default:
			return t;
		}
	}
	return NULL;
}

static int btf_is_composite(const struct btf_type *t)
{
	return t && (BTF_INFO_KIND(t->info) == BTF_KIND_STRUCT ||
		     BTF_INFO_KIND(t->info) == BTF_KIND_UNION);
}

/*
 * An array's size is its element's times its length, and a crafted file may
 * make an array of itself: past MW_BTF_MAX_DEPTH nested arrays the size is 0,
 * which no field accepts.
 */
static __u64 btf_size_of(const struct mw_btf *btf, const struct btf_type *t)
{
	const struct btf_array *arr;
	__u64 nelems = 1;
	int depth;

	for (depth = 0; t && depth < MW_BTF_MAX_DEPTH; depth++) {
		switch (BTF_INFO_KIND(t->info)) {
		case BTF_KIND_PTR:
			return nelems * sizeof(void *);
		case BTF_KIND_ARRAY:
			arr = (const struct btf_array *)(t + 1);
			nelems *= arr->nelems;
			t = btf_strip(btf, arr->type);
			break;
		default:
			return nelems * t->size;
		}
	}
	return 0;
}

/*
 * Finds @name among the members of @t, looking inside anonymous structs and
 * unions as C does. Returns the bit offset through @bits.
 */
static const struct btf_member *btf_member(const struct mw_btf *btf,
					   const struct btf_type *t,
					   const char *name, __u32 *bits,
					   int depth)
{
	const struct btf_member *m = (const struct btf_member *)(t + 1);
	const struct btf_member *found;
	const struct btf_type *anon;
	__u32 i, off, inner;
	const char *mname;

	if (depth > MW_BTF_MAX_DEPTH)
		return NULL;
	for (i = 0; i < BTF_INFO_VLEN(t->info); i++, m++) {
		off = BTF_INFO_KFLAG(t->info) ? BTF_MEMBER_BIT_OFFSET(m->offset)
					      : m->offset;
		if (BTF_INFO_KFLAG(t->info) &&
		    BTF_MEMBER_BITFIELD_SIZE(m->offset))
			continue;
		mname = btf_str(btf, m->name_off);
		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			*bits = off;
			return m;
		}
		anon = btf_strip(btf, m->type);
		if (!btf_is_composite(anon))
			continue;
		found = btf_member(btf, anon, name, &inner, depth + 1);
		if (found) {
			*bits = off + inner;
			return found;
		}
	}
	return NULL;
}

int mw_btf_init(struct mw_btf *btf, const void *data, __u64 size)
{
	const struct btf_header *hdr = data;
	__u64 types_end, strings_end;

	if (size < sizeof(*hdr) || hdr->magic != BTF_MAGIC ||
	    hdr->version != BTF_VERSION || hdr->hdr_len > size)
		return -EBADMSG;
	types_end = (__u64)hdr->hdr_len + hdr->type_off + hdr->type_len;
	strings_end = (__u64)hdr->hdr_len + hdr->str_off + hdr->str_len;
	if (types_end > size || strings_end > size || !hdr->str_len)
		return -EBADMSG;
	btf->types = (const __u8 *)data + hdr->hdr_len + hdr->type_off;
	btf->types_len = hdr->type_len;
	btf->strings = (const char *)data + hdr->hdr_len + hdr->str_off;
	btf->strings_len = hdr->str_len;
	if (btf->strings[btf->strings_len - 1])
		return -EBADMSG;
	return 0;
}

int mw_btf_member(const struct mw_btf *btf, const char *type_name,
		  const char *path, __u32 *offset, __u32 *size)
{
	const struct btf_type *t = btf_find(btf, type_name, BTF_KIND_STRUCT);
	const struct btf_member *m = NULL;
	char part[64];
	const char *dot;
	__u32 bits, total = 0;
	size_t len;

	while (t && *path) {
		if (!btf_is_composite(t))
			return -EINVAL;
		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		if (len >= sizeof(part))
			return -EINVAL;
		memcpy(part, path, len);
		part[len] = '\0';
		m = btf_member(btf, t, part, &bits, 0);
		if (!m)
			return -ENOENT;
		if (bits % 8)
			return -EINVAL;
		total += bits / 8;
		t = btf_strip(btf, m->type);
		path += len + (dot ? 1 : 0);
	}
	if (!t || !m)
		return -ENOENT;
	*offset = total;
	*size = (__u32)btf_size_of(btf, t);
	return 0;
}

int mw_btf_resolve(const struct mw_btf *btf, enum mw_field field,
		   __u32 *offset, const char **path)
{
	const struct mw_field_desc *desc = &mw_fields[field];
	__u32 size;
	int i, found, err = -ENOENT;

	/* a name can live on with another type: 6.8 made "mounts" an rbtree */
	for (i = 0; i < 3 && desc->paths[i]; i++) {
		found = mw_btf_member(btf, desc->type, desc->paths[i], offset,
				      &size);
		if (!found && desc->size && size != desc->size)
			found = -EINVAL;
		if (!found) {
			*path = desc->paths[i];
			return 0;
		}
		if (found != -ENOENT)
			err = found;
	}
	return err;
}

static int btf_ptr_to(const struct mw_btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = btf_strip(btf, id);
	const char *tname;

	if (!t || BTF_INFO_KIND(t->info) != BTF_KIND_PTR)
		return 0;
	t = btf_strip(btf, t->type);
	tname = t ? btf_str(btf, t->name_off) : NULL;
	return tname && !strcmp(tname, name);
}

/*
 * The probe reads the return value as an int and the arguments as
 * (namespace, tree); a kernel whose count_mounts() differs must be refused.
 */
int mw_btf_check_count_mounts(const struct mw_btf *btf, const char *func)
{
	const struct btf_type *fn = btf_find(btf, func, BTF_KIND_FUNC);
	const struct btf_type *proto, *ret;
	const struct btf_param *params;
	__u32 enc;

	if (!fn)
		return -ENOENT;
	proto = btf_type(btf, fn->type);
	if (!proto || BTF_INFO_KIND(proto->info) != BTF_KIND_FUNC_PROTO ||
	    BTF_INFO_VLEN(proto->info) != 2)
		return -EINVAL;
	ret = btf_strip(btf, proto->type);
	if (!ret || BTF_INFO_KIND(ret->info) != BTF_KIND_INT || ret->size != 4)
		return -EINVAL;
	enc = *(const __u32 *)(ret + 1);
	if (!(BTF_INT_ENCODING(enc) & BTF_INT_SIGNED))
		return -EINVAL;
	params = (const struct btf_param *)(proto + 1);
	if (!btf_ptr_to(btf, params[0].type, "mnt_namespace") ||
	    !btf_ptr_to(btf, params[1].type, "mount"))
		return -EINVAL;
	return 0;
}

/*
 * The namespace probes read one pointer argument of @func by position;
 * -EINVAL when BTF says it is not a struct @type_name pointer.
 */
int mw_btf_check_arg(const struct mw_btf *btf, const char *func, __u32 index,
		     const char *type_name)
{
	const struct btf_type *fn = btf_find(btf, func, BTF_KIND_FUNC);
	const struct btf_type *proto;
	const struct btf_param *params;

	if (!fn)
		return -ENOENT;
	proto = btf_type(btf, fn->type);
	if (!proto || BTF_INFO_KIND(proto->info) != BTF_KIND_FUNC_PROTO ||
	    BTF_INFO_VLEN(proto->info) <= index)
		return -EINVAL;
	params = (const struct btf_param *)(proto + 1);
	return btf_ptr_to(btf, params[index].type, type_name) ? 0 : -EINVAL;
}
