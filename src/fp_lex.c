/*
 * fp_lex.c — tokens of JSON and space-delimited filter patterns.
 *
 * One lexer serves both bracketed kinds: punctuation ( ) { } [ ] , && ||,
 * comparison operators, selectors ($.a.b[0], $.['x.y'], $.*), double-quoted
 * strings, %regex% and bare words of [A-Za-z0-9_.*:@/-] (a backslash may
 * escape a star). Keywords (IS, NULL, NOT, EXISTS, TRUE, FALSE) are words;
 * the parser gives them meaning. The lexer never fails: a problem comes back
 * as an FPK_BAD token with a message, and `fatal` set when nothing after it
 * can be tokenised (an unterminated string or regex).
 */
#include <string.h>

#include "fp_int.h"

const char *fp_op_text(fp_op op)
{
  switch (op) {
  case FPO_EQ: return "=";
  case FPO_NE: return "!=";
  case FPO_LT: return "<";
  case FPO_GT: return ">";
  case FPO_LE: return "<=";
  case FPO_GE: return ">=";
  case FPO_IS_NULL: return "IS NULL";
  case FPO_IS_TRUE: return "IS TRUE";
  case FPO_IS_FALSE: return "IS FALSE";
  case FPO_NOT_EXISTS: return "NOT EXISTS";
  }
  return "?";
}

static bool is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_alnum(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_word_char(char c)
{
  return is_alnum(c) || strchr("_.*:@/-", c) != NULL;
}

static bool is_name_char(char c)
{
  return is_alnum(c) || c == '_' || c == '-';
}

static fp_tok bad(size_t off, size_t len, const char *msg, bool fatal)
{
  fp_tok t;
  memset(&t, 0, sizeof t);
  t.kind = FPK_BAD;
  t.off = off;
  t.len = len;
  t.bad_off = off;
  t.bad_len = len ? len : 1;
  t.msg = msg;
  t.fatal = fatal;
  return t;
}

/* A selector starting at lx->pos ('$'). */
static fp_tok lex_selector(fp_lexer *lx)
{
  const char *s = lx->s;
  size_t start = lx->pos, i = start + 1, n = lx->len;
  size_t steps = 0;
  for (;;) {
    if (i < n && s[i] == '.') {
      i++;
      if (i < n && s[i] == '*') {
        i++;
      } else if (i < n && s[i] == '[') {
        continue; /* $.['name'] or $.[0]: the bracket step follows */
      } else if (i < n && is_name_char(s[i])) {
        while (i < n && is_name_char(s[i]))
          i++;
      } else {
        lx->pos = i;
        return bad(i, 1, "expected a member name after '.'", false);
      }
      steps++;
    } else if (i < n && s[i] == '[') {
      size_t open = i;
      i++;
      if (i < n && s[i] == '\'') {
        const char *close = NULL;
        for (size_t k = i + 1; k + 1 < n; k++)
          if (s[k] == '\'' && s[k + 1] == ']') {
            close = s + k;
            break;
          }
        if (!close) {
          lx->pos = n;
          return bad(open, 2, "unterminated ['name'] in selector", true);
        }
        i = (size_t)(close - s) + 2;
      } else if (i < n && s[i] == '*' && i + 1 < n && s[i + 1] == ']') {
        i += 2;
      } else {
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
          i++;
        if (i == d || i >= n || s[i] != ']' || i - d > 9) {
          lx->pos = i < n ? i : n;
          return bad(open, (i < n ? i + 1 : n) - open,
                     "expected an index, '*' or a quoted name inside '[ ]'", false);
        }
        i++;
      }
      steps++;
    } else {
      break;
    }
  }
  lx->pos = i;
  if (steps == 0)
    return bad(start, i - start, "a selector needs a member after '$', e.g. $.eventName", false);
  fp_tok t;
  memset(&t, 0, sizeof t);
  t.kind = FPK_SEL;
  t.off = start;
  t.len = i - start;
  return t;
}

/* A string ("...") or a regex (%...%) starting at lx->pos. */
static fp_tok lex_delimited(fp_lexer *lx, char q, fpk_kind kind)
{
  const char *s = lx->s;
  size_t start = lx->pos, i = start + 1, n = lx->len;
  while (i < n && s[i] != q) {
    if (q == '"' && s[i] == '\\' && i + 1 < n)
      i++;
    i++;
  }
  if (i >= n) {
    lx->pos = n;
    return bad(start, 1, q == '"' ? "unterminated string" : "unterminated regex", true);
  }
  lx->pos = i + 1;
  fp_tok t;
  memset(&t, 0, sizeof t);
  t.kind = kind;
  t.off = start;
  t.len = i + 1 - start;
  return t;
}

static fp_tok simple(fp_lexer *lx, fpk_kind kind, size_t len)
{
  fp_tok t;
  memset(&t, 0, sizeof t);
  t.kind = kind;
  t.off = lx->pos;
  t.len = len;
  lx->pos += len;
  return t;
}

static fp_tok op_tok(fp_lexer *lx, fp_op op, size_t len)
{
  fp_tok t = simple(lx, FPK_OP, len);
  t.op = op;
  return t;
}

fp_tok fp_lex_next(fp_lexer *lx)
{
  const char *s = lx->s;
  size_t n = lx->len;
  while (lx->pos < n && is_space(s[lx->pos]))
    lx->pos++;
  if (lx->pos >= n) {
    fp_tok t;
    memset(&t, 0, sizeof t);
    t.kind = FPK_END;
    t.off = n;
    return t;
  }
  size_t i = lx->pos;
  char c = s[i];
  char d = i + 1 < n ? s[i + 1] : '\0';
  switch (c) {
  case '(': return simple(lx, FPK_LPAREN, 1);
  case ')': return simple(lx, FPK_RPAREN, 1);
  case '{': return simple(lx, FPK_LBRACE, 1);
  case '}': return simple(lx, FPK_RBRACE, 1);
  case '[': return simple(lx, FPK_LBRACKET, 1);
  case ']': return simple(lx, FPK_RBRACKET, 1);
  case ',': return simple(lx, FPK_COMMA, 1);
  case '&':
    if (d == '&')
      return simple(lx, FPK_AND, 2);
    lx->pos++;
    return bad(i, 1, "expected '&&'", false);
  case '|':
    if (d == '|')
      return simple(lx, FPK_OR, 2);
    lx->pos++;
    return bad(i, 1, "expected '||'", false);
  case '=':
    if (d == '=') {
      lx->pos += 2;
      return bad(i, 2, "'==' is not an operator; use '='", false);
    }
    return op_tok(lx, FPO_EQ, 1);
  case '!':
    if (d == '=')
      return op_tok(lx, FPO_NE, 2);
    lx->pos++;
    return bad(i, 1, "unexpected '!' (the operator is '!=')", false);
  case '<': return d == '=' ? op_tok(lx, FPO_LE, 2) : op_tok(lx, FPO_LT, 1);
  case '>': return d == '=' ? op_tok(lx, FPO_GE, 2) : op_tok(lx, FPO_GT, 1);
  case '$': return lex_selector(lx);
  case '"': return lex_delimited(lx, '"', FPK_STRING);
  case '%': return lex_delimited(lx, '%', FPK_REGEX);
  default: break;
  }
  if (is_word_char(c) || (c == '\\' && d == '*')) {
    while (i < n) {
      if (s[i] == '\\' && i + 1 < n && s[i + 1] == '*')
        i += 2;
      else if (is_word_char(s[i]))
        i++;
      else
        break;
    }
    fp_tok t;
    memset(&t, 0, sizeof t);
    t.kind = FPK_WORD;
    t.off = lx->pos;
    t.len = i - lx->pos;
    lx->pos = i;
    return t;
  }
  /* Skip one character (a whole UTF-8 sequence when it is one). */
  size_t len = 1;
  unsigned char u = (unsigned char)c;
  if (u >= 0xC0)
    while (i + len < n && ((unsigned char)s[i + len] & 0xC0) == 0x80 && len < 4)
      len++;
  lx->pos += len;
  if (u >= 0x80)
    return bad(i, len, "unexpected non-ASCII character; quote the value", false);
  if (c == '\\')
    return bad(i, 1, "unexpected '\\'; only '\\*' may be escaped in a bare value", false);
  return bad(i, 1, "unexpected character", false);
}
