/* main.c: the flowc command line: sub-commands, options, exit codes. It
 * parses arguments and prints; the work is done by the driver. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "driver.h"
#include "value.h"
#include "version.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
	"usage: flowc <command> [options] [FILE...]\n"
	"\n"
	"commands:\n"
	"  check [-I DIR]... [--strict] [--diagnostics=text|json|sarif]\n"
	"        [--list-params] FILE...\n"
	"                  check flow specs and flows of flows; report every problem\n"
	"  explain [CODE]  describe a diagnostic code (E0203, or its name); without\n"
	"                  CODE, list every code\n"
	"\n"
	"options:\n"
	"  -I DIR          also load every *.yaml and *.yml file of DIR (repeatable)\n"
	"  --strict        warn where a value of type 'any' is used where a type is\n"
	"                  expected (it is then checked only at run time)\n"
	"  --diagnostics=FORMAT\n"
	"                  text (default, on standard error), json or sarif (SARIF\n"
	"                  2.1.0), both on standard output\n"
	"  --list-params   when there is no error, print the parameters a run needs:\n"
	"                  name, type, and default or 'required'\n"
	"  -h, --help      show this help\n"
	"  --version       show the version\n"
	"\n"
	"exit status: 0 no errors, 1 the specs have errors, 2 usage error or\n"
	"unreadable input\n";

static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "flowc: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'flowc --help' for more information.\n");
	exit(EXIT_USAGE);
}

/* One row of --list-params. */
struct param_row {
	char *name;        /* composed or plain name, owned */
	const char *type;  /* canonical type text, owned */
	char *deflt;       /* compact JSON of the default, owned; NULL when required */
};

static void add_row(struct param_row **rows, size_t *n, size_t *cap, const char *prefix,
		    const struct spec_param *p)
{
	struct param_row r;
	struct buf b = {0};

	buf_printf(&b, "%s%s", prefix, p->name);
	r.name = buf_steal(&b);
	if (p->t)
		type_print(&b, p->t);
	else
		buf_puts(&b, "?");
	r.type = buf_steal(&b);
	r.deflt = NULL;
	if (p->deflt) {
		json_t *v = value_json(p->deflt);

		r.deflt = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		json_decref(v);
	}
	VEC_PUSH(*rows, *n, *cap, r);
}

static void print_rows(const char *title, struct param_row *rows, size_t n)
{
	size_t wname = 0, wtype = 0, i;

	for (i = 0; i < n; i++) {
		if (strlen(rows[i].name) > wname)
			wname = strlen(rows[i].name);
		if (strlen(rows[i].type) > wtype)
			wtype = strlen(rows[i].type);
	}
	printf("%s: %zu parameter%s\n", title, n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		printf("  %-*s  %-*s  %s%s\n", (int)wname, rows[i].name, (int)wtype, rows[i].type,
		       rows[i].deflt ? "default " : "required", rows[i].deflt ? rows[i].deflt : "");
		free(rows[i].name);
		free((char *)rows[i].type);
		free(rows[i].deflt);
	}
}

static int is_given(const struct driver *d, const struct ynode *node)
{
	size_t i;

	for (i = 0; i < d->nfiles; i++)
		if (d->files[i]->given && d->files[i]->yaml.path == node->loc.file)
			return 1;
	return 0;
}

/* list_params: the parameters a user passes to run what the given files
 * define: the composed parameters of each flow of flows, or, in a file
 * without one, each flow's own */
static void list_params(const struct driver *d)
{
	struct param_row *rows = NULL;
	size_t n, cap = 0, i, j, k, nfofs = 0;
	char title[512];

	for (i = 0; i < d->set.nfofs; i++) {
		const struct spec_fof *fof = d->set.fofs[i];

		if (!is_given(d, fof->head.node))
			continue;
		n = 0;
		for (j = 0; j < fof->nentries; j++) {
			const struct spec_entry *e = &fof->entries[j];
			char prefix[300];

			snprintf(prefix, sizeof(prefix), "%s-", e->name);
			for (k = 0; e->flow && k < e->flow->nparams; k++)
				if (!spec_is_mapped(e, e->flow->params[k].name))
					add_row(&rows, &n, &cap, prefix, &e->flow->params[k]);
		}
		snprintf(title, sizeof(title), "%s (project %s)", fof->head.name, fof->head.project);
		print_rows(title, rows, n);
		nfofs++;
	}
	for (i = 0; !nfofs && i < d->set.nflows; i++) {
		const struct spec_flow *f = d->set.flows[i];

		if (!is_given(d, f->head.node))
			continue;
		n = 0;
		for (k = 0; k < f->nparams; k++)
			add_row(&rows, &n, &cap, "", &f->params[k]);
		snprintf(title, sizeof(title), "%s (project %s)", f->head.name, f->head.project);
		print_rows(title, rows, n);
	}
	free(rows);
}

static int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"strict", no_argument, NULL, 's'},
		{"diagnostics", required_argument, NULL, 'd'},
		{"list-params", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum diag_format format = DIAG_TEXT;
	struct driver d = {0};
	const char **dirs = NULL;
	size_t ndirs = 0, dircap = 0, i;
	int c, status, params = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "I:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'I':
			VEC_PUSH(dirs, ndirs, dircap, optarg);
			break;
		case 's':
			d.strict = 1;
			break;
		case 'd':
			if (strcmp(optarg, "text") == 0)
				format = DIAG_TEXT;
			else if (strcmp(optarg, "json") == 0)
				format = DIAG_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				format = DIAG_SARIF;
			else
				usage_error("unknown diagnostics format '%s' (text, json or sarif)", optarg);
			break;
		case 'l':
			params = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(EXIT_OK);
		default:
			usage_error("%s", "invalid option");
		}
	}
	if (optind >= argc)
		usage_error("%s", "check needs at least one FILE");
	for (i = (size_t)optind; i < (size_t)argc; i++)
		if (driver_add_file(&d, argv[i], 1) < 0)
			fatal("cannot read '%s': %s", argv[i], strerror(errno));
	for (i = 0; i < ndirs; i++) {
		char *bad;

		if (driver_add_dir(&d, dirs[i], &bad) < 0)
			fatal("cannot read '%s': %s", bad, strerror(errno));
	}
	driver_check(&d);
	diag_sort(&d.ds);
	diag_print(&d.ds, format, format == DIAG_TEXT ? stderr : stdout);
	status = d.ds.nerrors ? EXIT_ERRORS : EXIT_OK;
	if (params && status == EXIT_OK)
		list_params(&d);
	driver_free(&d);
	free(dirs);
	return status;
}

static int cmd_explain(int argc, char **argv)
{
	int code;

	if (argc == 1) {
		diag_list(stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		usage_error("%s", "explain takes one CODE, such as E0203");
	code = diag_lookup(argv[1]);
	if (code < 0)
		usage_error("no diagnostic code '%s'", argv[1]);
	diag_explain((enum diag_code)code, stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	util_progname = "flowc";
	if (argc < 2)
		usage_error("%s", "no command given");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("flowc %s\n", FLOW_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);
	usage_error("unknown command '%s' (commands: check, explain)", argv[1]);
	return EXIT_USAGE;
}
