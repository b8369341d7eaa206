/* ref_gram.y: the lemon grammar of references inside ${{ }} (docs/spec.md, "Task").
 * Actions only build; binding and checking live in resolve.c and tc.c. */

%name RefParse
%token_prefix RT_
%token_type {struct ref_token}
%extra_argument {struct ref_parse *p}

%include {
#include <assert.h>
#include "ref.h"
}

%syntax_error { refparse_syntax_error(p, yymajor, &TOKEN); }
%stack_overflow { struct ref_token none = {"", 0, 0}; refparse_syntax_error(p, -1, &none); }

/* ref -> root path */
ref ::= root path.

/* root -> NAME '.' NAME, where the first NAME is params or tasks */
root ::= NAME(R) DOT NAME(N). { refparse_root(p, &R, &N); }

/* path -> {'.' NAME | '[' INT ']' | '[' STRING ']'}, left-recursive so a long
 * path needs no stack */
path ::= .
path ::= path DOT NAME(F). { refparse_key(p, &F); }
path ::= path LBRACKET INT(I) RBRACKET. { refparse_index(p, &I); }
path ::= path LBRACKET STRING(S) RBRACKET. { refparse_key(p, &S); }

%code {
void refparse_run(struct ref_parse *p, int (*next)(struct ref_parse *p, struct ref_token *tok))
{
	yyParser parser;
	struct ref_token tok;
	int major;

	RefParseInit(&parser);
	while (!p->failed) {
		major = next(p, &tok);
		if (major < 0)
			break;
		RefParse(&parser, major, tok, p);
		p->last = major;
		if (major == 0)
			break;
	}
	RefParseFinalize(&parser);
}
}
