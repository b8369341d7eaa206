/* diag.h: the diagnostics of one flowc run: codes, collection, sorting and
 * output as text, JSON or SARIF. It does not decide what is wrong. */
#ifndef FLOWC_DIAG_H
#define FLOWC_DIAG_H

#include <stdio.h>

#include "util.h"

enum diag_code {
#define X(code, name, summary, description) DIAG_##code,
#include "codes.def"
#undef X
	DIAG_NCODES
};

enum diag_severity { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE };

/* A place in a source file; line and col are 1-based, 0 when unknown. */
struct diag_loc {
	const char *file; /* path as the user gave it; not owned */
	int line;         /* 1-based line */
	int col;          /* 1-based column, in characters */
	int end_col;      /* the column just after the node it points at, when that
			     ends on the same line; 0 otherwise (text output
			     underlines col .. end_col - 1) */
};

struct diag_note {
	struct diag_loc loc; /* where the note points */
	char *msg;           /* owned */
};

struct diag {
	enum diag_code code;     /* which check */
	struct diag_loc loc;     /* where it points */
	char *msg;               /* one line, owned */
	struct diag_note *notes; /* related places, in the order added */
	size_t nnotes;           /* number of notes */
	size_t seq;              /* order of reporting, breaks sorting ties */
};

struct diags {
	struct diag *items; /* every diagnostic reported so far */
	size_t n;           /* number of items */
	size_t cap;         /* allocated items */
	size_t nerrors;     /* items whose severity is error */
	size_t nwarnings;   /* items whose severity is warning */
};

enum diag_format { DIAG_TEXT, DIAG_JSON, DIAG_SARIF };

/* diag_move: appends what from holds to to, in order, leaving from empty */
void diag_move(struct diags *to, struct diags *from);
void diag_report(struct diags *ds, enum diag_code code, struct diag_loc loc, const char *fmt, ...)
	ATTR_PRINTF(4, 5);
/* diag_report_unknown: reports a name that is not one of names, adding
 * "(did you mean 'x'?)" when one of them is close */
void diag_report_unknown(struct diags *ds, enum diag_code code, struct diag_loc loc,
			 const char *name, const char *const *names, size_t nnames,
			 const char *fmt, ...) ATTR_PRINTF(7, 8);
/* diag_note: attaches a note to the diagnostic reported last */
void diag_note(struct diags *ds, struct diag_loc loc, const char *fmt, ...) ATTR_PRINTF(3, 4);
/* diag_sort: orders by file, line, column, then order of reporting */
void diag_sort(struct diags *ds);
/* diag_print: every diagnostic in format; text shows each source line with
 * a caret under the column (and ~ under the rest of the node), in colour
 * when color is set (ANSI escapes; JSON and SARIF never have any) */
void diag_print(const struct diags *ds, enum diag_format format, int color, FILE *out);
/* diag_color_wanted: --color=WHEN (auto, always, never; NULL is auto) for
 * out: auto is a terminal, NO_COLOR unset or empty and TERM not dumb; -1
 * when WHEN is none of these */
int diag_color_wanted(const char *when, FILE *out);
void diag_free(struct diags *ds);

enum diag_severity diag_severity(enum diag_code code);
const char *diag_code_id(enum diag_code code);
/* diag_lookup: the code named id ("E0203", case-insensitive) or by its name
 * ("param-not-in-flow"); -1 when there is none */
int diag_lookup(const char *id);
/* diag_list: prints every code with its name and summary, one per line */
void diag_list(FILE *out);
/* diag_explain: prints the long description of a code */
void diag_explain(enum diag_code code, FILE *out);

/* diag_quote: a short printable form of a user string for messages: at most
 * 64 characters, control characters escaped. Returned in a rotating set of
 * static buffers, valid until eight more calls. */
const char *diag_quote(const char *s);

#endif
