#!/usr/bin/env python3
"""Seeds fuzz/corpus/{locations,strengths,plan,config}: the repository's
named location and strength specs and exports (whole, and one object per
file), a few hand-written specs, config files covering every key, and saved
plans with one item of each action and kind (the shapes
src/deploy/saved.rs accepts). Run from the repository root; pass another
corpus root as the first argument."""
import glob
import hashlib
import json
import os
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus"


def put(target, text, ext):
    data = text.encode() if isinstance(text, str) else text
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16] + "." + ext
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


for target in ["locations", "strengths"]:
    for path in glob.glob(f"tests/fixtures/**/{target}/*", recursive=True):
        if os.path.isfile(path):
            with open(path, "rb") as f:
                put(target, f.read(), path.rsplit(".", 1)[-1])
for target, path in [
    ("locations", "tests/fixtures/exports/namedLocations.json"),
    ("strengths", "tests/fixtures/exports/authenticationStrengthPolicies.json"),
]:
    with open(path) as f:
        text = f.read()
    put(target, text, "json")
    v = json.loads(text)
    items = v["value"] if isinstance(v, dict) and "value" in v else v
    for item in items:
        put(target, json.dumps(item, indent=2), "json")
    put(target, json.dumps(items), "json")

put("locations", 'displayName: HQ egress\nisTrusted: true\nipRanges: [203.0.113.0/24, "2001:db8::/48"]\n', "yaml")
put("locations", 'displayName: Netherlands\ncountriesAndRegions: [NL, "NO"]\n'
    "includeUnknownCountriesAndRegions: true\ncountryLookupMethod: authenticatorAppGps\n", "yaml")
put("strengths", """displayName: Phishing-resistant for admins
description: FIDO2 keys of our two approved models, or Windows Hello
allowedCombinations: [fido2, windowsHelloForBusiness, "password, sms"]
combinationConfigurations:
  - appliesToCombinations: [fido2]
    allowedAAGUIDs: [cb69481e-8ff7-4039-93ec-0a2729a154a8]
""", "yaml")
put("strengths", """displayName: Certs
id: 77777777-7777-4777-8777-777777777777
allowedCombinations: [x509CertificateMultiFactor]
combinationConfigurations:
  - appliesToCombinations: [x509CertificateMultiFactor]
    allowedIssuerSkis: [9A4248C6AC8C2931AB2A86537818E92E7B6C97B6]
    allowedPolicyOIDs: [1.2.3.4]
""", "yaml")

with open(".caac.yaml") as f:
    put("config", f.read(), "yaml")
for text in [
    'deploy:\n  cloud: dod\n  identity: caac-deploy\nbreakGlassOptOut: "lab tenant, no production users"\n',
    """profile: strict
rules:
  CA801: off
  naming-convention: warning
  CA105: error
tokenProtection:
  allowResources: [Microsoft Teams Services, 00000002-0000-0ff1-ce00-000000000000]
  allowPlatforms: [iOS, macOS]
naming:
  pattern: '^CA\\d{3}-'
thresholds:
  maxExclusions: 5
  policyLimit: 195
  policyWarning: 150
  reportOnlyMaxDays: 30
policies: [policies, legacy/exports]
tenant: tenant.yaml
scenarios: scenarios
locations: locations
strengths: strengths
""",
    "rules:\n  CA023: off\n  nonsense: error\n",
    'breakGlassOptOut: "  "\n',
    '{"profile": "microsoft", "rules": {"CA801": "info"}}\n',
]:
    put("config", text, "yaml")

ID = "0a000000-0000-4000-8000-000000000001"
P = "/v1.0/identity/conditionalAccess/policies"
NL = "/v1.0/identity/conditionalAccess/namedLocations"
ST = "/v1.0/policies/authenticationStrengthPolicies"
S = "0a000000-0000-4000-8000-000000000005"
ITEMS = [
    {"action": "create", "kind": "policy", "spec": "policies/a.yaml", "displayName": "CA001-A",
     "fingerprint": "absent", "body": {"displayName": "CA001-A", "state": "enabled"},
     "request": {"method": "POST", "path": P, "body": {"displayName": "CA001-A", "state": "enabled"}}},
    {"action": "update", "kind": "policy", "spec": "policies/b.yaml", "displayName": "CA002-B", "id": ID,
     "matchedBy": "lock", "changes": [{"path": "/state", "before": "enabled", "after": "disabled"}],
     "fingerprint": "sha256:00", "body": {"state": "disabled"},
     "request": {"method": "PATCH", "path": P + "/" + ID, "body": {"state": "disabled"}}},
    {"action": "delete", "kind": "policy", "displayName": "Old", "id": "0a000000-0000-4000-8000-000000000002",
     "fingerprint": "sha256:01", "request": {"method": "DELETE", "path": P + "/0a000000-0000-4000-8000-000000000002"}},
    {"action": "unchanged", "kind": "policy", "displayName": "Same", "id": "0a000000-0000-4000-8000-000000000003",
     "matchedBy": "displayName", "fingerprint": "sha256:02"},
    {"action": "unmanaged", "kind": "policy", "displayName": "Other", "id": "0a000000-0000-4000-8000-000000000004",
     "fingerprint": "sha256:03"},
    {"action": "create", "kind": "namedLocation", "displayName": "HQ", "fingerprint": "absent",
     "bodyId": "00000000-0000-4000-8000-00000000abcd", "body": {"displayName": "HQ"},
     "request": {"method": "POST", "path": NL, "body": {"displayName": "HQ"}}},
    {"action": "update", "kind": "authenticationStrength", "displayName": "S", "id": S, "fingerprint": "sha256:04",
     "body": {"displayName": "S", "allowedCombinations": ["fido2"]},
     "request": {"method": "PATCH", "path": ST + "/" + S, "body": {"displayName": "S"}},
     "then": {"method": "POST", "path": ST + "/" + S + "/updateAllowedCombinations",
              "body": {"allowedCombinations": ["fido2"]}}},
]


def plan(items, notes=(), names=None):
    return {"version": 1, "generator": "caac", "kind": "plan", "caacVersion": "0.1.0",
            "graph": "https://graph.microsoft.com", "prune": True, "lintErrors": 0,
            "inputs": {"policies/a.yaml": "sha256:ab", "tenant.yaml": "absent"}, "changes": True,
            "summary": {"create": 1}, "items": items, "names": names or {}, "notes": list(notes)}


put("plan", json.dumps(plan(ITEMS, ["a note"], {ID: "CA002-B", "enabled": "x"}), indent=2), "json")
for item in ITEMS:
    put("plan", json.dumps(plan([item]), indent=2), "json")
put("plan", json.dumps(plan([])), "json")
for t in ["locations", "strengths", "plan", "config"]:
    print(len(os.listdir(os.path.join(ROOT, t))), "seeds in", os.path.join(ROOT, t))
