/* main.c: the flowrun command line: sub-commands, options, exit codes. It
 * parses arguments and prints; loading and running live elsewhere. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clean.h"
#include "container.h"
#include "json_text.h"
#include "plan.h"
#include "run.h"
#include "rundir.h"
#include "status.h"
#include "store.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

#define RUN_DIR_TEXT "RUN_DIR is a run directory, a run id under .flowrun/runs, or latest.\n"
#define EXIT_TEXT \
	"exit status: 0 success, 1 a flow failed (or the run could not go on), 2 usage\n" \
	"error, unreadable or invalid plan, run directory in use or already holding a\n" \
	"run, 130 interrupted\n"
#define LIMIT_OPTIONS \
	"  --max-depth N   the deepest nesting of a result, a loaded file, a with or\n" \
	"                  a parameter (default 512, at most 2000)\n" \
	"  --max-result SIZE\n" \
	"                  the largest result, and the largest file load_file reads\n" \
	"                  (default 16M; SIZE in bytes, or with K, M or G)\n" \
	"  --max-log SIZE  the most of a task's standard output or error kept in the\n" \
	"                  run directory (default 1G)\n"

static const char run_help[] =
	"usage: flowrun run PLAN [options]\n"
	"\n"
	"Runs the plan flowc compiled; with --dry-run, prints the parameters it\n"
	"needs, the images its flows run in and the order of its flows and tasks.\n"
	"\n"
	"options:\n"
	"  -p NAME=VALUE   a composed parameter; VALUE is text for string\n"
	"                  parameters and JSON for every other type\n"
	"  --params FILE   parameters from a JSON object\n"
	"  -j N            tasks at once (default: the number of CPUs)\n"
	"  --run-dir DIR   the run directory (default .flowrun/runs/<run id>)\n"
	"  --results-db URL\n"
	"                  the results store: PATH or sqlite:PATH for SQLite,\n"
	"                  postgresql://user@host:port/db for PostgreSQL (default:\n"
	"                  $FLOWRUN_RESULTS_DB, else .flowrun/results.db)\n"
	"  --filesystem NAME=DIR\n"
	"                  a named filesystem root (local is the current directory)\n"
	"  -v, --verbose   copy each task's standard error to the terminal as it\n"
	"                  comes, prefixed by flow/task\n"
	"  --dry-run       print what the run needs and its order, run nothing\n"
	"  --reuse RUN_DIR reuse the results of tasks that succeeded in an earlier\n"
	"                  run (a directory, a run id, or latest) when their\n"
	"                  definition, inputs, image and the files they read are the\n"
	"                  same and nothing they need runs; with --dry-run, print\n"
	"                  what would run and why\n"
	LIMIT_OPTIONS
	"  --container-engine podman|docker|apptainer\n"
	"                  what runs the tasks of a flow that has an image (default:\n"
	"                  $FLOWRUN_CONTAINER_ENGINE, else podman)\n"
	"  --pull          pull an image that is missing (never pulled otherwise)\n"
	"  --backend local|slurm\n"
	"                  slurm: one Slurm batch job per flow (sbatch, afterok);\n"
	"                  the run directory must be on a filesystem the nodes share\n"
	"  --partition P, --sbatch-arg ARG\n"
	"                  passed to sbatch (slurm backend)\n"
	"  --detach        submit the jobs and return (slurm backend)\n"
	"\n"
	EXIT_TEXT;

static const char resume_help[] =
	"usage: flowrun resume RUN_DIR [options]\n"
	"\n"
	"Runs again what did not succeed in the run, on its backend.\n"
	RUN_DIR_TEXT
	"\n"
	"options:\n"
	"  -j N            tasks at once (default: the number of CPUs)\n"
	"  -v, --verbose   copy each task's standard error to the terminal\n"
	"  --backend local|slurm\n"
	"                  where what is left runs (default: the run's backend)\n"
	LIMIT_OPTIONS
	"                  (given here, they are the run's from now on)\n"
	"\n"
	EXIT_TEXT;

static const char status_help[] =
	"usage: flowrun status RUN_DIR [--json]\n"
	"\n"
	"Shows the run's state and every task's last state, seconds and exit\n"
	"status or reason, and the images its flows ran in; with --json, as one\n"
	"JSON document for scripts (docs/run.md; specs/status.schema.json).\n"
	RUN_DIR_TEXT
	"\n"
	"exit status: 0 the run succeeded, 1 it did not (or not yet), 2 RUN_DIR\n"
	"cannot be read\n";

static const char result_help[] =
	"usage: flowrun result RUN_DIR FLOW[/TASK]\n"
	"\n"
	"Prints a task's result as JSON, or a flow's as one object (null for the\n"
	"tasks without one).\n"
	RUN_DIR_TEXT
	"\n"
	"exit status: 0, or 2 when there is no such result\n";

static const char logs_help[] =
	"usage: flowrun logs RUN_DIR FLOW/TASK [--attempt N] [--stdout] [--follow]\n"
	"\n"
	"Prints the standard error a task's process wrote (--stdout: its standard\n"
	"output, unless that was its result) in its last attempt, or in the N-th of\n"
	"all its attempts across sessions (1 for the first). --follow keeps printing\n"
	"what the last attempt writes while a flowrun runs the run.\n"
	RUN_DIR_TEXT
	"\n"
	"exit status: 0, or 2 when the task or the attempt does not exist\n";

static const char clean_help[] =
	"usage: flowrun clean [--older-than AGE] [--keep N] [--cache] [--dry-run]\n"
	"\n"
	"Removes runs under .flowrun/runs and cache entries under .flowrun/cache;\n"
	"a run a flowrun is running is never removed.\n"
	"\n"
	"options:\n"
	"  --older-than AGE\n"
	"                  the runs that started longer ago than AGE (90s, 30m,\n"
	"                  12h, 7d, 2w)\n"
	"  --keep N        all runs but the newest N\n"
	"  --cache         the cache entries no remaining run under .flowrun/runs\n"
	"                  refers to\n"
	"  --dry-run       list what would go, remove nothing\n"
	"\n"
	"exit status: 0, 1 when something could not be removed, 2 usage error\n";

static const char runs_help[] =
	"usage: flowrun runs\n"
	"\n"
	"Lists the runs under .flowrun/runs, newest first: id, plan, state, start\n"
	"and seconds.\n";

static const char results_help[] =
	"usage: flowrun results [--results-db URL] [--project P] [--flow F] [UNIQUE_HASH]\n"
	"\n"
	"Prints the stored documents of a project and flow (all when not given),\n"
	"oldest first, as a JSON array, or the one document with UNIQUE_HASH.\n"
	"\n"
	"options:\n"
	"  --results-db URL\n"
	"                  the results store (default: $FLOWRUN_RESULTS_DB, else\n"
	"                  .flowrun/results.db)\n"
	"  --project P, --flow F\n"
	"                  only the documents of this project, of this flow\n";

static const char usage_text[] =
	"usage: flowrun <command> [options]\n"
	"\n"
	"commands:\n"
	"  run PLAN        run the plan flowc compiled (--dry-run: what it needs)\n"
	"  resume RUN_DIR  run again what did not succeed\n"
	"  status RUN_DIR  show every flow and task of a run\n"
	"  result RUN_DIR FLOW[/TASK]\n"
	"                  print a result as JSON\n"
	"  runs            list the runs under .flowrun/runs, newest first\n"
	"  clean           remove old runs and unused cache entries\n"
	"  logs RUN_DIR FLOW/TASK\n"
	"                  print what a task wrote, attempt by attempt\n"
	"  results [UNIQUE_HASH]\n"
	"                  print stored documents as a JSON array\n"
	"\n"
	RUN_DIR_TEXT
	"`flowrun COMMAND --help` shows a command's options.\n"
	"\n"
	EXIT_TEXT;

/* sub_help: `flowrun CMD ... --help` prints CMD's help and exits */
static void sub_help(int argc, char **argv, const char *help)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(help, stdout);
			exit(EXIT_OK);
		}
}

static void load_plan(struct plan *p, const char *path)
{
	struct buf err = {0};

	if (plan_load(p, path, &err) < 0)
		fatal("%s: %s", path, err.data);
	buf_free(&err);
}

/* dry_images: the images the flows of p run in, and whether the engine
 * has each here */
static void dry_images(const struct plan *p, const struct run_options *o)
{
	struct containers *c = NULL;
	size_t i, k;

	for (i = 0; i < p->nflows; i++) {
		const char *image = p->flows[i].image;
		struct buf why = {0};
		int present;

		for (k = 0; image && k < i && (!p->flows[k].image || strcmp(p->flows[k].image, image));
		     k++)
			;
		if (!image || k < i)
			continue;
		if (!c) {
			c = containers_new(o->engine, o->pull, "dry-run");
			printf("images (%s):\n", container_engine_name(o->engine));
		}
		present = containers_present(c, image, &why);
		printf("  %s  %s", image, present > 0 ? "present" : present == 0 ?
		       (o->pull ? "missing: pulled when first needed" : "missing (--pull fetches it)") :
		       "unknown");
		if (present < 0)
			printf(": %s", why.data);
		for (k = i; k < p->nflows; k++)
			if (p->flows[k].image && strcmp(p->flows[k].image, image) == 0)
				printf("%s%s", k == i ? "  for " : ", ", p->flows[k].name);
		printf("\n");
		buf_free(&why);
	}
	containers_free(c);
}

/* dry_run: what a run needs and the order it runs things in */
static void dry_run(const struct plan *p, const struct run_options *o)
{
	size_t i, j, k, width = 0, ntasks = 0;

	for (i = 0; i < p->nflows; i++)
		ntasks += p->flows[i].ntasks;
	printf("plan %s (project %s): %zu flow%s, %zu task%s\n", p->name, p->project, p->nflows,
	       p->nflows == 1 ? "" : "s", ntasks, ntasks == 1 ? "" : "s");
	for (i = 0; i < p->ninputs; i++)
		if (strlen(p->inputs[i].name) > width)
			width = strlen(p->inputs[i].name);
	printf("parameters (-p NAME=VALUE):\n");
	if (!p->ninputs)
		printf("  none\n");
	for (i = 0; i < p->ninputs; i++) {
		const struct plan_input *in = &p->inputs[i];

		printf("  %-*s  %s", (int)width, in->name, in->type_text);
		if (in->deflt) {
			char *d = json_text(in->deflt, JSON_COMPACT | JSON_ENCODE_ANY);

			printf("  default %s\n", d);
			free(d);
		} else {
			printf("  required\n");
		}
	}
	dry_images(p, o);
	if (p->nfiles) {
		printf("bundled files (SHA-256 verified; a run writes them to RUN_DIR/bundle):\n");
		for (i = 0; i < p->nfiles; i++)
			printf("  %s  %zu bytes%s  sha256:%.12s\n", p->files[i].path, p->files[i].len,
			       p->files[i].executable ? ", executable" : "", p->files[i].sha256);
	}
	printf("order:\n");
	for (i = 0; i < p->nflows; i++) {
		const struct plan_flow *f = &p->flows[i];

		printf("  %zu. %s", i + 1, f->name);
		for (k = 0; k < f->nneeds; k++)
			printf("%s%s", k ? ", " : " (after ", p->flows[f->needs[k]].name);
		printf("%s\n", f->nneeds ? ")" : "");
		for (j = 0; j < f->ntasks; j++) {
			const struct plan_task *t = &f->tasks[j];

			printf("       %s", t->name);
			if (t->kind == TASK_BUILTIN)
				printf(" [%s]", t->builtin);
			for (k = 0; k < t->nneeds; k++)
				printf("%s%s", k ? ", " : " (after ", f->tasks[t->needs[k]].name);
			printf("%s -> %s\n", t->nneeds ? ")" : "", t->result_text);
		}
	}
}

/* add_param: -p NAME=VALUE, VALUE as text for string parameters and as
 * JSON for the others; a value that cannot be read is said in bad, and
 * its name put in unread */
static void add_param(const struct plan *p, json_t *params, json_t *unread, const char *spec,
		      struct buf *bad)
{
	const char *eq = strchr(spec, '=');
	char *name = xstrndup(spec, (size_t)(eq - spec));
	const struct plan_input *in = NULL;
	json_error_t err;
	json_t *v;
	size_t i;

	for (i = 0; i < p->ninputs; i++)
		if (strcmp(p->inputs[i].name, name) == 0)
			in = &p->inputs[i];
	if (in && in->type->kind == TYPE_STRING) {
		v = json_string(eq + 1);
		if (!v)
			buf_printf(bad, "%s-p %s: the value is not UTF-8 text", bad->len ? "\n" : "",
				   name);
	} else {
		v = json_loads(eq + 1, JSON_DECODE_ANY, &err);
		if (!v)
			buf_printf(bad, "%s-p %s: %s is not JSON (%s); only string parameters take "
				   "plain text", bad->len ? "\n" : "", name, eq + 1, err.text);
	}
	if (v)
		json_object_set_new(params, name, v);
	else
		json_object_set_new(unread, name, json_true());
	free(name);
}

/* check_params: every -p and --params value against the plan, all
 * problems at once; 0, or -1 when they were printed */
static int check_params(const struct plan *p, const json_t *params, const json_t *unread,
			const struct limits *l, struct buf *bad)
{
	json_t *checked = run_params(p, params, unread, l, bad);

	json_decref(checked);
	if (!bad->len)
		return 0;
	fprintf(stderr, "flowrun: the parameters do not fit the plan:\n%s\n", bad->data);
	return -1;
}

/* set_limit: --NAME VALUE, one of the limits */
static void set_limit(struct limits *l, const char *name, const char *value)
{
	struct buf opt = {0}, why = {0};

	buf_printf(&opt, "--%s", name);
	if (limits_option(l, opt.data, value, &why) != 1)
		usage_error("%s", why.len ? why.data : "unknown option");
	buf_free(&opt);
}

static int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"params", required_argument, NULL, 'P'},
		{"backend", required_argument, NULL, 'b'},
		{"run-dir", required_argument, NULL, 'r'},
		{"results-db", required_argument, NULL, 'R'},
		{"filesystem", required_argument, NULL, 'F'},
		{"dry-run", no_argument, NULL, 'n'},
		{"detach", no_argument, NULL, 'D'},
		{"verbose", no_argument, NULL, 'v'},
		{"partition", required_argument, NULL, 'A'},
		{"sbatch-arg", required_argument, NULL, 'S'},
		{"max-depth", required_argument, NULL, 'L'},
		{"max-result", required_argument, NULL, 'L'},
		{"max-log", required_argument, NULL, 'L'},
		{"container-engine", required_argument, NULL, 'E'},
		{"pull", no_argument, NULL, 'U'},
		{"reuse", required_argument, NULL, 'G'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct run_options o = {0};
	const char *engine = getenv("FLOWRUN_CONTAINER_ENGINE");
	struct buf bad = {0};
	json_t *unread;
	size_t scap = 0;
	const char **ps = NULL, *params_file = NULL;
	size_t nps = 0, cap = 0, i;
	struct buf why = {0};
	struct plan p;
	int c, dry = 0, status, li = 0;

	limits_default(&o.limits);
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:j:vh", longopts, &li)) != -1) {
		switch (c) {
		case 'p':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				usage_error("-p takes NAME=VALUE, not '%s'", optarg);
			VEC_PUSH(ps, nps, cap, optarg);
			break;
		case 'P':
			params_file = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "local") != 0 && strcmp(optarg, "slurm") != 0)
				usage_error("unknown backend '%s' (local or slurm)", optarg);
			o.backend = optarg;
			break;
		case 'A':
			o.partition = optarg;
			break;
		case 'S':
			VEC_PUSH(o.sbatch_args, o.nsbatch_args, scap, optarg);
			break;
		case 'j':
			o.jobs = atoi(optarg);
			if (o.jobs < 1)
				usage_error("-j takes a number of jobs of at least 1, not '%s'", optarg);
			break;
		case 'F':
			if (files_add(&o.files, optarg, &why) < 0)
				fatal("%s", why.data);
			break;
		case 'r':
			o.run_dir = optarg;
			break;
		case 'L':
			set_limit(&o.limits, longopts[li].name, optarg);
			break;
		case 'R':
			o.results_db = optarg;
			break;
		case 'D':
			o.detach = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'n':
			dry = 1;
			break;
		case 'E':
			engine = optarg;
			break;
		case 'U':
			o.pull = 1;
			break;
		case 'G':
			o.reuse = optarg;
			break;
		case 'h':
			fputs(run_help, stdout);
			exit(EXIT_OK);
		default:
			usage_error("%s", "invalid option");
		}
	}
	if (optind != argc - 1)
		usage_error("%s", "run takes one PLAN");
	o.engine = CONTAINER_DEFAULT_ENGINE;
	if (engine && *engine && container_engine_parse(engine, &o.engine) != 0)
		usage_error("unknown container engine '%s' (podman, docker or apptainer)", engine);
	load_plan(&p, argv[optind]);
	if (params_file) {
		json_error_t err;

		o.params = json_load_file(params_file, 0, &err);
		if (!json_is_object(o.params))
			fatal("%s: not a JSON object of parameters (%s)", params_file,
			      o.params ? "another JSON value" : err.text);
	} else {
		o.params = json_object();
	}
	unread = json_object();
	for (i = 0; i < nps; i++)
		add_param(&p, o.params, unread, ps[i], &bad);
	free(ps);
	/* a dry run with values given checks them as a run would, and still
	 * says what the run needs */
	status = (!dry || nps || params_file || o.reuse) &&
		 check_params(&p, o.params, unread, &o.limits, &bad) != 0 ? EXIT_USAGE : EXIT_OK;
	json_decref(unread);
	buf_free(&bad);
	if (dry || status != EXIT_OK) {
		if (dry)
			dry_run(&p, &o);
		/* what would be reused needs the values the run would have */
		if (dry && o.reuse && status == EXIT_OK)
			status = run_dry_reuse(&p, &o);
		json_decref(o.params);
		free(o.sbatch_args);
		plan_free(&p);
		files_free(&o.files);
		return status;
	}
	if ((o.detach || o.partition || o.nsbatch_args) &&
	    (!o.backend || strcmp(o.backend, "slurm") != 0))
		usage_error("%s", "--detach, --partition and --sbatch-arg need --backend slurm");
	status = run_start(&p, &o);
	free(o.sbatch_args);
	json_decref(o.params);
	files_free(&o.files);
	plan_free(&p);
	return status;
}

static int cmd_results(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"results-db", required_argument, NULL, 'R'},
		{"project", required_argument, NULL, 'p'},
		{"flow", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = getenv("FLOWRUN_RESULTS_DB"), *project = NULL, *flow = NULL;
	struct buf why = {0};
	struct store *s;
	json_t *out;
	char *text;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'R':
			url = optarg;
			break;
		case 'p':
			project = optarg;
			break;
		case 'f':
			flow = optarg;
			break;
		case 'h':
			fputs(results_help, stdout);
			exit(EXIT_OK);
		default:
			usage_error("%s", "invalid option");
		}
	}
	if (optind < argc - 1)
		usage_error("%s", "results takes at most one UNIQUE_HASH");
	s = store_open(url ? url : ".flowrun/results.db", &why);
	if (!s)
		fatal("%s", why.data);
	if (optind == argc - 1) {
		json_t *rep = json_pack("{s:{s:s}}", "query", "unique_hash", argv[optind]);

		out = store_load(s, rep, &why);
		json_decref(rep);
	} else {
		out = store_list(s, project, flow, &why);
	}
	store_close(s);
	if (!out)
		fatal("%s", why.data);
	text = json_text(out, JSON_INDENT(2) | JSON_SORT_KEYS);
	printf("%s\n", text);
	free(text);
	json_decref(out);
	return EXIT_OK;
}

/* cmd_clean: clean [--older-than AGE] [--keep N] [--cache] [--dry-run] */
static int cmd_clean(int argc, char **argv)
{
	struct clean_options o = {-1, -1, 0, 0};
	int i;

	sub_help(argc, argv, clean_help);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--older-than") == 0 && i + 1 < argc) {
			o.older_than_s = clean_parse_age(argv[++i]);
			if (o.older_than_s < 0)
				usage_error("--older-than takes an age such as 30m, 12h or 7d, not '%s'",
					    argv[i]);
		} else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc) {
			char *end;

			o.keep = strtol(argv[++i], &end, 10);
			if (*end || end == argv[i] || o.keep < 0)
				usage_error("--keep takes a number of runs, not '%s'", argv[i]);
		} else if (strcmp(argv[i], "--cache") == 0) {
			o.cache = 1;
		} else if (strcmp(argv[i], "--dry-run") == 0 || strcmp(argv[i], "-n") == 0) {
			o.dry_run = 1;
		} else {
			usage_error("clean: unknown argument '%s'", argv[i]);
		}
	}
	if (o.older_than_s < 0 && o.keep < 0 && !o.cache)
		usage_error("%s", "clean takes --older-than AGE, --keep N or --cache (each removes "
				  "something: nothing goes by default)");
	return clean_run(&o);
}

/* cmd_logs: logs RUN_DIR FLOW/TASK [--attempt N] [--stdout] [--follow] */
static int cmd_logs(int argc, char **argv)
{
	int i, n = 0, out = 0, follow = 0;
	const char *what = NULL;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--attempt") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0)
			n = atoi(argv[++i]);
		else if (strcmp(argv[i], "--stdout") == 0)
			out = 1;
		else if (strcmp(argv[i], "--follow") == 0 || strcmp(argv[i], "-f") == 0)
			follow = 1;
		else if (!what && argv[i][0] != '-')
			what = argv[i];
		else
			usage_error("%s", "logs takes RUN_DIR FLOW/TASK [--attempt N] [--stdout] [--follow]");
	}
	if (!what)
		usage_error("%s", "logs takes RUN_DIR FLOW/TASK [--attempt N] [--stdout] [--follow]");
	return status_logs(argv[1], what, n, out, follow);
}

static int cmd_dir_found(int argc, char **argv)
{
	if (strcmp(argv[0], "logs") == 0)
		return cmd_logs(argc, argv);
	if (strcmp(argv[0], "result") == 0) {
		if (argc != 3)
			usage_error("%s", "result takes RUN_DIR FLOW[/TASK]");
		return status_result(argv[1], argv[2]);
	}
	if (strcmp(argv[0], "resume") == 0) {
		static const char resume_usage[] =
			"resume takes RUN_DIR [-j N] [-v] [--backend local|slurm] [--max-depth N] "
			"[--max-result SIZE] [--max-log SIZE]";
		struct run_options o = {0};
		int i;

		if (argc < 2)
			usage_error("%s", resume_usage);
		limits_default(&o.limits);
		for (i = 2; i < argc; i++) {
			if (strncmp(argv[i], "--max-", 6) == 0 && i + 1 < argc) {
				set_limit(&o.limits, argv[i] + 2, argv[i + 1]);
				o.limits_given = 1;
				i++;
			} else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
				o.verbose = 1;
			else if (strcmp(argv[i], "-j") == 0 && i + 1 < argc && atoi(argv[i + 1]) > 0)
				o.jobs = atoi(argv[++i]);
			else if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc &&
				 (!strcmp(argv[i + 1], "slurm") || !strcmp(argv[i + 1], "local")))
				o.backend = argv[++i];
			else
				usage_error("%s", resume_usage);
		}
		return run_resume(argv[1], &o);
	}
	if (argc == 3 && strcmp(argv[0], "status") == 0 && strcmp(argv[2], "--json") == 0)
		return status_json(argv[1]);
	if (argc != 2)
		usage_error("%s takes RUN_DIR", argv[0]);
	return status_print(argv[1]);
}

static int cmd_dir(int argc, char **argv)
{
	struct buf why = {0};
	char *found;
	int status;

	sub_help(argc, argv, strcmp(argv[0], "resume") == 0 ? resume_help :
			     strcmp(argv[0], "result") == 0 ? result_help :
			     strcmp(argv[0], "logs") == 0 ? logs_help : status_help);
	if (argc >= 2) {
		/* RUN_DIR may be a run id under .flowrun/runs, or "latest" */
		if (!(found = rundir_find(argv[1], &why)))
			fatal("%s", why.data);
		argv[1] = found;
	}
	status = cmd_dir_found(argc, argv);
	if (argc >= 2)
		free(argv[1]);
	return status;
}

int main(int argc, char **argv)
{
	util_progname = "flowrun";
	if (argc < 2)
		usage_error("%s", "no command given");
	if (util_help_version(argv[1], usage_text))
		return EXIT_OK;
	if (strcmp(argv[1], "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "results") == 0)
		return cmd_results(argc - 1, argv + 1);
	if (strcmp(argv[1], "run-flow") == 0) {
		/* the body of a Slurm job: run-flow RUN_DIR FLOW_INDEX SESSION */
		if (argc != 5 || atol(argv[3]) < 0 || atol(argv[4]) < 0)
			usage_error("%s", "run-flow takes RUN_DIR FLOW_INDEX SESSION");
		return run_flow(argv[2], (size_t)atol(argv[3]), (unsigned)atol(argv[4]));
	}
	if (strcmp(argv[1], "clean") == 0)
		return cmd_clean(argc - 1, argv + 1);
	if (strcmp(argv[1], "runs") == 0) {
		sub_help(argc - 1, argv + 1, runs_help);
		if (argc != 2)
			usage_error("%s", "runs takes no argument");
		return status_runs();
	}
	if (strcmp(argv[1], "resume") == 0 || strcmp(argv[1], "status") == 0 ||
	    strcmp(argv[1], "logs") == 0 ||
	    strcmp(argv[1], "result") == 0)
		return cmd_dir(argc - 1, argv + 1);
	usage_error("unknown command '%s' (commands: run, resume, status, result, logs, results, runs, "
		    "clean)",
		    argv[1]);
}
