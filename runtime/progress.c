/* progress.c: the lines a run prints. Counting is the caller's; this file
 * only formats. */
#include "progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

long long progress_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void progress_init(struct progress *p, size_t ntasks)
{
	p->tty = isatty(1);
	p->ntasks = ntasks;
	p->done = p->failed = p->skipped = p->cancelled = p->running = 0;
	p->t0 = progress_ms();
	p->line[0] = '\0';
}

void progress_count(struct progress *p, enum run_state st)
{
	if (journal_state_ok(st))
		p->done++;
	else if (st == ST_SKIPPED)
		p->skipped++;
	else if (st == ST_CANCELLED)
		p->cancelled++;
	else if (journal_state_final(st))
		p->failed++;
}

/* clear: the progress line goes before anything else is printed */
static void clear(const struct progress *p)
{
	if (p->tty)
		fputs("\r\033[K", stdout);
}

void progress_task(struct progress *p, const char *flow, const char *task, enum run_state st,
		   int attempt, const char *note)
{
	if (p->tty) {
		int n = snprintf(p->line, sizeof(p->line), "[%zu/%zu done, %zu running, %zu failed",
				 p->done, p->ntasks, p->running, p->failed);

		if (p->skipped && n > 0 && (size_t)n < sizeof(p->line))
			n += snprintf(p->line + n, sizeof(p->line) - (size_t)n, ", %zu skipped",
				      p->skipped);
		if (p->cancelled && n > 0 && (size_t)n < sizeof(p->line))
			n += snprintf(p->line + n, sizeof(p->line) - (size_t)n, ", %zu cancelled",
				      p->cancelled);
		if (n > 0 && (size_t)n < sizeof(p->line))
			snprintf(p->line + n, sizeof(p->line) - (size_t)n, ", %.1f s] %s/%s %s",
				 (progress_ms() - p->t0) / 1000.0, flow, task, journal_state_names[st]);
		printf("\r\033[K%s", p->line);
		if (st == ST_FAILED) {
			/* a failure keeps a line of its own */
			printf(": %s\n", note ? note : "");
			p->line[0] = '\0';
		}
		fflush(stdout);
		return;
	}
	printf("%s/%s: %s", flow, task, journal_state_names[st]);
	if (attempt > 1 && st == ST_RUNNING)
		printf(" (attempt %d)", attempt);
	if (note)
		printf(": %s", note);
	printf("\n");
}

void progress_flush(void)
{
	fflush(stdout);
}

void progress_flow(struct progress *p, const char *flow, enum run_state st, const char *note)
{
	clear(p);
	printf("%s: %s%s%s\n", flow, journal_state_names[st], note ? ": " : "", note ? note : "");
	fflush(stdout);
}

void progress_say(struct progress *p, const char *fmt, ...)
{
	va_list ap;

	clear(p);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void progress_stderr(struct progress *p, const char *flow, const char *task, const char *text,
		     size_t len)
{
	size_t start = 0, i;

	/* the progress line goes first, so that nothing is glued onto it, and
	 * comes back after */
	if (p->tty && p->line[0]) {
		clear(p);
		fflush(stdout);
	}
	for (i = 0; i <= len; i++) {
		if (i < len && text[i] != '\n')
			continue;
		if (i > start || i < len)
			fprintf(stderr, "%s/%s: %.*s\n", flow, task, (int)(i - start), text + start);
		start = i + 1;
	}
	fflush(stderr);
	if (p->tty && p->line[0]) {
		fputs(p->line, stdout);
		fflush(stdout);
	}
}

void progress_summary(struct progress *p, const char *run_id, enum run_state st,
		      const char *reason, const char *dir)
{
	clear(p);
	if (st == ST_CANCELLED)
		printf("run %s: Cancelled; resume with: flowrun resume %s\n", run_id, dir);
	else
		printf("run %s: %s%s%s: %zu of %zu tasks succeeded in %.1f s; results in %s\n", run_id,
		       journal_state_names[st], reason ? ": " : "", reason ? reason : "", p->done,
		       p->ntasks, (progress_ms() - p->t0) / 1000.0, dir);
	fflush(stdout);
}
