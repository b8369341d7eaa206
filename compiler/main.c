/* main.c: the flowc command line: sub-commands, options, exit codes. It
 * parses arguments and prints; the work is done by the driver. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "driver.h"
#include "version.h"

enum { EXIT_OK = 0, EXIT_ERRORS = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
	"usage: flowc <command> [options] [FILE...]\n"
	"\n"
	"commands:\n"
	"  check [-I DIR]... [--strict] [--diagnostics=text|json|sarif] FILE...\n"
	"                  check flow specs and flows of flows; report every problem\n"
	"  explain [CODE]  describe a diagnostic code (E0203, or its name); without\n"
	"                  CODE, list every code\n"
	"\n"
	"options:\n"
	"  -I DIR          also load every *.yaml and *.yml file of DIR (repeatable)\n"
	"  --strict        warn where 'any' flows into a typed parameter (accepted;\n"
	"                  no check uses it until type checking is implemented)\n"
	"  --diagnostics=FORMAT\n"
	"                  text (default, on standard error), json or sarif (SARIF\n"
	"                  2.1.0), both on standard output\n"
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

static int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"strict", no_argument, NULL, 's'},
		{"diagnostics", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum diag_format format = DIAG_TEXT;
	struct driver d = {0};
	const char **dirs = NULL;
	size_t ndirs = 0, dircap = 0, i;
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "I:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'I':
			VEC_PUSH(dirs, ndirs, dircap, optarg);
			break;
		case 's':
			break; /* no check issues warnings about 'any' yet */
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
