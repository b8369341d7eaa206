/* main.c: the flowc command line: sub-commands, options, exit codes. It
 * parses arguments and prints; the work is done by the driver. */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bundle.h"
#include "comp.h"
#include "diag.h"
#include "driver.h"
#include "graph.h"
#include "emit.h"
#include "output.h"
#include "value.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

#define COMMON_OPTIONS \
	"  -I DIR          also load every *.yaml and *.yml file of DIR (repeatable)\n" \
	"  --strict        warn where a value of type 'any' is used where a type is\n" \
	"                  expected (it is then checked only at run time)\n" \
	"  --diagnostics=FORMAT\n" \
	"                  text (default, on standard error), json or sarif (SARIF\n" \
	"                  2.1.0), both on standard output\n" \
	"  --color=WHEN    colour text diagnostics: auto (default: on a terminal,\n" \
	"                  unless NO_COLOR is set), always or never\n"
#define EXIT_TEXT \
	"exit status: 0 no errors, 1 the specs have errors, 2 usage error or\n" \
	"unreadable input\n"

static const char check_help[] =
	"usage: flowc check [options] FILE...\n"
	"\n"
	"Checks flow specs and flows of flows and reports every problem.\n"
	"\n"
	"options:\n"
	COMMON_OPTIONS
	"  --list-params   when there is no error, print the parameters a run needs:\n"
	"                  name, type, and default or 'required'\n"
	"\n"
	EXIT_TEXT;

static const char compile_help[] =
	"usage: flowc compile|graph [options] FILE...\n"
	"\n"
	"Checks, then writes the execution plan (compile) or the flow of flows as\n"
	"Graphviz DOT (graph) of the flow of flows the files define, or of their one\n"
	"flow composed alone.\n"
	"\n"
	"options:\n"
	COMMON_OPTIONS
	"  -o, --output FILE\n"
	"                  write there (replaced only once complete) instead of\n"
	"                  standard output\n"
	"  --flow NAME     the flow of flows (or, when the files define none, the\n"
	"                  flow) to compile, when several are loaded\n"
	"  --bundle OUT    (compile) write a deployable plan to OUT: the plan with\n"
	"                  the local files its tasks run (each 'run' argument that\n"
	"                  names a file next to its spec, and each file a flow's\n"
	"                  'bundle' lists) inside it, each with its SHA-256\n"
	"\n"
	EXIT_TEXT;

static const char explain_help[] =
	"usage: flowc explain [CODE]\n"
	"\n"
	"Describes a diagnostic code (E0203, or its name such as param-not-in-flow);\n"
	"without CODE, lists every code.\n";

static const char usage_text[] =
	"usage: flowc <command> [options] [FILE...]\n"
	"\n"
	"commands:\n"
	"  check FILE...   check flow specs and flows of flows; report every problem\n"
	"  compile FILE... check, then write the execution plan\n"
	"  graph FILE...   check, then write the flow of flows as Graphviz DOT\n"
	"  explain [CODE]  describe a diagnostic code, or list them all\n"
	"\n"
	"`flowc COMMAND --help` shows a command's options.\n"
	"\n"
	"  -h, --help      show this help\n"
	"  --version       show the version\n"
	"\n"
	EXIT_TEXT;

static const struct spec_fof *one_flow(struct spec_flow *f, struct spec_fof *fof,
				       struct spec_entry *e, struct arena *a);

/* One row of --list-params. */
struct param_row {
	char *name;        /* composed or plain name, owned */
	const char *type;  /* canonical type text, owned */
	char *deflt;       /* compact JSON of the default, owned; NULL when required */
};

/* add_rows: the composed parameters of fof, as its plan lists them, their
 * defaults as written (a mapping's keys in their order) */
static void add_rows(struct param_row **rows, size_t *n, size_t *cap, const struct spec_fof *fof)
{
	json_t *plan = emit_plan(fof, NULL, NULL), *params = json_object_get(plan, "params"), *p;
	const struct comp *c = fof->comp;
	struct strmap byname = {0}; /* composed parameter name -> index + 1 */
	size_t i;

	for (i = 0; i < c->nparams; i++)
		strmap_put(&byname, c->params[i].name, strlen(c->params[i].name),
			   (void *)(uintptr_t)(i + 1));
	json_array_foreach(params, i, p) {
		struct param_row r;
		json_t *d = json_object_get(p, "default");
		uintptr_t k;

		r.name = xstrdup(json_string_value(json_object_get(p, "name")));
		r.type = xstrdup(json_string_value(json_object_get(p, "type")));
		k = (uintptr_t)strmap_get(&byname, r.name, strlen(r.name));
		r.deflt = d ? value_text(c->params[k - 1].param->deflt) : NULL;
		VEC_PUSH(*rows, *n, *cap, r);
	}
	strmap_free(&byname);
	json_decref(plan);
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
		if (d->files[i]->given && d->files[i]->yaml.path == yn_loc(node).file)
			return 1;
	return 0;
}

/* list_params: the parameters a user passes to run what the given files
 * define, in the order of their plans: the composed parameters of each
 * flow of flows (nested ones flattened), or, in a file without one, each
 * flow's own, composed alone */
static void list_params(const struct driver *d)
{
	struct param_row *rows = NULL;
	size_t n, cap = 0, i, nfofs = 0;
	char title[512];

	for (i = 0; i < d->set.nfofs; i++) {
		const struct spec_fof *fof = d->set.fofs[i];

		if (!is_given(d, fof->head.node))
			continue;
		n = 0;
		add_rows(&rows, &n, &cap, fof);
		snprintf(title, sizeof(title), "%s (project %s)", fof->head.name, fof->head.project);
		print_rows(title, rows, n);
		nfofs++;
	}
	for (i = 0; !nfofs && i < d->set.nflows; i++) {
		struct spec_flow *f = d->set.flows[i];
		struct spec_fof alone;
		struct spec_entry entry;
		struct arena a = {0};

		if (!is_given(d, f->head.node))
			continue;
		n = 0;
		add_rows(&rows, &n, &cap, one_flow(f, &alone, &entry, &a));
		snprintf(title, sizeof(title), "%s (project %s)", f->head.name, f->head.project);
		print_rows(title, rows, n);
		comp_free(alone.comp);
		arena_free(&a);
	}
	free(rows);
}

/* The options of check, compile and graph. */
struct opts {
	const char **dirs;        /* -I directories in order */
	size_t ndirs;             /* number of dirs */
	size_t dircap;            /* allocated dirs */
	enum diag_format format;  /* --diagnostics */
	int strict;               /* --strict */
	int list_params;          /* --list-params (check) */
	const char *output;       /* -o FILE (compile, graph) */
	const char *flow;         /* --flow NAME (compile, graph) */
	const char *bundle;       /* --bundle OUT (compile) */
	int color;                /* --color (text diagnostics) */
};

/* parse_opts: the options of command cmd; returns the index of the first FILE */
static int parse_opts(int argc, char **argv, const char *cmd, struct opts *o)
{
	static const struct option longopts[] = {
		{"strict", no_argument, NULL, 's'},
		{"diagnostics", required_argument, NULL, 'd'},
		{"list-params", no_argument, NULL, 'l'},
		{"output", required_argument, NULL, 'o'},
		{"flow", required_argument, NULL, 'f'},
		{"bundle", required_argument, NULL, 'b'},
		{"color", required_argument, NULL, 'c'},
		{"colour", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int is_check = strcmp(cmd, "check") == 0, c;
	const char *color = NULL;

	optind = 1;
	while ((c = getopt_long(argc, argv, is_check ? "I:h" : "I:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'I':
			VEC_PUSH(o->dirs, o->ndirs, o->dircap, optarg);
			break;
		case 's':
			o->strict = 1;
			break;
		case 'd':
			if (strcmp(optarg, "text") == 0)
				o->format = DIAG_TEXT;
			else if (strcmp(optarg, "json") == 0)
				o->format = DIAG_JSON;
			else if (strcmp(optarg, "sarif") == 0)
				o->format = DIAG_SARIF;
			else
				usage_error("unknown diagnostics format '%s' (text, json or sarif)", optarg);
			break;
		case 'l':
			if (!is_check)
				usage_error("--list-params belongs to 'check', not '%s'", cmd);
			o->list_params = 1;
			break;
		case 'o':
		case 'f':
			if (is_check)
				usage_error("'check' writes no output; did you mean 'flowc compile'?%s", "");
			if (c == 'o')
				o->output = optarg;
			else
				o->flow = optarg;
			break;
		case 'b':
			if (strcmp(cmd, "compile") != 0)
				usage_error("--bundle belongs to 'compile', not '%s'", cmd);
			o->bundle = optarg;
			break;
		case 'c':
			color = optarg;
			break;
		case 'h':
			fputs(is_check ? check_help : compile_help, stdout);
			exit(EXIT_OK);
		default:
			usage_error("%s", "invalid option");
		}
	}
	o->color = diag_color_wanted(color, stderr);
	if (o->color < 0)
		usage_error("--color takes auto, always or never, not '%s'", color);
	if (optind >= argc)
		usage_error("%s needs at least one FILE", cmd);
	if (o->bundle && o->output)
		usage_error("%s", "--bundle OUT writes the plan to OUT; -o is not needed");
	return optind;
}

/* load: every FILE and -I directory into d, then every check; unreadable
 * input ends the program (exit 2) */
static void load(struct driver *d, const struct opts *o, int argc, char **argv, int first)
{
	int i;
	size_t j;

	d->strict = o->strict;
	for (i = first; i < argc; i++)
		if (driver_add_file(d, argv[i], 1) < 0)
			fatal("cannot read '%s': %s", argv[i], strerror(errno));
	for (j = 0; j < o->ndirs; j++) {
		char *bad;

		if (driver_add_dir(d, o->dirs[j], &bad) < 0)
			fatal("cannot read '%s': %s", bad, strerror(errno));
	}
	driver_check(d);
	diag_sort(&d->ds);
}

static int cmd_check(int argc, char **argv)
{
	struct opts o = {0};
	struct driver d = {0};
	int status;

	load(&d, &o, argc, argv, parse_opts(argc, argv, "check", &o));
	diag_print(&d.ds, o.format, o.color, o.format == DIAG_TEXT ? stderr : stdout);
	status = d.ds.nerrors ? EXIT_ERRORS : EXIT_OK;
	if (o.list_params && status == EXIT_OK)
		list_params(&d);
	driver_free(&d);
	free(o.dirs);
	return status;
}

/* one_flow: f as a flow of flows composing it alone (its plan's name and
 * project are f's, its parameters f-NAME), in *fof and *e, its composition
 * in a */
static const struct spec_fof *one_flow(struct spec_flow *f, struct spec_fof *fof,
				       struct spec_entry *e, struct arena *a)
{
	memset(fof, 0, sizeof(*fof));
	memset(e, 0, sizeof(*e));
	e->name = f->head.name;
	e->project = f->head.project;
	e->node = f->head.node;
	e->name_node = f->head.name_node;
	e->flow = f;
	fof->head = f->head;
	fof->head.image = NULL; /* the flow's own, in its entry */
	fof->entries = e;
	fof->nentries = 1;
	fof->comp = comp_build(a, fof, 1);
	return fof;
}

/* select_flow: with no flow of flows to compile, the plain flow named by
 * --flow, or the only one the given files define, composed alone; NULL
 * when there is none */
static const struct spec_fof *select_flow(const struct driver *d, const char *name,
					  struct spec_fof *fof, struct spec_entry *e, struct arena *a)
{
	struct spec_flow *found = NULL;
	struct buf names = {0};
	size_t i, n = 0;

	for (i = 0; i < d->set.nflows; i++) {
		struct spec_flow *f = d->set.flows[i];

		if ((!is_given(d, f->head.node) && !name) || (name && strcmp(f->head.name, name) != 0))
			continue;
		buf_printf(&names, "%s%s", n ? ", " : "", f->head.name);
		found = f;
		n++;
	}
	if (n > 1)
		fatal("the given files define several flows (%s) and no flow of flows; choose one with "
		      "--flow NAME", names.data);
	buf_free(&names);
	return found ? one_flow(found, fof, e, a) : NULL;
}

/* select_fof: the flow of flows to compile: the one named by --flow, or the
 * only one the given files define; else a plain flow composed alone */
static const struct spec_fof *select_fof(const struct driver *d, const char *name,
					 struct spec_fof *alone, struct spec_entry *entry,
					 struct arena *a)
{
	const struct spec_fof *found = NULL;
	struct buf names = {0};
	size_t i, n = 0;

	for (i = 0; i < d->set.nfofs; i++) {
		const struct spec_fof *fof = d->set.fofs[i];

		if (!is_given(d, fof->head.node) && !name)
			continue;
		if (name && strcmp(fof->head.name, name) != 0)
			continue;
		buf_printf(&names, "%s%s", n ? ", " : "", fof->head.name);
		found = fof;
		n++;
	}
	if (n == 1) {
		buf_free(&names);
		return found;
	}
	if (!n && (found = select_flow(d, name, alone, entry, a)) != NULL)
		return found;
	if (!n && name)
		fatal("no flow of flows or flow named '%s' in the given files and -I directories",
		      name);
	if (!n)
		fatal("the given files define no flow of flows (a document with composing_flows) "
		      "and no flow");
	fatal("the given files define several flows of flows (%s); choose one with --flow NAME",
	      names.data);
	return NULL;
}

/* write_plan: the plan of fof (with bundle, or NULL), or its DOT */
static void write_plan(const struct spec_fof *fof, const struct bundle *bundle, int graph,
		       const char *output)
{
	size_t n = fof->comp->nflows ? fof->comp->nflows : 1;
	struct output out;

	if (graph) {
		size_t *flows = xmalloc(n * sizeof(*flows));
		const char **paths = xmalloc(n * sizeof(*paths));
		json_t *plan = emit_plan(fof, bundle, flows);
		struct buf dot = {0};
		size_t i;

		for (i = 0; i < fof->comp->nflows; i++)
			paths[i] = fof->comp->flows[flows[i]].path;
		graph_dot(plan, paths, &dot);
		output_text(output, dot.data);
		buf_free(&dot);
		free(paths);
		free(flows);
		json_decref(plan);
	} else {
		output_open(&out, output);
		emit_write(fof, bundle, NULL, output_write, &out);
		output_close(&out);
	}
}

/* cmd_build: compile (the plan, or a bundle) and graph (its DOT) */
static int cmd_build(int argc, char **argv, int graph)
{
	struct opts o = {0};
	struct driver d = {0};
	struct spec_fof alone = {0};
	struct spec_entry entry;
	const struct spec_fof *fof;
	struct bundle bundle = {0};
	struct diags bds = {0};
	struct arena a = {0};
	int status = EXIT_ERRORS;

	load(&d, &o, argc, argv, parse_opts(argc, argv, graph ? "graph" : "compile", &o));
	diag_print(&d.ds, o.format, o.color, o.format == DIAG_TEXT ? stderr : stdout);
	if (d.ds.nerrors)
		goto out;
	fof = select_fof(&d, o.flow, &alone, &entry, &a);
	if (o.bundle) {
		bundle_collect(&bundle, fof->comp, &bds);
		diag_sort(&bds);
		diag_print(&bds, o.format, o.color, o.format == DIAG_TEXT ? stderr : stdout);
		if (bds.nerrors)
			goto out;
	}
	write_plan(fof, o.bundle ? &bundle : NULL, graph, o.bundle ? o.bundle : o.output);
	status = EXIT_OK;
out:
	bundle_free(&bundle);
	diag_free(&bds);
	comp_free(alone.comp);
	arena_free(&a);
	driver_free(&d);
	free(o.dirs);
	return status;
}

static int cmd_explain(int argc, char **argv)
{
	int code;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(explain_help, stdout);
		return EXIT_OK;
	}
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
	util_heap_follow();
	if (argc < 2)
		usage_error("%s", "no command given");
	if (util_help_version(argv[1], usage_text))
		return EXIT_OK;
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "compile") == 0)
		return cmd_build(argc - 1, argv + 1, 0);
	if (strcmp(argv[1], "graph") == 0)
		return cmd_build(argc - 1, argv + 1, 1);
	if (strcmp(argv[1], "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);
	usage_error("unknown command '%s' (commands: check, compile, graph, explain)", argv[1]);
	return EXIT_USAGE;
}
