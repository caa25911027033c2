/*
 * fp_prog.c — a JSON pattern's conditions as jumping code, the form
 * fp_eval.c runs per event.
 *
 * A JSON pattern is a tree of AND, OR and groups over conditions. Short
 * circuit evaluation of such a tree is the same as following a list of its
 * conditions in source order, each with two successors: where to go when it
 * holds and where when it does not (the code a compiler emits for && and ||
 * in an `if`). Evaluation then is one loop over conditions, without
 * recursion over the tree and without visiting AND, OR or group nodes.
 *
 * For operand i of an AND, "true" continues with operand i + 1 (the AND's
 * own "true" after the last) and "false" is the AND's "false"; OR is the
 * mirror image; a group passes its targets to its operand. Every condition
 * is one instruction, emitted in source order, so the operand after a
 * subtree starts at the subtree's first instruction plus its number of
 * conditions.
 */
#include "fp_int.h"

/* Number of conditions (leaves) under x. */
static uint32_t leaves(const fp_node *x)
{
  if (x->kind == FPN_COND)
    return 1;
  uint32_t n = 0;
  for (size_t i = 0; i < x->n; i++)
    n += leaves(x->kids[i]);
  return n;
}

/* Emit x's conditions from prog[at]; x goes to t when true, f when false. */
static void emit(fp_insn *prog, const fp_node *x, uint32_t at, uint32_t t, uint32_t f)
{
  switch (x->kind) {
  case FPN_COND:
    prog[at].cond = x;
    prog[at].t = t;
    prog[at].f = f;
    return;
  case FPN_GROUP:
    emit(prog, x->kids[0], at, t, f);
    return;
  case FPN_AND:
  case FPN_OR:
    for (size_t i = 0; i < x->n; i++) {
      uint32_t next = at + leaves(x->kids[i]);
      bool last = i + 1 == x->n;
      if (x->kind == FPN_AND)
        emit(prog, x->kids[i], at, last ? t : next, f);
      else
        emit(prog, x->kids[i], at, t, last ? f : next);
      at = next;
    }
    return;
  }
}

void fp_prog_build(hg_fp *fp)
{
  fp->prog = NULL;
  fp->nprog = 0;
  if (fp->kind != HG_FP_JSON || !fp->root)
    return;
  uint32_t n = leaves(fp->root);
  fp->prog = hg_arena_alloc(fp->arena, n * sizeof *fp->prog);
  fp->nprog = n;
  emit(fp->prog, fp->root, 0, n, n + 1);
}
