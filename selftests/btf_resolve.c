// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the module's BTF resolver against a BTF file on the host and prints
 * what the module would use: "<field> <offset> <type>.<member path>" lines,
 * then "count_mounts <verdict>". Exit status 1 if anything is unresolved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../module/btf.h"

static void *read_file(const char *path, size_t *size)
{
	size_t cap = 1 << 20, len = 0, got;
	char *buf = malloc(cap);
	FILE *f = fopen(path, "rb");

	if (!f || !buf) {
		free(buf);
		if (f)
			fclose(f);
		return NULL;
	}
	while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap) {
			char *bigger = realloc(buf, cap *= 2);

			if (!bigger) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = bigger;
		}
	}
	fclose(f);
	*size = len;
	return buf;
}

int main(int argc, char **argv)
{
	struct mw_btf btf;
	const char *path;
	unsigned int offset;
	int field, err, status = 0;
	size_t size;
	void *data;

	if (argc != 2) {
		fprintf(stderr, "usage: btf_resolve BTF-FILE\n");
		return 2;
	}
	data = read_file(argv[1], &size);
	if (!data) {
		fprintf(stderr, "btf_resolve: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = mw_btf_init(&btf, data, size);
	if (err) {
		fprintf(stderr, "btf_resolve: %s: not BTF (%s)\n", argv[1],
			strerror(-err));
		free(data);
		return 1;
	}
	for (field = 0; field < MW_NR_FIELDS; field++) {
		err = mw_btf_resolve(&btf, field, &offset, &path);
		if (err) {
			printf("%s - %s\n", mw_fields[field].name, strerror(-err));
			status = 1;
			continue;
		}
		printf("%s %u %s.%s\n", mw_fields[field].name, offset,
		       mw_fields[field].type, path);
	}
	err = mw_btf_check_count_mounts(&btf, "count_mounts");
	printf("count_mounts %s\n", err == -ENOENT ? "absent" :
	       err ? "mismatch" : "int(struct mnt_namespace *, struct mount *)");
	free(data);
	return status || err;
}
