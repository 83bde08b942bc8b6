#!/usr/bin/env python3
"""Generate a synthetic caac policy repository for benchmarks.

    python3 bench/generate.py --count N --out DIR [--seed S] [--caac PATH] [--no-exports]

Writes
  DIR/policies/CA<n>-....yaml   N policy specs in caac's spec format
  DIR/tenant.yaml               every name the specs use, mapped to random GUIDs;
                                the `Emergency Access` break-glass group is
                                excluded by every policy
  DIR/.caac.yaml                naming pattern that matches the generated names
  DIR/exports/*.json            the same policies as Graph JSON bodies, taken from
                                `caac build` output (needs the caac binary: --caac,
                                else target/release/caac next to this script's repo,
                                else `caac` on PATH; skipped with --no-exports)

The shapes follow caac's starter set (policies/) and what the shared corpus of
real exports uses: baselines (legacy auth, MFA, admin roles, risk, device code
flow), token protection with its companions, per-app grants with platforms,
locations, client app types and device filters, guests, workload identities,
insider risk, authentication contexts and session controls. Every generated
policy is meant to compile: `caac build` reports warnings and set-level
findings but no error-severity finding on a single policy.

Deterministic: the same --count and --seed give byte-identical files.
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

# --- catalogue names caac knows (src/catalog.rs) ---------------------------

APPS = [
    "Office 365 Exchange Online",
    "Office 365 SharePoint Online",
    "Microsoft Graph",
    "Windows Azure Service Management API",
    "Azure portal",
    "Microsoft Teams Services",
    "Microsoft Intune",
    "Microsoft Intune Enrollment",
    "Azure Virtual Desktop",
    "Windows 365",
    "Azure DevOps",
    "Microsoft Azure CLI",
    "Power BI Service",
    "Dynamics CRM",
    "Yammer",
    "Office 365 Exchange Online Protection",
]
ADMIN_ROLES = [
    "Global Administrator",
    "Security Administrator",
    "SharePoint Administrator",
    "Exchange Administrator",
    "Conditional Access Administrator",
    "Helpdesk Administrator",
    "Billing Administrator",
    "User Administrator",
    "Authentication Administrator",
    "Application Administrator",
    "Cloud Application Administrator",
    "Password Administrator",
    "Privileged Authentication Administrator",
    "Privileged Role Administrator",
    "Compliance Administrator",
    "Compliance Data Administrator",
    "Intune Administrator",
    "Dynamics 365 Administrator",
    "Power Platform Administrator",
    "Groups Administrator",
    "License Administrator",
    "Hybrid Identity Administrator",
    "Cloud Device Administrator",
]
STRENGTHS = ["Multifactor authentication", "Passwordless MFA", "Phishing-resistant MFA"]
KNOWN_PLATFORMS = ["android", "iOS", "windows", "macOS", "linux"]
GUEST_TYPES = [
    "internalGuest",
    "b2bCollaborationGuest",
    "b2bCollaborationMember",
    "b2bDirectConnectUser",
    "otherExternalUser",
    "serviceProvider",
]
DEVICE_RULES = [
    'device.trustType -eq "AzureAD" -or device.trustType -eq "ServerAD"',
    'device.isCompliant -eq True',
    'device.operatingSystem -eq "Windows" -and device.trustType -eq "AzureAD"',
    'device.extensionAttribute1 -eq "PAW"',
    'device.model -startsWith "Surface"',
    'device.deviceOwnership -eq "Company"',
]
APP_FILTER_RULES = [
    'CustomSecurityAttribute.Engineering_Project -eq "Baker"',
    'CustomSecurityAttribute.DataClass_Level -eq "Confidential"',
]
DEPARTMENTS = [
    "Finance", "HR", "Sales", "Marketing", "Engineering", "Legal", "Support",
    "Operations", "Research", "Procurement", "IT", "Security", "Executives",
    "Contractors", "Interns", "Retail", "Logistics", "Manufacturing",
]
REGIONS = ["EMEA", "APAC", "AMER", "NL", "DE", "UK", "US", "JP", "BR", "IN", "AU", "FR"]
PURPOSES = ["Pilot", "Users", "Admins", "Exclusions", "Ring1", "Ring2", "Ring3", "Devices"]
SITES = ["HQ", "Branch", "Datacenter", "Warehouse", "Lab", "Office", "Plant", "Campus"]
BREAK_GLASS = "Emergency Access"
# Spec keys in the order of caac's README table.
KEY_ORDER = [
    "users", "clientApplications", "applications", "clientAppTypes", "platforms",
    "locations", "devices", "signInRiskLevels", "userRiskLevels",
    "servicePrincipalRiskLevels", "insiderRiskLevels", "authenticationFlows",
    "grant", "session",
]


class Gen:
    """All random choices go through one seeded RNG, in a fixed order."""

    def __init__(self, count: int, seed: int):
        self.r = random.Random(seed)
        self.count = count
        n_groups = min(4000, 40 + count // 5)
        n_users = min(1500, 20 + count // 20)
        n_locations = min(400, 10 + count // 50)
        self.groups = self._names(
            n_groups,
            lambda i: f"GRP-{self.r.choice(DEPARTMENTS)}-{self.r.choice(REGIONS)}-"
            f"{self.r.choice(PURPOSES)}-{i:04d}",
        )
        self.users = self._names(
            n_users,
            lambda i: f"svc-{self.r.choice(DEPARTMENTS).lower()}-{i:04d}@contoso.example",
        )
        self.locations = self._names(
            n_locations,
            lambda i: f"{self.r.choice(SITES)} {self.r.choice(REGIONS)} {i:03d}",
        )
        self.terms = ["Acceptable Use", "Guest Terms", "Contractor NDA"]
        self.custom_strengths = ["FIDO2 Only", "Temporary Access Pass Onboarding"]
        self.contexts = {
            "Sensitive Data": "c1",
            "Privileged Operations": "c2",
            "Finance Approvals": "c3",
            "Step Up": "c4",
        }
        self.service_principals = self._names(
            min(200, 5 + count // 100),
            lambda i: f"Workload {self.r.choice(DEPARTMENTS)} Sync {i:03d}",
        )
        self.partners = ["Fabrikam", "Northwind Traders", "Tailspin Toys", "Woodgrove Bank"]
        self.tp_pilot = "Token Protection Pilot"
        self.included: set[str] = set()

    def _names(self, n, make):
        return [make(i) for i in range(n)]

    def guid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    # --- helpers ------------------------------------------------------------

    def some(self, pool, lo, hi):
        k = self.r.randint(lo, min(hi, len(pool)))
        return sorted(self.r.sample(pool, k), key=pool.index) if pool else []

    def state(self):
        x = self.r.random()
        if x < 0.70:
            return None  # report-only by default
        if x < 0.85:
            return "reportOnly"
        if x < 0.95:
            return "enabled"
        return "disabled"

    def exclude_block(self, extra_groups=0, users=False, roles=None, guests=False):
        # Exclusions never repeat an included group (CA003 would flag it).
        extra = [g for g in self.some(self.groups, 0, extra_groups) if g not in self.included]
        ex = {"groups": [BREAK_GLASS] + extra}
        if users and self.r.random() < 0.3:
            ex["users"] = self.some(self.users, 1, 2)
        if roles:
            ex["roles"] = roles
        if guests:
            ex["guestsOrExternalUsers"] = {"types": list(GUEST_TYPES), "tenants": ["All"]}
        return ex

    def user_scope(self, allow_all=True):
        """include: All users, some groups, some users, or roles."""
        x = self.r.random()
        if allow_all and x < 0.45:
            return {"users": ["All"]}
        if x < 0.85:
            groups = self.some(self.groups, 1, 4)
            self.included.update(groups)
            return {"groups": groups}
        if x < 0.93:
            groups = self.some(self.groups, 1, 2)
            self.included.update(groups)
            return {"users": self.some(self.users, 1, 3), "groups": groups}
        return {"roles": self.some(ADMIN_ROLES, 1, 6)}

    def tp_groups(self):
        groups = [self.tp_pilot] + self.some(self.groups, 0, 2)
        self.included.update(groups)
        return groups

    def grant_mfa(self):
        x = self.r.random()
        if x < 0.5:
            return {"authenticationStrength": self.r.choice(STRENGTHS)}
        if x < 0.6:
            return {"authenticationStrength": self.r.choice(self.custom_strengths)}
        return {"builtInControls": ["mfa"]}

    # --- archetypes ---------------------------------------------------------
    # Each returns (short name for displayName, spec dict without displayName).

    def legacy_auth(self):
        return "BlockLegacyAuth", {
            "users": {"include": {"users": ["All"]}, "exclude": self.exclude_block(2)},
            "applications": {"include": ["All"]},
            "clientAppTypes": ["exchangeActiveSync", "other"],
            "grant": {"builtInControls": ["block"]},
        }

    def admins(self):
        roles = self.some(ADMIN_ROLES, 4, len(ADMIN_ROLES))
        return "Admins-StrongAuth", {
            "users": {"include": {"roles": roles}, "exclude": self.exclude_block(1)},
            "applications": {"include": ["All"]},
            "grant": {"authenticationStrength": self.r.choice(["Phishing-resistant MFA", "Passwordless MFA"])},
            "session": {"signInFrequency": {"value": self.r.choice([4, 8, 12]), "type": "hours"}}
            if self.r.random() < 0.4
            else None,
        }

    def all_users_mfa(self):
        return "AllUsers-MFA", {
            "users": {
                "include": {"users": ["All"]},
                "exclude": self.exclude_block(3, users=True, roles=["Directory Synchronization Accounts"]),
            },
            "applications": {"include": ["All"]},
            "grant": self.grant_mfa(),
        }

    def signin_risk(self):
        block = self.r.random() < 0.3
        return "SignInRisk", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(2)},
            "applications": {"include": ["All"]},
            "signInRiskLevels": ["high"] if block else self.r.choice([["high", "medium"], ["high", "medium", "low"]]),
            "grant": {"builtInControls": ["block"]} if block else self.grant_mfa(),
            "session": None if block else {"signInFrequency": {"frequencyInterval": "everyTime"}},
        }

    def user_risk(self):
        return "UserRisk-PasswordChange", {
            "users": {"include": {"users": ["All"]}, "exclude": self.exclude_block(2)},
            "applications": {"include": ["All"]},
            "userRiskLevels": ["high"],
            "grant": {"operator": "AND", "builtInControls": ["mfa", "passwordChange"]},
            "session": {"signInFrequency": {"frequencyInterval": "everyTime"}},
        }

    def device_code(self):
        return "BlockDeviceCodeFlow", {
            "users": {"include": {"users": ["All"]}, "exclude": self.exclude_block(3)},
            "applications": {"include": ["All"]},
            "authenticationFlows": self.r.choice([["deviceCodeFlow"], ["deviceCodeFlow", "authenticationTransfer"]]),
            "grant": {"builtInControls": ["block"]},
        }

    def security_info(self):
        locs = self.some(self.locations, 0, 3)
        return "SecurityInfoRegistration", {
            "users": {
                "include": {"users": ["All"]},
                "exclude": self.exclude_block(1, guests=True),
            },
            "applications": {"userActions": [self.r.choice(["registerSecurityInfo", "registerDevice"])]},
            "locations": {"include": ["All"], "exclude": ["AllTrusted"] + locs},
            "grant": {"authenticationStrength": "Multifactor authentication"},
            "state": "enabled",
        }

    def token_protection(self):
        return "TokenProtection-ExchangeSharePoint-Windows", {
            "users": {
                "include": {"groups": self.tp_groups()},
                "exclude": self.exclude_block(0, guests=self.r.random() < 0.7),
            },
            "applications": {"include": ["Office 365 Exchange Online", "Office 365 SharePoint Online"]},
            "platforms": {"include": ["windows"]},
            "clientAppTypes": ["mobileAppsAndDesktopClients"],
            "session": {"tokenProtection": True},
        }

    def tp_block_unknown(self):
        return "BlockUnknownPlatforms", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(1)},
            "applications": {"include": self.r.choice([["All"], ["Office 365 Exchange Online", "Office 365 SharePoint Online"]])},
            "platforms": {"include": ["all"], "exclude": list(KNOWN_PLATFORMS)},
            "grant": {"builtInControls": ["block"]},
        }

    def compliant_device(self):
        plats = self.some(KNOWN_PLATFORMS, 1, 5)
        spec = {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(2)},
            "applications": {"include": self.some(APPS, 1, 4)},
            "platforms": {"include": plats},
            "grant": {
                "builtInControls": self.r.choice(
                    [["compliantDevice"], ["compliantDevice", "domainJoinedDevice"], ["mfa", "compliantDevice"]]
                )
            },
        }
        if self.r.random() < 0.4:
            spec["clientAppTypes"] = self.r.choice([["mobileAppsAndDesktopClients"], ["browser", "mobileAppsAndDesktopClients"], ["browser"]])
        if self.r.random() < 0.3:
            spec["devices"] = {"filter": {"mode": "exclude", "rule": self.r.choice(DEVICE_RULES)}}
        return "App-RequireCompliantDevice", spec

    def app_mfa(self):
        spec = {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(3, users=True)},
            "applications": {"include": self.some(APPS, 1, 5)},
            "grant": self.grant_mfa(),
        }
        if self.r.random() < 0.5:
            spec["locations"] = {"include": ["All"], "exclude": self.r.choice([["AllTrusted"], self.some(self.locations, 1, 4)])}
        if self.r.random() < 0.3:
            spec["clientAppTypes"] = self.r.choice([["browser"], ["mobileAppsAndDesktopClients"], ["browser", "mobileAppsAndDesktopClients"]])
        if self.r.random() < 0.2:
            spec["applications"] = {"include": ["All"], "exclude": self.some(APPS, 1, 2)}
        return "App-MFA", spec

    def location_block(self):
        return "Block-UntrustedLocations", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(2, users=True)},
            "applications": {"include": self.r.choice([["All"], self.some(APPS, 1, 3)])},
            "locations": self.r.choice([
                {"include": ["All"], "exclude": ["AllTrusted"] + self.some(self.locations, 0, 3)},
                {"include": self.some(self.locations, 1, 5)},
            ]),
            "grant": {"builtInControls": ["block"]},
        }

    def mobile_apps(self):
        return "Mobile-ApprovedOrProtectedApps", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(1)},
            "applications": {"include": self.r.choice([["Office365"], ["Office 365 Exchange Online", "Office 365 SharePoint Online", "Microsoft Teams Services"]])},
            "platforms": {"include": ["android", "iOS"]},
            "clientAppTypes": ["mobileAppsAndDesktopClients", "browser"],
            "grant": {"builtInControls": self.r.choice([["approvedApplication", "compliantApplication"], ["compliantApplication"]])},
        }

    def session_sif(self):
        spec = {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(2)},
            "applications": {"include": ["All"]},
            "grant": self.grant_mfa(),
            "session": {
                "signInFrequency": {"value": self.r.choice([1, 4, 8, 12, 18]), "type": "hours"}
                if self.r.random() < 0.6
                else {"value": self.r.choice([1, 7, 14, 30]), "type": "days"},
                "persistentBrowser": "never",
            },
        }
        if self.r.random() < 0.5:
            spec["devices"] = {"filter": {"mode": "exclude", "rule": self.r.choice(DEVICE_RULES)}}
        return "Session-SignInFrequency", spec

    def app_restrictions(self):
        return "O365-AppEnforcedRestrictions", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(1)},
            "applications": {"include": self.r.choice([["Office365"], ["Office 365 Exchange Online", "Office 365 SharePoint Online"]])},
            "clientAppTypes": ["browser"],
            "session": {"applicationEnforcedRestrictions": True},
        }

    def mcas(self):
        return "Browser-CloudAppSecurity", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(2)},
            "applications": {"include": self.some(APPS, 1, 3)},
            "clientAppTypes": ["browser"],
            "session": {"cloudAppSecurity": self.r.choice(["monitorOnly", "blockDownloads", "mcasConfigured"])},
        }

    def guests(self):
        return "Guests-MFA-TermsOfUse", {
            "users": {
                "include": {
                    "guestsOrExternalUsers": {
                        "types": self.some(GUEST_TYPES, 1, 4),
                        "tenants": self.r.choice([["All"], self.some(self.partners, 1, 2)]),
                    }
                },
                "exclude": self.exclude_block(0),
            },
            "applications": {"include": ["All"]},
            "grant": {"operator": "AND", "builtInControls": ["mfa"], "termsOfUse": [self.r.choice(self.terms)]},
        }

    def workload(self):
        spec = {
            "clientApplications": {"include": self.some(self.service_principals, 1, 3)},
            "applications": {"include": ["All"]},
            "grant": {"builtInControls": ["block"]},
        }
        if self.r.random() < 0.5:
            spec["locations"] = {"include": ["All"], "exclude": self.some(self.locations, 1, 3)}
        else:
            spec["servicePrincipalRiskLevels"] = self.r.choice([["high"], ["high", "medium"]])
        return "Workload-Block", spec

    def insider_risk(self):
        return "InsiderRisk-Block", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(1)},
            "applications": {"include": self.r.choice([["All"], ["Office365"]])},
            "insiderRiskLevels": self.r.choice([["elevated"], ["moderate", "elevated"]]),
            "grant": {"builtInControls": ["block"]},
        }

    def auth_context(self):
        names = list(self.contexts)
        return "AuthContext-StepUp", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(1)},
            # by name, or by the id the tenant file maps a name to
            "applications": {"authenticationContexts": [self.r.choice(names + list(self.contexts.values()))]},
            "grant": {"authenticationStrength": self.r.choice(STRENGTHS)},
        }

    def cae(self):
        return "CAE-StrictLocation", {
            "users": {"include": self.user_scope(), "exclude": self.exclude_block(1)},
            "applications": {"include": ["Office 365 Exchange Online", "Office 365 SharePoint Online"]},
            "locations": {"include": ["All"], "exclude": ["AllTrusted"]},
            "grant": self.grant_mfa(),
            "session": {"continuousAccessEvaluation": "strictLocation"},
        }

    def admin_portals(self):
        return "AdminPortals-PAW", {
            "users": {"include": {"roles": self.some(ADMIN_ROLES, 2, 8)}, "exclude": self.exclude_block(1)},
            "applications": {"include": self.r.choice([["MicrosoftAdminPortals"], ["Azure portal", "Windows Azure Service Management API"]])},
            "devices": {"filter": {"mode": "exclude", "rule": 'device.extensionAttribute1 -eq "PAW"'}},
            "grant": {"builtInControls": ["block"]},
        }

    def archetypes(self):
        # (weight, method): starter-set baselines are rarer than per-app policies,
        # as in real tenants.
        return [
            (3, self.legacy_auth),
            (4, self.admins),
            (4, self.all_users_mfa),
            (4, self.signin_risk),
            (2, self.user_risk),
            (2, self.device_code),
            (2, self.security_info),
            (3, self.token_protection),
            (3, self.tp_block_unknown),
            (10, self.compliant_device),
            (14, self.app_mfa),
            (6, self.location_block),
            (5, self.mobile_apps),
            (5, self.session_sif),
            (3, self.app_restrictions),
            (3, self.mcas),
            (4, self.guests),
            (3, self.workload),
            (2, self.insider_risk),
            (3, self.auth_context),
            (2, self.cae),
            (3, self.admin_portals),
        ]

    def policies(self):
        arch = self.archetypes()
        weights = [w for w, _ in arch]
        makers = [m for _, m in arch]
        for n in range(1, self.count + 1):
            self.included = set()
            maker = self.r.choices(makers, weights=weights)[0]
            short, body = maker()
            # Every policy excludes the break-glass group (workload identity
            # policies have no users: break-glass accounts are users).
            state = body.pop("state", None)
            if state is None:
                state = self.state()
            name = f"CA{n:05d}-{short}-{self.r.choice(DEPARTMENTS)}"
            spec = {"displayName": name}
            if self.r.random() < 0.25:
                spec["description"] = f"Synthetic {short} policy #{n} for benchmarks (seeded)."
            if state is not None:
                spec["state"] = state
            for k in KEY_ORDER:
                if body.get(k) is not None:
                    spec[k] = body[k]
            assert set(body) <= set(KEY_ORDER), set(body) - set(KEY_ORDER)
            yield name, short, spec

    def tenant(self):
        t = {
            "tenantId": self.guid(),
            "breakGlass": {"groups": [BREAK_GLASS]},
            "users": {},
            "groups": {BREAK_GLASS: self.guid(), self.tp_pilot: self.guid()},
            "namedLocations": {},
            "authenticationStrengths": {},
            "termsOfUse": {},
            "authenticationContexts": dict(self.contexts),
            "servicePrincipals": {},
            "externalTenants": {},
        }
        for u in self.users:
            t["users"][u] = self.guid()
        for g in self.groups:
            t["groups"][g] = self.guid()
        for loc in self.locations:
            t["namedLocations"][loc] = self.guid()
        for s in self.custom_strengths:
            t["authenticationStrengths"][s] = self.guid()
        for s in self.terms:
            t["termsOfUse"][s] = self.guid()
        for s in self.service_principals:
            t["servicePrincipals"][s] = self.guid()
        for s in self.partners:
            t["externalTenants"][s] = self.guid()
        return t


# --- a small YAML emitter (block style, flow lists, safe quoting) -----------

PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ._()@/-]*$")
RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(v) -> str:
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    s = str(v)
    if PLAIN.match(s) and s.lower() not in RESERVED and not s.endswith(" ") and ": " not in s:
        return s
    return json.dumps(s)


def flow_list(items) -> str:
    return "[" + ", ".join(scalar(i) for i in items) + "]"


def emit(value, indent=0, out=None):
    out = [] if out is None else out
    pad = "  " * indent
    for k, v in value.items():
        key = scalar(k)
        if isinstance(v, dict):
            flat = all(not isinstance(x, (dict, list)) or (isinstance(x, list) and all(not isinstance(y, (dict, list)) for y in x)) for x in v.values())
            inline = "{ " + ", ".join(
                f"{scalar(a)}: {flow_list(b) if isinstance(b, list) else scalar(b)}" for a, b in v.items()
            ) + " }"
            if flat and len(pad + key + inline) < 76:
                out.append(f"{pad}{key}: {inline}")
            else:
                out.append(f"{pad}{key}:")
                emit(v, indent + 1, out)
        elif isinstance(v, list):
            line = f"{pad}{key}: {flow_list(v)}"
            if len(line) <= 100:
                out.append(line)
            else:
                out.append(f"{pad}{key}:")
                for item in v:
                    out.append(f"{pad}  - {scalar(item)}")
        else:
            out.append(f"{pad}{key}: {scalar(v)}")
    return out


def find_caac(explicit: str | None) -> str | None:
    if explicit:
        return explicit
    repo = Path(__file__).resolve().parent.parent
    local = repo / "target" / "release" / "caac"
    if local.is_file():
        return str(local)
    return shutil.which("caac")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, required=True, help="number of policies")
    ap.add_argument("--out", required=True, help="output directory (created; policies/ and exports/ are replaced)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--caac", help="caac binary used to produce exports/ (default: target/release/caac, then PATH)")
    ap.add_argument("--no-exports", action="store_true", help="do not write exports/")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("policies", "exports"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    (out / "policies").mkdir()

    g = Gen(args.count, args.seed)
    total = 0
    for name, short, spec in g.policies():
        lines = [
            "# yaml-language-server: $schema=https://caac.invalid/schemas/policy.draft-07.schema.json",
            f"# Synthetic {short} policy generated by bench/generate.py (seed {args.seed}).",
        ]
        lines += emit(spec)
        text = "\n".join(lines) + "\n"
        total += len(text)
        (out / "policies" / f"{name}.yaml").write_text(text, encoding="utf-8", newline="\n")

    tenant_lines = [
        "# yaml-language-server: $schema=https://caac.invalid/schemas/tenant.schema.json",
        f"# Synthetic tenant generated by bench/generate.py (seed {args.seed}); ids are random.",
    ] + emit(g.tenant())
    (out / "tenant.yaml").write_text("\n".join(tenant_lines) + "\n", encoding="utf-8", newline="\n")
    (out / ".caac.yaml").write_text(
        "# Generated by bench/generate.py: the synthetic names are CA<5 digits>-...\n"
        "profile: microsoft\n"
        "naming:\n"
        "  pattern: '^CA\\d{5}-[A-Za-z0-9]+(-[A-Za-z0-9]+)*$'\n",
        encoding="utf-8",
        newline="\n",
    )
    print(f"wrote {args.count} policies ({total} bytes) to {out / 'policies'}", file=sys.stderr)

    if args.no_exports:
        return 0
    caac = find_caac(args.caac)
    if not caac:
        print("error: no caac binary for exports/ (build with `cargo build --release`, pass --caac, or --no-exports)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        built = Path(tmp) / "out"
        proc = subprocess.run(
            [caac, "build", str(out / "policies"), "--tenant", str(out / "tenant.yaml"),
             "--config", str(out / ".caac.yaml"), "--out", str(built), "--color", "never"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr[-4000:])
            print(f"error: `caac build` exited {proc.returncode}; the generator produced a policy caac rejects", file=sys.stderr)
            return 1
        (out / "exports").mkdir()
        n = 0
        for f in sorted(built.glob("*.json")):
            if f.name == "manifest.json":
                continue
            shutil.copyfile(f, out / "exports" / f.name)
            n += 1
    print(f"wrote {n} Graph exports to {out / 'exports'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
