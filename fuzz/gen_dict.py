#!/usr/bin/env python3
"""Writes fuzz/dict.txt: libFuzzer dictionary for the caac fuzz targets.

YAML/JSON syntax and encodings (hand-picked), every property name and enum
value of the spec schema and Graph's conditionalAccessPolicy schemas
(schemas/), and the keywords and names caac resolves. Run from the repository
root after the schemas change: `python3 fuzz/gen_dict.py`.
"""
import json

SCHEMAS = [
    "schemas/policy.schema.json",
    "schemas/graph/conditionalAccessPolicy.v1.0.schema.json",
    "schemas/graph/conditionalAccessPolicy.beta.schema.json",
    "schemas/location.schema.json",
    "schemas/strength.schema.json",
    "schemas/config.schema.json",
]
EXTRA = [
    "All", "None", "AllTrusted", "Office365", "MicrosoftAdminPortals", "GuestsOrExternalUsers",
    "Office 365 Exchange Online", "Office 365 SharePoint Online", "Emergency Access", "Pilot",
    "Phishing-resistant MFA", "Global Administrator", "registerSecurityInfo",
    "urn:user:registersecurityinfo", "c1", "00000002-0000-0ff1-ce00-000000000000",
    "11111111-1111-4111-8111-111111111111", "@odata.type", "@odata.context",
    "#microsoft.graph.conditionalAccessPolicy", "value", "PolicyConfig", "Conditions",
    "GrantControls", "SessionControls", "DisplayName", "State", "IncludeUsers", "reportOnly",
    "enabledForReportingButNotEnforced", "passthrough", "conditions", "sessionControls",
    "grantControls", "frequencyInterval", "everyTime", "isEnabled", "caac-ignore:",
    "caac-ignore-file:", "CA410", "token-protection", "/Date(1662149889905)/",
    'device.trustType -eq "AzureAD"',
    # named locations and authentication strengths as Graph returns them
    "#microsoft.graph.ipNamedLocation", "#microsoft.graph.countryNamedLocation",
    "#microsoft.graph.iPv4CidrRange", "#microsoft.graph.iPv6CidrRange", "#microsoft.graph.iPv4Range",
    "#microsoft.graph.authenticationStrengthPolicy", "#microsoft.graph.fido2CombinationConfiguration",
    "#microsoft.graph.x509CertificateCombinationConfiguration", "cidrAddress", "lowerAddress",
    "upperAddress", "policyType", "builtIn", "custom", "requirementsSatisfied", "203.0.113.0/24",
    "2001:db8::/48", "0.0.0.0/0", "::/0", "NL", "NO", "password,sms", "Contoso Passkeys", "HQ",
    "cb69481e-8ff7-4039-93ec-0a2729a154a8",
    # saved plans (`caac plan -o`)
    "generator", "caac", "plan", "caacVersion", "graph", "prune", "lintErrors", "inputs", "changes",
    "summary", "items", "names", "notes", "action", "kind", "spec", "matchedBy", "fingerprint",
    "body", "request", "then", "bodyId", "method", "path", "before", "after", "POST", "PATCH",
    "DELETE", "create", "update", "delete", "unchanged", "unmanaged", "policy", "namedLocation",
    "authenticationStrength", "absent", "sha256:", "/v1.0", "/beta",
    "/v1.0/identity/conditionalAccess/policies", "/v1.0/identity/conditionalAccess/namedLocations",
    "/v1.0/policies/authenticationStrengthPolicies", "/updateAllowedCombinations",
    "https://graph.microsoft.com", "0a000000-0000-4000-8000-000000000001", "lock", "spec id",
    # the config file
    "naming-convention", "CA801", "CA105", "off", "error", "warning", "info", "strict",
    "^CA\\d{3}-", "usgov", "china", "Microsoft Teams Services", "iOS", "macOS",
]
# Byte strings (latin-1 code points = bytes): BOMs and multi-byte UTF-8 included.
SYNTAX = [
    ": ", "- ", "---", "...", "&a ", "*a", "!!str ", "!!binary ", "!!int ", "!tag ", "|\n", ">-\n",
    "? ", " # ", "\t", "{", "}", "[", "]", '"', "'", "~", "null", "true", "false", "NO", "yes",
    "0x1F", "1e999", "-0", ".nan", ".inf", "0123", "12:30", "2024-01-31", "\\u0000", "\\uD800",
    "\r\n", "\xef\xbb\xbf", "\xff\xfe", "\xfe\xff", "%YAML 1.2\n", "<<: ", "\\", '"\\x"',
    "\xc3\xa9", "\xe2\x80\xa8",
]


def walk(v, out):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "properties" and isinstance(x, dict):
                out.update(x.keys())
            if k == "enum" and isinstance(x, list):
                out.update(e for e in x if isinstance(e, str))
            if k == "const" and isinstance(x, str):
                out.add(x)
            walk(x, out)
    elif isinstance(v, list):
        for x in v:
            walk(x, out)


def entry(raw: bytes) -> str:
    out = ""
    for c in raw:
        ch = chr(c)
        if ch in '"\\':
            out += "\\" + ch
        elif 32 <= c < 127:
            out += ch
        else:
            out += "\\x%02X" % c
    return '"' + out + '"'


words = set(EXTRA)
for path in SCHEMAS:
    with open(path) as f:
        walk(json.load(f), words)
lines = [
    "# libFuzzer dictionary for caac's fuzz targets; written by fuzz/gen_dict.py.",
    "",
    "# YAML / JSON syntax and encodings",
    *[entry(t.encode("latin-1")) for t in SYNTAX],
    "",
    "# keys and enum values of schemas/, keywords and names caac resolves",
    *[entry(w.encode("utf-8")) for w in sorted(words)],
]
with open("fuzz/dict.txt", "w") as f:
    f.write("\n".join(lines) + "\n")
