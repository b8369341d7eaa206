/* type_gram.y: the lemon grammar of the type language (docs/spec.md, "Types"). Actions
 * only build; checking lives in type.c. */

%name TypeParse
%token_prefix TT_
%token_type {struct type_token}
%default_type {const struct type *}
%extra_argument {struct type_parse *p}
/* bounds nesting, so every later walk over a type is shallow */
%stack_size 400

%include {
#include <assert.h>
#include "type_parse.h"
}

%syntax_error { typeparse_syntax_error(p, yymajor, &TOKEN); }
%stack_overflow { typeparse_error(p, p->end, "type nested too deeply"); }

%type fields {struct type_flist}
%type field {struct type_fnode *}
%type key {struct type_token}

/* start -> type */
start ::= type(T). { p->result = T; }

/* type -> base | type '?' */
type(A) ::= base(B). { A = B; }
type(A) ::= type(B) QUESTION. { A = typeparse_optional(p, B); }

/* base -> NAME | NAME '[' type ']' | '{' '}' | '{' fields [','] '}' */
base(A) ::= NAME(N). { A = typeparse_name(p, &N); }
base(A) ::= NAME(N) LBRACKET type(T) RBRACKET. { A = typeparse_apply(p, &N, T); }
base(A) ::= LBRACE RBRACE. { struct type_flist none = {0, 0, 0}; A = typeparse_record(p, &none); }
base(A) ::= LBRACE fields(F) RBRACE. { A = typeparse_record(p, &F); }
base(A) ::= LBRACE fields(F) COMMA RBRACE. { A = typeparse_record(p, &F); }

/* fields -> field {',' field} */
fields(A) ::= field(F). { A.head = A.tail = F; A.n = 1; }
fields(A) ::= fields(B) COMMA field(F). { A = B; A.tail->next = F; A.tail = F; A.n++; }

/* field -> key ['?'] ':' type */
field(A) ::= key(K) COLON type(T). { A = typeparse_field(p, &K, 0, T); }
field(A) ::= key(K) QUESTION COLON type(T). { A = typeparse_field(p, &K, 1, T); }

/* key -> NAME | STRING */
key(A) ::= NAME(N). { A = N; }
key(A) ::= STRING(S). { A = S; }
