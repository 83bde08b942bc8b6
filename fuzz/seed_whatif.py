#!/usr/bin/env python3
"""Seeds fuzz/corpus/whatif: the example requests plus 48 combinations of
identities (user with groups and roles, B2B guest, service principal),
targets (apps by id and name, a user action, an authentication context) and
conditions (platforms, client app types, IPv4/IPv6, countries, risks,
device-code flow, a registered device), named through
tests/fixtures/rules/tenant.yaml. Run from the repository root."""
import glob
import hashlib
import itertools
import json
import os
import shutil

OUT = "fuzz/corpus/whatif"
os.makedirs(OUT, exist_ok=True)


def put(text):
    name = hashlib.sha1(text.encode()).hexdigest()[:16] + ".json"
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)


for path in glob.glob("examples/whatif/*.json"):
    with open(path) as f:
        put(f.read())

IDENTITIES = [
    {"@odata.type": "#microsoft.graph.userSignIn", "userId": "alice@contoso.com",
     "memberOf": ["Pilot"], "directoryRoles": ["Global Administrator"]},
    {"userId": "0e1f2a3b-0000-4000-8000-000000000002",
     "externalUserType": "b2bCollaborationGuest", "externalTenantId": "Fabrikam"},
    {"@odata.type": "#microsoft.graph.servicePrincipalSignIn", "servicePrincipalId": "Payroll Sync"},
]
CONTEXTS = [
    {"includeApplications": ["00000002-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"]},
    {"@odata.type": "#microsoft.graph.userActionContext", "userAction": "registerSecurityInformation"},
    {"@odata.type": "#microsoft.graph.authContext", "authenticationContextValue": "c1"},
    {"includeApplications": ["797f4846-ba00-4fd7-ba43-dac1f8f63013"]},
]
CONDITIONS = [
    {"devicePlatform": "windows", "clientAppType": "browser", "country": "NL", "ipAddress": "203.0.113.7"},
    {"devicePlatform": "iOS", "clientAppType": "exchangeActiveSync", "ipAddress": "2001:db8::1",
     "signInRiskLevel": "high", "userRiskLevel": "medium", "insiderRiskLevel": "elevated"},
    {"clientAppType": "other", "servicePrincipalRiskLevel": "high",
     "authenticationFlow": {"transferMethod": "deviceCodeFlow"}},
    {"devicePlatform": "linux", "clientAppType": "mobileAppsAndDesktopClients",
     "deviceInfo": {"isCompliant": True, "trustType": "AzureAD", "operatingSystem": "Windows",
                    "extensionAttribute1": "x", "systemLabels": ["a"], "ownership": "company"}},
]
for i, (who, what, how) in enumerate(itertools.product(IDENTITIES, CONTEXTS, CONDITIONS)):
    body = {"signInIdentity": who, "signInContext": what, "signInConditions": how}
    if i % 5 == 0:
        body["appliedPoliciesOnly"] = True
    put(json.dumps(body, indent=1 if i % 2 else None))
print(len(os.listdir(OUT)), "seeds in", OUT)
