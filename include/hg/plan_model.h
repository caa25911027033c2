/*
 * plan_model.h — the stack-set model between planning and emitting: one
 * table of the parameters the set takes from the profile, one table of the
 * stacks of the set, and one contract per template skeleton.
 *
 *   hg_plan_params  (plan_params.c)  CloudFormation name, profile path,
 *       kind, fallback, description, the stacks that must declare it.
 *       Read by the parent (declarations and Defaults), the child stacks'
 *       parameter passing, manifest.json's "parameters", the Default
 *       checks of the quota stage and the StackSet flattener.
 *   hg_plan_stacks  (plan_stacks.c)  logical id in the parent, file stem,
 *       skeleton, the profile condition, DependsOn, output passed up.
 *       The parent's child resources are wired from these rows.
 *   contracts       (plan_contract.c) the logical ids, types, parameters
 *       and outputs a skeleton must have, derived from both tables plus
 *       the resources the planner fills; checked when a skeleton is loaded.
 *
 * Adding a parameter is adding a row to hg_plan_params (and declaring it in
 * the child skeletons that use it: the contract says so when they do not).
 * Adding a stack is adding a row to hg_plan_stacks (its template is filled
 * by its own planner module and appended to hg_plan.t before the parent is
 * wired).
 */
#ifndef HG_PLAN_MODEL_H
#define HG_PLAN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "hg/diag.h"
#include "hg/doc.h"
#include "hg/plan.h"
#include "hg/profile.h"

/* The stacks of the set, in the order of hg_plan_stacks. */
typedef enum {
  HG_STACK_PARENT,
  HG_STACK_CLOUDTRAIL,
  HG_STACK_CONFIG,
  HG_STACK_CLOUDWATCH,
  HG_STACK_CLOUDWATCH_PART,  /* the alarm parts 2..N */
  HG_STACK_CENTRAL,
  HG_STACK_DETECTIVE,
  HG_STACK_PREFLIGHT,
  HG_STACK_MEMBER,           /* the flattened StackSet member (SPEC §12) */
  HG_STACK_COUNT
} hg_plan_stack_id;

#define HG_STACK_BIT(s) (1u << (s))

/* ---- parameters ---- */

/* The parameter every TemplateURL is built on. */
#define HG_PLAN_TEMPLATE_URL_PARAM "CFtemplateBucketURL"

typedef enum {
  HG_PARAM_STRING,  /* a const char * field of hg_profile; CloudFormation Type String */
  HG_PARAM_NUMBER,  /* an int field of hg_profile; CloudFormation Type Number */
} hg_plan_param_kind;

enum {
  /* In a StackSet member the value names a per-account resource: references
   * become ${NAME}-${AWS::AccountId} (the log bucket). */
  HG_PARAM_PER_ACCOUNT = 1u << 0,
  /* The value is the folder the child templates are published in: publish
   * sets it to the folder it uploaded to. */
  HG_PARAM_TEMPLATE_FOLDER = 1u << 1,
};

typedef struct hg_plan_param {
  const char *name;         /* CloudFormation parameter name */
  const char *path;         /* dotted profile path of its value */
  hg_plan_param_kind kind;
  size_t offset;            /* offsetof(hg_profile, FIELD) */
  const char *fallback;     /* Default when the profile leaves the field unset; NULL: required */
  const char *description;  /* the parent's Description when its skeleton does not declare it */
  unsigned stacks;          /* HG_STACK_BIT of each stack whose skeleton must declare it */
  unsigned flags;           /* HG_PARAM_... */
} hg_plan_param;

/* The table, in the order of the parent's Parameters and the manifest. */
extern const hg_plan_param hg_plan_params[];
extern const size_t hg_plan_n_params;

/* The row named name, or NULL. */
const hg_plan_param *hg_plan_param_find(const char *name);
/* "String" | "Number". */
const char *hg_plan_param_type(const hg_plan_param *r);
/* The value of r for profile p as a new Default node (a string, or an
 * integer for a Number), or NULL when the profile leaves it unset and the
 * row has no fallback. */
hg_doc *hg_plan_param_default(const hg_plan_param *r, const hg_profile *p);
/* The same value as text (a Number in decimal), malloc'd; or NULL. */
char *hg_plan_param_value(const hg_plan_param *r, const hg_profile *p);
/* The name of the HG_PARAM_PER_ACCOUNT row, or NULL. */
const char *hg_plan_param_per_account(void);
/* The name of the HG_PARAM_TEMPLATE_FOLDER row (CFtemplateBucketURL). */
const char *hg_plan_param_template_folder(void);

/*
 * The parent's Parameters from the table: each row's Default is the
 * profile's value; a row the skeleton does not declare is declared from the
 * row (Type, Description, Default), after the declared ones.
 */
void hg_plan_params_fill_parent(const hg_profile *p, hg_doc *parent);

/*
 * Pass the table's parameters to a child stack resource: for each
 * parameter the child template declares (in its order) that is a row of
 * the table, Properties.Parameters.NAME = !Ref NAME; a row the child does
 * not declare is removed from the resource's Parameters (config.mode:
 * existing drops Bucket4Logs), and an empty Parameters map with it. Other
 * entries the skeleton wrote are kept.
 */
void hg_plan_params_pass(hg_doc *stack, const hg_doc *child);

/* ---- stacks ---- */

typedef enum {
  HG_WHEN_ALWAYS,
  HG_WHEN_PREFLIGHT,  /* profile.preflight (the default) */
  HG_WHEN_DETECTIVE,  /* a detective: block */
  HG_WHEN_CENTRAL,    /* detective: and the env is the central account */
  HG_WHEN_ORG,        /* an org: block */
} hg_plan_when;

enum {
  HG_ROW_IN_SKELETON = 1u << 0,  /* the parent skeleton declares the resource; the planner wires it */
  HG_ROW_PARTS = 1u << 1,        /* one resource LOGICAL+K per template STEM.K (K = 2, 3, ...) */
  HG_ROW_FIRST = 1u << 2,        /* the parent's first resource; every other child DependsOn it */
};

typedef struct hg_plan_stack {
  hg_plan_stack_id id;
  const char *logical;   /* resource id in the parent; NULL: not a child of the parent */
  const char *stem;      /* emitted file name without the extension */
  const char *skeleton;  /* templates/NAME it is filled from; NULL: generated (the StackSet member) */
  hg_plan_when when;
  unsigned flags;        /* HG_ROW_... */
  const char *depends;   /* DependsOn of a generated resource, or NULL */
  const char *like;      /* HG_ROW_PARTS: the parent resource each part copies */
  /* An output of the child passed up as an output of the parent. */
  const char *output, *child_output, *output_description;
} hg_plan_stack;

extern const hg_plan_stack hg_plan_stacks[HG_STACK_COUNT];

/* Whether profile p has the stack (its row's condition). */
bool hg_plan_stack_wanted(hg_plan_stack_id id, const hg_profile *p);

/*
 * Wire the parent's child stacks from the rows: for each wanted row with a
 * logical id whose template is in p->t, the resource (the skeleton's, a
 * copy of `like`, or a new one) gets its TemplateURL, DependsOn and the
 * parameters of hg_plan_params_pass; HG_ROW_FIRST rows go first and every
 * other child DependsOn them; outputs are passed up. Call it once every
 * child template is in p->t and before the parent is added.
 */
void hg_plan_wire_parent(const hg_profile *pr, const hg_plan *p, hg_plan_format f, hg_doc *parent);

/* ---- skeleton contracts ---- */

typedef enum {
  HG_NEED_RESOURCE,   /* Resources.NAME of type `type` (NAME NULL: any resource of that type) */
  HG_NEED_PARAMETER,  /* Parameters.NAME of Type `type` */
  HG_NEED_OUTPUT,     /* Outputs.NAME */
} hg_plan_need_kind;

typedef struct hg_plan_need {
  hg_plan_need_kind kind;
  const char *name;
  const char *type;
  const char *source; /* RESOURCE without NAME: the Properties.Source.SourceIdentifier it must have, or NULL */
  const char *why;    /* what the planner does with it, for the diagnostic's note */
  const char *runs;   /* a child stack of the parent: the stem of the template it runs, or NULL */
} hg_plan_need;

/* The contract of templates/SKELETON: its needs into out (at most cap);
 * returns their number (0 for a skeleton with no row). */
size_t hg_plan_contract(const char *skeleton, hg_plan_need *out, size_t cap);

/*
 * Check a loaded skeleton d (read from text/len, shown as file) against its
 * contract, and check that every parameter it declares without a Default is
 * one the parent passes. Each missing item is an error at the place it
 * belongs (the Resources, Parameters or Outputs key, or the mismatching
 * Type), with a caret. Returns the number of errors added.
 */
int hg_plan_contract_check(const char *skeleton, const hg_doc *d, const char *file, const char *text,
                           size_t len, hg_diag_sink *sink);

#endif
