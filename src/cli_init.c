/*
 * cli_init.c — `hardengen init [DIR]`: scaffold an infra repo that uses an
 * installed hardengen: profiles, an example filter map, an exceptions
 * folder, a GitHub Actions workflow and a pre-commit hook. The scaffold
 * builds and passes `check` as it is; nothing existing is overwritten.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_opts.h"
#include "cli.h"
#include "hg/util.h"

const char hg_help_init[] =
    "hardengen init [DIR] [--root DIR]\n"
    "\n"
    "Create an infra repo in DIR (default: the current folder) that uses the\n"
    "installed hardengen:\n"
    "\n"
    "  profiles/base.yaml            shared settings (abstract)\n"
    "  profiles/prod.yaml            an environment; edit its account and addresses\n"
    "  filters/example.lua           a custom filter with examples (see doc/filters.md)\n"
    "  exceptions/README.md          where reviewed exceptions go (exceptions/*.yaml)\n"
    "  .github/workflows/hardengen.yml  CI: check (SARIF upload), build --check, test\n"
    "  .githooks/pre-commit          refuses a commit whose out/ is stale\n"
    "\n"
    "The result builds and passes `hardengen check` as it is. A file that\n"
    "already exists is never overwritten: init then stops before writing\n"
    "anything and names it.\n"
    "\n"
    "options:\n"
    "  --root DIR      the same as the DIR argument (the argument wins)\n"
    "  --format text   the only format\n"
    "  -h, --help      show this help\n"
    "\n"
    "exit status: 0 created, 1 a file exists already, 2 usage, 3 I/O error.\n"
    "\n"
    "example:\n"
    "  hardengen init acme-security && cd acme-security && hardengen build --all\n";

typedef struct scaffold_file {
  const char *path;
  int mode;
  const char *text;
} scaffold_file;

static const scaffold_file files[] = {
    {"profiles/base.yaml", 0644,
     "# Shared settings of every account; not an environment of its own.\n"
     "# The keys are described in doc/hardengen-profile.5 (man hardengen-profile).\n"
     "abstract: true\n"
     "notify:\n"
     "  infosec: secops@example.com       # InfosecEmail: CIS alarms\n"
     "  devops: devops@example.com        # DevOpsEmail: operational alarms\n"
     "logs:\n"
     "  retention_days: 365\n"
     "cis:\n"
     "  version: \"1.4\"\n"
     "  targets: [securityhub, prowler, steampipe]\n"
     "alarms:\n"
     "  namespace: CISBenchmark\n"
     "config:\n"
     "  rules:\n"
     "    iam-password-policy: { MinimumPasswordLength: 14, PasswordReusePrevention: 24, "
     "MaxPasswordAge: 90 }\n"
     "vars:\n"
     "  trusted_source_ips: [\"203.0.113.*\"]   # office and VPN egress\n"},
    {"profiles/prod.yaml", 0644,
     "# The production account. `hardengen build --env prod` writes out/prod/.\n"
     "extends: base\n"
     "account:\n"
     "  name: example-prod\n"
     "  id: \"123456789012\"\n"
     "logs:\n"
     "  bucket: example-prod-security-logs\n"
     "templates:\n"
     "  bucket_url: https://example-cfn.s3.eu-west-1.amazonaws.com/hardening/\n"
     "publish: { bucket: example-cfn, prefix: hardening/, region: eu-west-1 }\n"},
    {"filters/example.lua", 0644,
     "-- filters/example.lua — this repo's own detections, beside the shipped\n"
     "-- CIS and custom filters. The Lua API is described in doc/filters.md.\n"
     "-- Check with `hardengen test --env prod`; replay old CloudTrail logs with\n"
     "-- `hardengen test --env prod --events ./ct/`.\n"
     "\n"
     "filter {\n"
     "  id = \"secret-deleted\",\n"
     "  title = \"A Secrets Manager secret was scheduled for deletion\",\n"
     "  pattern = all_of {\n"
     "    eq(\"$.eventSource\", \"secretsmanager.amazonaws.com\"),\n"
     "    eq(\"$.eventName\", \"DeleteSecret\"),\n"
     "  },\n"
     "  envs = \"all\",\n"
     "  topic = \"infosec\",\n"
     "  alarm = { threshold = 1, period = 300, evaluation_periods = 1 },\n"
     "  examples = {\n"
     "    match = {\n"
     "      { eventSource = \"secretsmanager.amazonaws.com\", eventName = \"DeleteSecret\" },\n"
     "    },\n"
     "    nomatch = {\n"
     "      { eventSource = \"secretsmanager.amazonaws.com\", eventName = \"GetSecretValue\" },\n"
     "    },\n"
     "  },\n"
     "}\n"},
    {"exceptions/README.md", 0644,
     "# Exceptions\n"
     "\n"
     "Reviewed exceptions to the detective controls live here as YAML files\n"
     "(`exceptions/*.yaml`), one list of entries each:\n"
     "\n"
     "```yaml\n"
     "- rule: restricted-ssh            # a rule name, or \"*\"\n"
     "  arn: arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0\n"
     "  reason: bastion host, SSH from the VPN only\n"
     "  approved_by: secops@example.com\n"
     "  expires: 2030-01-31\n"
     "```\n"
     "\n"
     "An entry names the resource by `arn` or by `tag: {KEY: VALUE}`. Changes go\n"
     "through review like any other code.\n"},
    {".github/workflows/hardengen.yml", 0644,
     "# Checks every pull request: the profiles and filters compile, the filters'\n"
     "# examples pass, and the checked-in out/ is what a build gives.\n"
     "name: hardengen\n"
     "on:\n"
     "  pull_request:\n"
     "  push:\n"
     "    branches: [main]\n"
     "permissions:\n"
     "  contents: read\n"
     "  security-events: write   # SARIF upload to code scanning\n"
     "jobs:\n"
     "  check:\n"
     "    runs-on: ubuntu-latest\n"
     "    steps:\n"
     "      - uses: actions/checkout@v4\n"
     "      - name: Install hardengen\n"
     "        run: |\n"
     "          sudo apt-get update\n"
     "          sudo apt-get install -y --no-install-recommends build-essential pkg-config \\\n"
     "            libyaml-dev liblua5.4-dev libcurl4-openssl-dev libssl-dev zlib1g-dev "
     "libdeflate-dev\n"
     "          git clone --depth 1 \"$HARDENGEN_REPO\" /tmp/hardengen\n"
     "          make -C /tmp/hardengen && sudo make -C /tmp/hardengen install\n"
     "        env:\n"
     "          HARDENGEN_REPO: " HG_HOME_URL "\n"
     "      - name: Check\n"
     "        run: hardengen check --all --format sarif > hardengen.sarif\n"
     "      - name: Upload findings\n"
     "        if: always()\n"
     "        uses: github/codeql-action/upload-sarif@v3\n"
     "        with:\n"
     "          sarif_file: hardengen.sarif\n"
     "      - name: Filter examples\n"
     "        run: for p in profiles/*.yaml; do e=$(basename \"$p\" .yaml); "
     "[ \"$e\" = base ] || hardengen test --env \"$e\"; done\n"
     "      - name: out/ is up to date\n"
     "        run: hardengen build --check --all || { hardengen diff --all; exit 1; }\n"},
    {".githooks/pre-commit", 0755,
     "#!/bin/sh\n"
     "# Refuse a commit whose out/ does not match the profiles and filters.\n"
     "# Enable once per clone: git config core.hooksPath .githooks\n"
     "command -v hardengen >/dev/null 2>&1 || exit 0\n"
     "hardengen check --all >/dev/null || { hardengen check --all; exit 1; }\n"
     "if ! hardengen build --check --all; then\n"
     "  echo \"pre-commit: run 'hardengen build --all' and add out/\" >&2\n"
     "  exit 1\n"
     "fi\n"},
};

static bool exists(const char *p)
{
  struct stat st;
  return lstat(p, &st) == 0;
}

int hg_cli_init(int argc, char **argv)
{
  static const char *const formats[] = {"text", NULL};
  const hg_cli_cmd cmd = {hg_help_init, NULL, formats, 1};
  hg_cli_args a;
  int rc = hg_cli_opts_parse(argc, argv, &cmd, &a);
  if (rc != 0) {
    hg_cli_args_free(&a);
    return hg_cli_opts_exit(rc);
  }
  /* DIR, else --root DIR (the folder the repository goes in), else here. */
  const char *dir = a.n_operands ? a.operands[0] : a.root_given ? a.root : NULL;
  if (!dir || !*dir)
    dir = ".";
  size_t n = sizeof files / sizeof files[0];
  char **paths = xcalloc(n, sizeof *paths);
  int status = HG_EXIT_OK;
  for (size_t i = 0; i < n; i++) {
    paths[i] = strcmp(dir, ".") == 0 ? xstrdup(files[i].path)
                                     : xasprintf("%s/%s", dir, files[i].path);
    if (exists(paths[i])) {
      fprintf(stderr, "%s: error: exists already; init writes nothing over it [init-exists]\n",
              paths[i]);
      status = HG_EXIT_INPUT;
    }
  }
  for (size_t i = 0; i < n && status == HG_EXIT_OK; i++) {
    char *slash = strrchr(paths[i], '/');
    if (slash) {
      *slash = '\0';
      int made = hg_mkdirs(paths[i], 0755);
      *slash = '/';
      if (made != 0) {
        fprintf(stderr, "%s: error: cannot create its folder: %s [init-write]\n", paths[i],
                strerror(errno));
        status = HG_EXIT_IO;
        break;
      }
    }
    if (hg_write_atomic(paths[i], files[i].text, strlen(files[i].text)) != 0 ||
        chmod(paths[i], (mode_t)files[i].mode) != 0) {
      fprintf(stderr, "%s: error: cannot write: %s [init-write]\n", paths[i], strerror(errno));
      status = HG_EXIT_IO;
      break;
    }
    printf("created %s\n", paths[i]);
  }
  if (status == HG_EXIT_OK) {
    const char *cd = strcmp(dir, ".") == 0 ? "" : dir;
    printf("\nnext:\n");
    if (*cd)
      printf("  cd %s\n", cd);
    printf("  $EDITOR profiles/prod.yaml          # account, addresses, buckets\n"
           "  hardengen check && hardengen build --all\n"
           "  git config core.hooksPath .githooks # the pre-commit hook\n");
  }
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  hg_cli_args_free(&a);
  return status;
}
