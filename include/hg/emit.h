/*
 * emit.h — the writers that print one ordered document (doc.h) as YAML or
 * JSON, and the reader that turns a YAML template skeleton into a document.
 *
 * Both writers are byte-stable: keys in insertion order, two-space indent,
 * "\n" line ends and a final newline, no timestamps. The YAML writer uses
 * block style only and prints every scalar on one line; a string is quoted
 * whenever a YAML 1.1 or 1.2 reader could take the plain form for anything
 * but that string (a bool such as `yes`/`on`, a null such as `~`, a number
 * such as `012345678901`, `1e3` or `0x1f`, a date or timestamp, a leading
 * indicator such as `*&!|>%@`, a `: ` or ` #`, leading or trailing spaces,
 * the empty string). Single quotes are used where they suffice, double
 * quotes with escapes for control characters. Parsing the YAML output with
 * any YAML reader gives the same values as parsing the JSON output.
 */
#ifndef HG_EMIT_H
#define HG_EMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/util.h"

/* Append the YAML text of d to out. */
void hg_emit_yaml(const hg_doc *d, hg_buf *out);
/* Append the JSON text of d (two-space indent, final newline) to out. */
void hg_emit_json(const hg_doc *d, hg_buf *out);
/* The same as one line: no blanks between tokens, final newline (for
 * outputs read a line at a time, e.g. `test --format json`). */
void hg_emit_json_compact(const hg_doc *d, hg_buf *out);

/* Append s as a JSON string literal (quotes and escapes included). */
void hg_emit_json_string(hg_buf *out, const char *s);

/* The escapes JSON strings and YAML double-quoted scalars spell alike:
 * append \" \\ \n \t or \r for c and return true; false (nothing
 * appended) for any other byte. */
bool hg_emit_escape_common(hg_buf *out, unsigned char c);

/* True when the YAML writer must quote s (see the file comment). */
bool hg_emit_yaml_needs_quotes(const char *s);

/*
 * Parse YAML text (one document) into a document, with the one YAML loader
 * (yaml.h). Plain scalars `true` and `false` become BOOL, plain decimal
 * integers INT, plain nulls (`null`, `~`, nothing) NULL, everything else
 * STR (a float keeps its text); CloudFormation short-form tags become their
 * one-key maps through the shared tag table (!Ref X -> {Ref: X}, !Sub ->
 * Fn::Sub, !GetAtt A.B -> {Fn::GetAtt: [A, B]}, !Condition C ->
 * {Condition: C}, and !Join/!Select/!Split/!If/!Equals/!Not/!And/!Or/
 * !FindInMap/!Base64/!Cidr/!GetAZs/!ImportValue/!Transform -> Fn::NAME);
 * any other tag is an error. Aliases are refused, duplicate keys reported.
 * Only the first document is read. file names the text in diagnostics.
 * Returns a new document (the caller frees it) or NULL with an error in sink.
 */
hg_doc *hg_emit_read_yaml(const char *text, size_t len, const char *file, hg_diag_sink *sink);

/*
 * Parse JSON text (one value) into a document with the one JSON parser
 * (json.h, its keep-everything mode): every JSON input that is not an
 * event (configuration, caches, AWS API answers, our own manifest) is read
 * this way. Objects become MAPs in document order (a repeated member name
 * keeps its last value, as jq does), arrays SEQs, integers that fit in a
 * long long INT, other numbers FLOAT, true/false BOOL, null NULL, strings
 * STR. A string holding U+0000 is refused (documents hold C strings).
 * On bad input: an error with code at file:line:col (the line is shown
 * with a caret) saying what is wrong, and NULL. The parse's scratch memory
 * is zeroed before it is freed, so secrets in an answer (credentials) live
 * only in the returned document (see hg_doc_free_wiped).
 */
hg_doc *hg_emit_read_json(const char *text, size_t len, const char *file, const char *code,
                          hg_diag_sink *sink);

#endif
