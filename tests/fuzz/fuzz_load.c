/* fuzz_load.c: a libFuzzer target for load_file's serializers: the first
 * byte of the input, modulo 4, picks text, json, yaml or bytes ('0' to '3'
 * in the seeds), the rest is the file, so one corpus covers all four. Any
 * file is refused with a reason or loaded without a crash; a value loaded
 * within the limits, saved again with save_file and loaded back, is the
 * same value (json and yaml values through both). No results store. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtins.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const file_types[] = {"text", "json", "yaml", "bytes"};
#define NTYPES (sizeof(file_types) / sizeof(file_types[0]))

/* the filesystem every file goes to: a directory made once per process */
static char root[64];
static struct files files;
static struct limits limits;
static struct builtin_ctx ctx = {.files = &files, .limits = &limits};

static void remove_root(void)
{
	struct dirent *de;
	DIR *d = opendir(root);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(root);
	files_free(&files);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf spec = {0}, why = {0};

	(void)argc;
	(void)argv;
	/* save_file syncs every file it writes: on tmpfs that costs nothing,
	 * so the disk does not bound the executions */
	snprintf(root, sizeof(root), "%s/flowrun-fuzz-load-XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (!mkdtemp(root)) {
		perror(root);
		abort();
	}
	buf_printf(&spec, "fuzz=%s", root);
	if (files_add(&files, spec.data, &why) != 0) {
		fprintf(stderr, "%s\n", why.data);
		abort();
	}
	buf_free(&spec);
	limits_default(&limits);
	atexit(remove_root);
	return 0;
}

/* load: load_file of filename as type; a refusal always says why */
static json_t *load(const char *filename, const char *type, struct buf *why)
{
	json_t *with = json_pack("{s:{s:s,s:s,s:s}}", "file", "filename", filename,
				 "file_type_string", type, "filesystem_identifier", "fuzz");
	json_t *v = builtin_run(&ctx, "load_file", with, why);

	json_decref(with);
	if (!v && !why->len)
		abort();
	return v;
}

/* mismatch: what a round trip changed, said before libFuzzer reports it */
static void mismatch(const char *type, const json_t *v, const json_t *back, const char *why)
{
	char *a = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	char *b = back ? json_dumps(back, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	fprintf(stderr, "round trip through %s:\n  saved  %s\n  loaded %s\n", type, a,
		b ? b : why);
	remove_root(); /* abort() runs no atexit() handler */
	abort();
}

/* round_trip: v saved with save_file as type and loaded back must be v */
static void round_trip(const json_t *v, const char *type)
{
	json_t *with = json_pack("{s:O,s:s,s:s,s:s}", "obj", v, "file_type", type, "filename", "out",
				 "filesystem_identifier", "fuzz");
	struct buf why = {0};
	json_t *rep = builtin_run(&ctx, "save_file", with, &why), *back = NULL;

	if (!rep)
		mismatch(type, v, NULL, why.data);
	back = load("out", type, &why);
	if (!back || !json_equal(v, back))
		mismatch(type, v, back, why.data);
	json_decref(back);
	json_decref(rep);
	json_decref(with);
	buf_free(&why);
}

static void write_input(const uint8_t *data, size_t size)
{
	struct buf path = {0};
	size_t done;
	int fd;

	buf_printf(&path, "%s/in", root);
	fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || util_write_all(fd, (const char *)data, size, &done) != 0) {
		perror(path.data);
		abort();
	}
	close(fd);
	buf_free(&path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *type;
	struct buf why = {0};
	json_t *v;
	char *text;

	if (size == 0)
		return 0;
	type = file_types[data[0] % NTYPES];
	write_input(data + 1, size - 1);
	v = load("in", type, &why);
	if (!v || limits_check(v, &limits, "the file", &why) != 0) {
		json_decref(v);
		buf_free(&why);
		return 0;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		abort();
	free(text);
	if (!strcmp(type, "json") || !strcmp(type, "yaml")) {
		round_trip(v, "json");
		round_trip(v, "yaml");
	} else {
		/* text as is; bytes from their base64 and back */
		round_trip(v, type);
	}
	json_decref(v);
	buf_free(&why);
	return 0;
}
