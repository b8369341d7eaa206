/* yaml_floor.c: the time libyaml alone takes to parse a file into events,
 * the floor under anything flowc does with the same input. A benchmark
 * tool, not part of flowc. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <yaml.h>

int main(int argc, char **argv)
{
	FILE *fp;
	yaml_parser_t parser;
	yaml_event_t ev;
	struct timespec t0, t1;
	long events = 0;
	int done = 0;

	if (argc != 2 || !(fp = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: yaml_floor FILE\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, fp);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			fprintf(stderr, "yaml_floor: parse error\n");
			return 1;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		events++;
	}
	yaml_parser_delete(&parser);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fclose(fp);
	printf("%.1f ms, %ld events\n",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6, events);
	return 0;
}
