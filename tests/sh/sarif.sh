#!/usr/bin/env bash
# sarif.sh — SARIF from `check` and `lint-iam` has the structure the SARIF
# 2.1.0 schema requires (tests/sarif/check_sarif.py, which must also reject
# broken logs), with rules, repo-relative URIs under %SRCROOT%, endColumn,
# partialFingerprints and the envs of a shared diagnostic; JSON outputs
# carry a "schema" version; `check --all` groups its text per env.
. "$(dirname "$0")/lib.sh"
need_tool sarif python3 || exit 0
d=$(tmpdir)
chk="$HG_TOP/tests/sarif/check_sarif.py"
mkdir -p "$d/repo" && cp -r "$HG_TOP/profiles" "$HG_TOP/filters" "$HG_TOP/templates" "$d/repo/"
# Problems: a profile warning (dev only) and a broken example (a file both envs read).
sed -i 's/retention_days: 365/retention_days: 30/' "$d/repo/profiles/dev.yaml"
sed -i '111s/ec2("DescribeInstances", null, { readOnly = true })/ec2("StopInstances", instances("i-0a1b2c3d4e5f60009"))/' \
  "$d/repo/filters/custom.lua"

(cd "$d/repo" && "$HG_BIN" check --format sarif >"$d/check.sarif" 2>"$d/err"); rc=$?
[ $rc -eq 1 ] && pass sarif_check_exit || fail sarif_check_exit "exit $rc: $(head -3 "$d/err")"
if out=$(python3 "$chk" "$d/check.sarif"); then pass sarif_check_valid; else fail sarif_check_valid "$out"; fi

python3 - "$d/check.sarif" >"$d/facts" 2>&1 <<'PY' && pass sarif_check_content || fail sarif_check_content "$(cat "$d/facts")"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "hardengen" and drv["version"] and drv["informationUri"].startswith("https://"), drv
ids = [r["id"] for r in drv["rules"]]
assert "test-example-failed" in ids and "profile-short-retention" in ids, ids
assert all(r["helpUri"].endswith("README.md#diagnostics") and r["shortDescription"]["text"] for r in drv["rules"])
base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
assert base.startswith("file:///") and base.endswith("/"), base
res = {r["ruleId"]: r for r in run["results"]}
ex = res["test-example-failed"]
loc = ex["locations"][0]["physicalLocation"]["artifactLocation"]
assert loc == {"uri": "filters/custom.lua", "uriBaseId": "%SRCROOT%"}, loc
assert ex["properties"]["envs"] == ["dev", "prod"], ex.get("properties")
assert len([r for r in run["results"] if r["ruleId"] == "test-example-failed"]) == 1
pb = res["profile-short-retention"]
assert pb["level"] == "warning"
reg = pb["locations"][0]["physicalLocation"]["region"]
assert reg == {"startLine": 10, "startColumn": 19, "endColumn": 21}, reg
assert pb["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "profiles/dev.yaml"
assert pb["properties"]["envs"] == ["dev"]
assert all(len(r["partialFingerprints"]["hardengen/v1"]) == 32 for r in run["results"])
PY

# Run from a sub-folder (root found upward) and with --root: the same URIs.
mkdir -p "$d/repo/ci"
(cd "$d/repo/ci" && "$HG_BIN" check --format sarif >"$d/sub.sarif" 2>/dev/null)
"$HG_BIN" check --root "$d/repo" --format sarif >"$d/abs.sarif" 2>/dev/null
strip() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["runs"][0]; print(json.dumps(r["results"], sort_keys=True))' "$1"; }
if [ "$(strip "$d/sub.sarif")" = "$(strip "$d/check.sarif")" ] && [ "$(strip "$d/abs.sarif")" = "$(strip "$d/check.sarif")" ]; then
  pass sarif_uris_repo_relative; else fail sarif_uris_repo_relative "$(strip "$d/sub.sarif" | head -c 300)"; fi

"$HG_BIN" lint-iam --format sarif "$HG_TOP/tests/iam/policy.json" >"$d/iam.sarif" 2>/dev/null
if out=$(python3 "$chk" "$d/iam.sarif"); then pass sarif_lint_iam_valid; else fail sarif_lint_iam_valid "$out"; fi
(cd "$HG_TOP" && "$HG_BIN" check --format sarif >"$d/clean.sarif" 2>/dev/null)
if out=$(python3 "$chk" "$d/clean.sarif"); then pass sarif_clean_valid; else fail sarif_clean_valid "$out"; fi

# The checker itself rejects what the schema rejects.
printf '%s' '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x","rules":[{"id":"a"}]}},
  "results":[{"ruleId":"b","ruleIndex":0,"level":"fatal","message":{},"extra":1,
  "locations":[{"physicalLocation":{"artifactLocation":{"uri":"a b","uriBaseId":"%NOPE%"},
  "region":{"startLine":0}}}]}]}]}' >"$d/broken.sarif"
out=$(python3 "$chk" "$d/broken.sarif")
n=$(printf '%s\n' "$out" | grep -c .)
[ "$n" -ge 7 ] && pass sarif_checker_rejects || fail sarif_checker_rejects "$n problems: $out"

# JSON: a schema version everywhere.
(cd "$d/repo" && "$HG_BIN" check --format json >"$d/check.json" 2>/dev/null)
python3 - "$d/check.json" <<'PY' && pass json_check_shape || fail json_check_shape "$(head -c 300 "$d/check.json")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == 1 and j["tool"] == "hardengen"
ex = [x for x in j["diagnostics"] if x["code"] == "test-example-failed"]
assert len(ex) == 1 and ex[0]["envs"] == ["dev", "prod"], ex
PY
ok=1
for cmd in "list --env prod --format json" "test --env prod --format json" "lint-iam --format json $HG_TOP/tests/iam/policy.json"; do
  # shellcheck disable=SC2086
  s=$(cd "$HG_TOP" && "$HG_BIN" $cmd 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("schema"))')
  [ "$s" = 1 ] || { ok=0; fail json_schema_member "$cmd: schema=$s"; }
done
[ $ok = 1 ] && pass json_schema_member

# Text: a status line per env, each followed by its diagnostics; shared ones once.
(cd "$d/repo" && "$HG_BIN" check >"$d/out" 2>"$d/err")
if grep -qx 'dev: failed (1 error, 1 warning)' "$d/out" &&
  grep -qx 'prod: failed (1 error, 0 warnings; 1 shown above)' "$d/out" &&
  [ "$(grep -c 'test-example-failed' "$d/err")" = 1 ]; then pass check_all_per_env; else
  fail check_all_per_env "$(cat "$d/out") / $(grep -c error "$d/err")"; fi
