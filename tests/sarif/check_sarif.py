#!/usr/bin/env python3
"""check_sarif.py FILE — check a SARIF log against the structure the SARIF
2.1.0 schema (OASIS, sarif-schema-2.1.0.json) requires: required members,
types, enumerations, the closed member sets (additionalProperties: false)
of the objects hardengen writes, and the cross references (ruleIndex,
uriBaseId). Standard library only. Prints each problem; exit 1 if any."""
import json
import re
import sys

problems = []


def bad(path, why):
    problems.append(f"{path}: {why}")


def obj(v, path, required=(), allowed=None):
    if not isinstance(v, dict):
        bad(path, "not an object")
        return False
    for k in required:
        if k not in v:
            bad(path, f"missing required '{k}'")
    if allowed is not None:
        for k in v:
            if k not in allowed:
                bad(path, f"member '{k}' is not allowed here")
    return True


def string(v, path):
    if not isinstance(v, str):
        bad(path, "not a string")
        return False
    return True


def integer(v, path, minimum):
    if not isinstance(v, int) or isinstance(v, bool) or v < minimum:
        bad(path, f"not an integer >= {minimum}")
        return False
    return True


URI_REF = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*$")
ABS_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def uri(v, path, absolute=False):
    if not string(v, path):
        return
    if not URI_REF.match(v) or re.search(r"%(?![0-9A-Fa-f]{2})", v):
        bad(path, f"not a valid URI reference: {v!r}")
    if absolute and not ABS_URI.match(v):
        bad(path, f"not an absolute URI: {v!r}")


PROPS = {"properties"}
MESSAGE = {"text", "markdown", "id", "arguments"} | PROPS
MFMS = {"text", "markdown"} | PROPS
DESCRIPTOR = {"id", "deprecatedIds", "guid", "deprecatedGuids", "name", "deprecatedNames",
              "shortDescription", "fullDescription", "messageStrings", "defaultConfiguration",
              "helpUri", "help", "relationships"} | PROPS
DRIVER = {"guid", "name", "organization", "product", "productSuite", "shortDescription",
          "fullDescription", "fullName", "version", "semanticVersion", "dottedQuadFileVersion",
          "releaseDateUtc", "downloadUri", "informationUri", "globalMessageStrings",
          "notifications", "rules", "taxa", "locations", "language", "contents",
          "isComprehensive", "localizedDataSemanticVersion", "minimumRequiredLocalizedDataSemanticVersion",
          "associatedComponent", "translationMetadata", "supportedTaxonomies"} | PROPS
RESULT = {"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget", "locations",
          "guid", "correlationGuid", "occurrenceCount", "partialFingerprints", "fingerprints",
          "stacks", "codeFlows", "graphs", "graphTraversals", "relatedLocations", "suppressions",
          "baselineState", "rank", "attachments", "hostedViewerUri", "workItemUris", "provenance",
          "fixes", "taxa", "webRequest", "webResponse"} | PROPS
LOCATION = {"id", "physicalLocation", "logicalLocations", "message", "annotations",
            "relationships"} | PROPS
PHYSICAL = {"address", "artifactLocation", "region", "contextRegion"} | PROPS
ARTIFACT = {"uri", "uriBaseId", "index", "description"} | PROPS
REGION = {"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength",
          "byteOffset", "byteLength", "snippet", "message", "sourceLanguage"} | PROPS
RUN = {"tool", "invocations", "conversion", "language", "versionControlProvenance",
       "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
       "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
       "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
       "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
       "translations", "policies", "webRequests", "webResponses", "specialLocations"} | PROPS
LOG = {"$schema", "version", "runs", "inlineExternalProperties"} | PROPS


def message(v, path, allowed=MESSAGE):
    if obj(v, path, allowed=allowed):
        if "text" not in v and "id" not in v:
            bad(path, "a message needs 'text' or 'id'")
        if "text" in v:
            string(v["text"], path + ".text")


def check(log):
    if not obj(log, "$", ("version", "runs"), LOG):
        return
    if log.get("version") != "2.1.0":
        bad("$.version", f"is {log.get('version')!r}, want '2.1.0'")
    if "$schema" in log:
        uri(log["$schema"], "$.$schema", absolute=True)
    if not isinstance(log.get("runs"), list):
        bad("$.runs", "not an array")
        return
    for ri, run in enumerate(log["runs"]):
        rp = f"$.runs[{ri}]"
        if not obj(run, rp, ("tool",), RUN):
            continue
        tool = run["tool"]
        if not obj(tool, rp + ".tool", ("driver",), {"driver", "extensions"} | PROPS):
            continue
        drv = tool["driver"]
        dp = rp + ".tool.driver"
        rules = []
        if obj(drv, dp, ("name",), DRIVER):
            string(drv.get("name"), dp + ".name")
            for k in ("version", "semanticVersion"):
                if k in drv:
                    string(drv[k], f"{dp}.{k}")
            if "informationUri" in drv:
                uri(drv["informationUri"], dp + ".informationUri", absolute=True)
            rules = drv.get("rules", [])
            if not isinstance(rules, list):
                bad(dp + ".rules", "not an array")
                rules = []
            ids = set()
            for i, r in enumerate(rules):
                p = f"{dp}.rules[{i}]"
                if obj(r, p, ("id",), DESCRIPTOR):
                    string(r.get("id"), p + ".id")
                    if r.get("id") in ids:
                        bad(p, f"duplicate rule id {r.get('id')!r}")
                    ids.add(r.get("id"))
                    if "shortDescription" in r:
                        message(r["shortDescription"], p + ".shortDescription", MFMS)
                    if "helpUri" in r:
                        uri(r["helpUri"], p + ".helpUri", absolute=True)
        bases = run.get("originalUriBaseIds", {})
        if obj(bases, rp + ".originalUriBaseIds"):
            for k, v in bases.items():
                p = f"{rp}.originalUriBaseIds[{k!r}]"
                if obj(v, p, allowed=ARTIFACT) and "uri" in v:
                    uri(v["uri"], p + ".uri")
                    if not v["uri"].endswith("/"):
                        bad(p + ".uri", "a base URI must end with '/'")
                    if "uriBaseId" not in v and not ABS_URI.match(v["uri"]):
                        bad(p + ".uri", "a top-level base must be absolute")
        results = run.get("results", [])
        if not isinstance(results, list):
            bad(rp + ".results", "not an array")
            continue
        for i, res in enumerate(results):
            p = f"{rp}.results[{i}]"
            if not obj(res, p, ("message",), RESULT):
                continue
            message(res["message"], p + ".message")
            if "level" in res and res["level"] not in ("none", "note", "warning", "error"):
                bad(p + ".level", f"{res['level']!r} is not a level")
            if "ruleIndex" in res and integer(res["ruleIndex"], p + ".ruleIndex", -1):
                ix = res["ruleIndex"]
                if ix >= len(rules):
                    bad(p + ".ruleIndex", "points past tool.driver.rules")
                elif "ruleId" in res and rules[ix].get("id") != res["ruleId"]:
                    bad(p, "ruleId and the rule at ruleIndex differ")
            if "ruleId" in res:
                string(res["ruleId"], p + ".ruleId")
            for k in ("partialFingerprints", "fingerprints"):
                if k in res and obj(res[k], f"{p}.{k}"):
                    for fk, fv in res[k].items():
                        string(fv, f"{p}.{k}[{fk!r}]")
            if "properties" in res:
                obj(res["properties"], p + ".properties")
            for li, loc in enumerate(res.get("locations", [])):
                lp = f"{p}.locations[{li}]"
                if not obj(loc, lp, allowed=LOCATION) or "physicalLocation" not in loc:
                    continue
                phys = loc["physicalLocation"]
                pp = lp + ".physicalLocation"
                if not obj(phys, pp, allowed=PHYSICAL):
                    continue
                if "address" not in phys and "artifactLocation" not in phys:
                    bad(pp, "needs 'artifactLocation' or 'address'")
                art = phys.get("artifactLocation")
                if art is not None and obj(art, pp + ".artifactLocation", allowed=ARTIFACT):
                    if "uri" in art:
                        uri(art["uri"], pp + ".artifactLocation.uri")
                    if "uriBaseId" in art and art["uriBaseId"] not in bases:
                        bad(pp + ".artifactLocation.uriBaseId",
                            f"{art['uriBaseId']!r} is not in run.originalUriBaseIds")
                    if "uriBaseId" not in art and "uri" in art and not ABS_URI.match(art["uri"]):
                        bad(pp + ".artifactLocation", "a relative uri needs a uriBaseId")
                reg = phys.get("region")
                if reg is not None and obj(reg, pp + ".region", allowed=REGION):
                    for k in ("startLine", "startColumn", "endLine", "endColumn"):
                        if k in reg:
                            integer(reg[k], f"{pp}.region.{k}", 1)
                    if "startColumn" in reg and "endColumn" in reg and \
                            reg["endColumn"] < reg["startColumn"]:
                        bad(pp + ".region", "endColumn before startColumn")


try:
    with open(sys.argv[1], encoding="utf-8") as f:
        check(json.load(f))
except (OSError, ValueError) as e:
    problems.append(f"cannot read {sys.argv[1]}: {e}")
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
