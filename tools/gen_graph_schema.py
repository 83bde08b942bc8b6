#!/usr/bin/env python3
"""Generate JSON Schemas (draft 2020-12) of the Microsoft Graph
``conditionalAccessPolicy`` *request body* from Microsoft's CSDL metadata.

Inputs (read-only), in ``--metadata``:

* ``conditional-access.v1.0.csdl.xml``     extract of ``schemas/v1.0-Prod.csdl``
* ``conditional-access.beta-ussec.csdl.xml`` extract of ``schemas/beta-USSec.csdl``
* ``README.md``                              names the msgraph-metadata commit

Outputs, in ``--out``:

* ``conditionalAccessPolicy.v1.0.schema.json``  -- pure CSDL, no overlay (the strict check)
* ``conditionalAccessPolicy.beta.schema.json``  -- beta-USSec CSDL + ``BETA_OVERLAY`` below

Mapping rules (CSDL -> JSON Schema):

* ``Edm.String`` -> string, ``Edm.Boolean`` -> boolean, ``Edm.Int32/Int64`` -> integer,
  ``Edm.DateTimeOffset`` -> string/date-time, ``Edm.Guid`` -> string with a uuid pattern.
* ``Nullable`` defaults to true; a nullable property also accepts ``null``.
  For ``Collection(X)`` the collection itself is never null (OData CSDL 4.01
  section 7.2.1: on a collection, ``Nullable`` applies to the items) -- every
  collection reachable from a policy is ``Nullable="false"`` anyway.
* Non-flags enum -> ``{"type": "string", "enum": [...]}`` in CSDL member order
  (``unknownFutureValue`` and the evolvable members after it are kept).
  Flags enum (``IsFlags="true"``) -> one string of comma-joined members.
* Structured type -> object with base-type properties first, then the type's own,
  in CSDL order; ``additionalProperties: false`` except for keys that start with
  ``@odata.``; an optional ``@odata.type`` must name the type itself.
* Abstract type with concrete subtypes -> ``oneOf`` over the subtypes, each of
  which must carry its ``@odata.type`` (e.g. ``externalTenants``).  A property
  whose declared type is concrete uses that type only (session controls,
  ``conditionalAccessPolicy`` itself even though ``whatIfAnalysisResult`` derives
  from it).
* Contained navigation properties (``grantControls.authenticationStrength``) are
  inlined like structural properties: a write sends ``{"id": ...}``, a read
  returns the expanded entity; both validate.

Python 3.11 standard library only.  Run from the crate root:

    python3 tools/gen_graph_schema.py            # regenerate schemas/graph/*.json
    python3 tools/gen_graph_schema.py --check    # exit 1 if the committed files are stale
"""

from __future__ import annotations

import argparse
import json
import re
import os
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

EDM_NS = "http://docs.oasis-open.org/odata/ns/edm"
GRAPH_NAMESPACE = "microsoft.graph"
# The extracts reference types as `graph.X` (the alias Graph's full CSDL declares);
# accept both spellings.
GRAPH_PREFIXES = ("graph.", "microsoft.graph.")
ROOT_TYPE = "conditionalAccessPolicy"
DEF_PREFIX = "microsoft.graph."
SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The versioned public address of the checked-in files (the same pattern as
# the `$id` of the schemas caac generates: src/model/mod.rs, schema_id).
ID_BASE = "https://github.com/caac-dev/caac/raw/main/schemas/graph/"

# Pseudo type usable only in the overlay: a key the service returns as null and
# drops on write (graph-ca-schema.md §2.12).  Maps to {"type": "null"}.
ALWAYS_NULL = "caac.AlwaysNull"

DATE_TIME_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$"
GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_METADATA = REPO_ROOT.parent / "shared" / "reference" / "graph-metadata"
DEFAULT_OUT = REPO_ROOT / "schemas" / "graph"


@dataclass(frozen=True)
class Variant:
    label: str  # "v1.0" | "beta"
    csdl_file: str  # file name inside --metadata
    upstream: str  # description of the upstream source for $comment
    use_overlay: bool

    @property
    def out_name(self) -> str:
        return f"conditionalAccessPolicy.{self.label}.schema.json"


VARIANTS = (
    Variant("v1.0", "conditional-access.v1.0.csdl.xml", "schemas/v1.0-Prod.csdl", False),
    Variant("beta", "conditional-access.beta-ussec.csdl.xml", "schemas/beta-USSec.csdl + overlay", True),
)

# Keys Graph returns but a client must not write (graph-ca-schema.md §2.1, §2.12).
# They stay *allowed* (a GET body validates) but carry "readOnly": true.
READ_ONLY = {
    "conditionalAccessPolicy": {
        "id", "createdDateTime", "modifiedDateTime", "deletedDateTime", "templateId",
        "partialEnablementStrategy",  # beta overlay only
    },
    # Contained navigation: on write only `id` is meaningful; the rest is what an
    # expanded read returns (graph-ca-schema.md §2.9, §2.12).
    "authenticationStrengthPolicy": {
        "createdDateTime", "modifiedDateTime", "displayName", "description", "policyType",
        "requirementsSatisfied", "allowedCombinations", "combinationConfigurations",
    },
}

# Request-body requirements (graph-ca-schema.md §2.1, §5.1 rule 1).
REQUIRED = {"conditionalAccessPolicy": ["displayName", "state", "conditions"]}

# Base type every Graph entity derives from.  The extracts reference
# `graph.entity` without including it; this is its definition in the full CSDL.
SYNTHETIC_ENTITY = f"""
<Schema xmlns="{EDM_NS}" Namespace="{GRAPH_NAMESPACE}">
  <EntityType Name="entity" Abstract="true">
    <Key><PropertyRef Name="id" /></Key>
    <Property Name="id" Type="Edm.String" Nullable="false" />
  </EntityType>
</Schema>
"""


@dataclass(frozen=True)
class OverlayEntry:
    """A CSDL fragment merged into the beta model.

    Merge rules: a type that does not exist is added whole; for a type that
    exists, only properties / enum members it lacks are appended (CSDL wins when
    both have the member, so a newer beta-USSec extract supersedes the overlay).
    """

    cite: str
    what: str
    csdl: str


# Beta-Prod members missing from the beta-USSec extract.  Beta-Prod *names* are
# authoritative in msgraph-metadata schemas/type-mappings/beta-*.json
# (graph-ca-schema.md §1.3); types/values come from the reference sections cited.
BETA_OVERLAY: tuple[OverlayEntry, ...] = (
    # --- members of beta-Prod metadata (type-mappings) absent from beta-USSec ---
    OverlayEntry(
        cite="beta type-mappings in https://github.com/microsoftgraph/msgraph-metadata; https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset?view=graph-rest-beta",
        what="conditions.insiderRiskLevels: flags enum conditionalAccessInsiderRiskLevels",
        csdl="""
<EnumType Name="conditionalAccessInsiderRiskLevels" IsFlags="true">
  <Member Name="minor" Value="1" />
  <Member Name="moderate" Value="2" />
  <Member Name="elevated" Value="4" />
  <Member Name="unknownFutureValue" Value="8" />
</EnumType>
<ComplexType Name="conditionalAccessConditionSet">
  <Property Name="insiderRiskLevels" Type="graph.conditionalAccessInsiderRiskLevels" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="beta type-mappings in https://github.com/microsoftgraph/msgraph-metadata; https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols?view=graph-rest-beta; evolvable enums: https://learn.microsoft.com/graph/best-practices-concept",
        what="grant control riskRemediation (evolvable, after unknownFutureValue)",
        csdl="""
<EnumType Name="conditionalAccessGrantControl">
  <Member Name="riskRemediation" Value="8" />
</EnumType>""",
    ),
    OverlayEntry(
        cite="beta type-mappings in https://github.com/microsoftgraph/msgraph-metadata; https://learn.microsoft.com/graph/api/resources/conditionalaccessapplications?view=graph-rest-beta",
        what="applications.globalSecureAccess (deprecated) / networkAccess: no declared properties, opaque",
        csdl="""
<ComplexType Name="conditionalAccessGlobalSecureAccess" OpenType="true" />
<ComplexType Name="conditionalAccessNetworkAccess" OpenType="true" />
<ComplexType Name="conditionalAccessApplications">
  <Property Name="globalSecureAccess" Type="graph.conditionalAccessGlobalSecureAccess" />
  <Property Name="networkAccess" Type="graph.conditionalAccessNetworkAccess" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="beta type-mappings in https://github.com/microsoftgraph/msgraph-metadata; https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols?view=graph-rest-beta",
        what="sessionControls.globalSecureAccessFilteringProfile {isEnabled, profileId}",
        csdl="""
<ComplexType Name="globalSecureAccessFilteringProfileSessionControl" BaseType="graph.conditionalAccessSessionControl">
  <Property Name="profileId" Type="Edm.String" />
</ComplexType>
<ComplexType Name="conditionalAccessSessionControls">
  <Property Name="globalSecureAccessFilteringProfile" Type="graph.globalSecureAccessFilteringProfileSessionControl" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="v1.0-Prod metadata in https://github.com/microsoftgraph/msgraph-metadata (authenticationMethodModes has no beta differences)",
        what="authenticationMethodModes member qrCodePin (in v1.0-Prod, missing from beta-USSec)",
        csdl="""
<EnumType Name="authenticationMethodModes" IsFlags="true">
  <Member Name="qrCodePin" Value="131072" />
</EnumType>""",
    ),
    # --- present in beta-USSec at f54f11b6; kept so the overlay states the whole
    # --- beta contract (no-ops unless a future extract drops them) ---
    OverlayEntry(
        cite="https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols?view=graph-rest-beta; https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection",
        what="sessionControls.secureSignInSession (token protection), if missing",
        csdl="""
<ComplexType Name="secureSignInSessionControl" BaseType="graph.conditionalAccessSessionControl" />
<ComplexType Name="conditionalAccessSessionControls">
  <Property Name="secureSignInSession" Type="graph.secureSignInSessionControl" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="beta type-mappings in https://github.com/microsoftgraph/msgraph-metadata; https://learn.microsoft.com/graph/api/resources/continuousaccessevaluationsessioncontrol?view=graph-rest-beta",
        what="sessionControls.continuousAccessEvaluation {mode} (no isEnabled), if missing",
        csdl="""
<EnumType Name="continuousAccessEvaluationMode">
  <Member Name="strictEnforcement" Value="0" />
  <Member Name="disabled" Value="1" />
  <Member Name="unknownFutureValue" Value="2" />
  <Member Name="strictLocation" Value="3" />
</EnumType>
<ComplexType Name="continuousAccessEvaluationSessionControl">
  <Property Name="mode" Type="graph.continuousAccessEvaluationMode" />
</ComplexType>
<ComplexType Name="conditionalAccessSessionControls">
  <Property Name="continuousAccessEvaluation" Type="graph.continuousAccessEvaluationSessionControl" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="beta type-mappings in https://github.com/microsoftgraph/msgraph-metadata; https://learn.microsoft.com/graph/api/resources/conditionalaccessconditionset?view=graph-rest-beta",
        what="conditions.agentIdRiskLevels: flags enum conditionalAccessAgentIdRiskLevels, if missing",
        csdl="""
<EnumType Name="conditionalAccessAgentIdRiskLevels" IsFlags="true">
  <Member Name="low" Value="1" />
  <Member Name="medium" Value="2" />
  <Member Name="high" Value="4" />
  <Member Name="unknownFutureValue" Value="8" />
</EnumType>
<ComplexType Name="conditionalAccessConditionSet">
  <Property Name="agentIdRiskLevels" Type="graph.conditionalAccessAgentIdRiskLevels" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="https://learn.microsoft.com/graph/api/resources/conditionalaccessclientapplications?view=graph-rest-beta",
        what="clientApplications agent-identity members, if missing",
        csdl="""
<ComplexType Name="conditionalAccessClientApplications">
  <Property Name="agentIdServicePrincipalFilter" Type="graph.conditionalAccessFilter" />
  <Property Name="excludeAgentIdServicePrincipals" Type="Collection(Edm.String)" Nullable="false" />
  <Property Name="includeAgentIdServicePrincipals" Type="Collection(Edm.String)" Nullable="false" />
</ComplexType>""",
    ),
    # --- observed in live beta responses, in no metadata snapshot (obs) ---
    OverlayEntry(
        cite="observed in live beta responses (2026), in no metadata snapshot; passed through opaquely; type name from a full-metadata beta export",
        what="conditions.agents: opaque object, e.g. {includeAgentUsers, excludeAgentUsers, agentFilter}",
        csdl="""
<ComplexType Name="conditionalAccessAgents" OpenType="true" />
<ComplexType Name="conditionalAccessConditionSet">
  <Property Name="agents" Type="graph.conditionalAccessAgents" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="observed in live beta responses (2026), in no metadata snapshot; passed through opaquely; type name from a full-metadata beta export",
        what="conditions.agentContext: opaque object, e.g. {includeAgentContexts, excludeAgentContexts}",
        csdl="""
<ComplexType Name="conditionalAccessAgentContext" OpenType="true" />
<ComplexType Name="conditionalAccessConditionSet">
  <Property Name="agentContext" Type="graph.conditionalAccessAgentContext" />
</ComplexType>""",
    ),
    OverlayEntry(
        cite="https://learn.microsoft.com/graph/api/resources/conditionalaccessgrantcontrols?view=graph-rest-beta (observed in Microsoft's Conditional Access template 6acdf4c3, preview)",
        what="grant control verifiedID (evolvable)",
        csdl="""
<EnumType Name="conditionalAccessGrantControl">
  <Member Name="verifiedID" />
</EnumType>""",
    ),
    OverlayEntry(
        cite="https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy?view=graph-rest-beta (observed: returned as null, dropped on write)",
        what="response-only keys, null only: partialEnablementStrategy, conditions.times/clients/"
        "signInRiskDetections, sessionControls.networkAccessSecurity/blockSensitiveActions",
        csdl=f"""
<EntityType Name="conditionalAccessPolicy">
  <Property Name="partialEnablementStrategy" Type="{ALWAYS_NULL}" />
</EntityType>
<ComplexType Name="conditionalAccessConditionSet">
  <Property Name="times" Type="{ALWAYS_NULL}" />
  <Property Name="clients" Type="{ALWAYS_NULL}" />
  <Property Name="signInRiskDetections" Type="{ALWAYS_NULL}" />
</ComplexType>
<ComplexType Name="conditionalAccessSessionControls">
  <Property Name="networkAccessSecurity" Type="{ALWAYS_NULL}" />
  <Property Name="blockSensitiveActions" Type="{ALWAYS_NULL}" />
</ComplexType>""",
    ),
)


# --------------------------------------------------------------------------- model


class CsdlError(Exception):
    pass


@dataclass
class Prop:
    name: str
    type: str  # "Edm.X", ALWAYS_NULL, or an unqualified microsoft.graph type name
    collection: bool
    nullable: bool  # the value (single) / each item (collection) may be null
    navigation: bool = False
    comment: str | None = None


@dataclass
class StructType:
    name: str
    kind: str  # "ComplexType" | "EntityType"
    base: str | None
    abstract: bool
    open: bool
    props: list[Prop] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class EnumType:
    name: str
    flags: bool
    members: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class Model:
    structs: dict[str, StructType] = field(default_factory=dict)
    enums: dict[str, EnumType] = field(default_factory=dict)

    def has(self, name: str) -> bool:
        return name in self.structs or name in self.enums


def _local(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def _qualified(name: str, where: str, overlay: bool = False) -> str:
    """`graph.X` / `microsoft.graph.X` -> `X`; `Edm.X` unchanged."""
    if name.startswith("Edm.") or (overlay and name == ALWAYS_NULL):
        return name
    for prefix in GRAPH_PREFIXES:
        if name.startswith(prefix) and "." not in name[len(prefix):]:
            return name[len(prefix):]
    raise CsdlError(f"{where}: type {name!r} is outside namespace {GRAPH_NAMESPACE}")


def _type_ref(raw: str, where: str, overlay: bool) -> tuple[str, bool]:
    m = re.fullmatch(r"Collection\((.+)\)", raw)
    if m:
        return _qualified(m.group(1), where, overlay), True
    return _qualified(raw, where, overlay), False


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value in ("true", "false"):
        return value == "true"
    raise CsdlError(f"expected true/false, got {value!r}")


def parse_csdl(text: str, source: str, overlay: bool = False) -> Model:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise CsdlError(f"{source}: {exc}") from exc
    schemas = [root] if _local(root.tag) == "Schema" else [e for e in root.iter() if _local(e.tag) == "Schema"]
    model = Model()
    for schema in schemas:
        ns = schema.get("Namespace")
        if ns != GRAPH_NAMESPACE:
            raise CsdlError(f"{source}: unexpected Schema Namespace {ns!r}")
        for el in schema:
            kind = _local(el.tag)
            name = el.get("Name")
            if kind in ("Annotations", "Action", "Function", "EntityContainer", "Term", "TypeDefinition"):
                continue
            if kind not in ("ComplexType", "EntityType", "EnumType"):
                raise CsdlError(f"{source}: unsupported element <{kind}>")
            if not name or model.has(name):
                raise CsdlError(f"{source}: missing or duplicate type name {name!r}")
            where = f"{source}: {name}"
            if kind == "EnumType":
                enum = EnumType(name, _bool(el.get("IsFlags"), False))
                for member in el:
                    if _local(member.tag) == "Member":
                        enum.members.append(member.get("Name"))
                model.enums[name] = enum
                continue
            base = el.get("BaseType")
            st = StructType(
                name=name,
                kind=kind,
                base=_qualified(base, where) if base else None,
                abstract=_bool(el.get("Abstract"), False),
                open=_bool(el.get("OpenType"), False),
            )
            for child in el:
                ckind = _local(child.tag)
                if ckind in ("Key", "Annotation"):
                    continue
                if ckind not in ("Property", "NavigationProperty"):
                    raise CsdlError(f"{where}: unsupported element <{ckind}>")
                tname, coll = _type_ref(child.get("Type", ""), where, overlay)
                nav = ckind == "NavigationProperty"
                # Structural: Nullable defaults to true.  Navigation collections
                # never contain null; single-valued navigation defaults to nullable.
                nullable = False if (nav and coll) else _bool(child.get("Nullable"), True)
                st.props.append(Prop(child.get("Name"), tname, coll, nullable, nav))
            model.structs[name] = st
    return model


def merge_overlay(model: Model, entries: tuple[OverlayEntry, ...]) -> None:
    for entry in entries:
        frag = parse_csdl(
            f'<Schema xmlns="{EDM_NS}" Namespace="{GRAPH_NAMESPACE}">{entry.csdl}</Schema>',
            f"overlay[{entry.what}]",
            overlay=True,
        )
        tag = f"beta overlay: {entry.cite}"
        for name, enum in frag.enums.items():
            if name not in model.enums:
                enum.comments.append(tag)
                model.enums[name] = enum
                continue
            target = model.enums[name]
            added = [m for m in enum.members if m not in target.members]
            if added:
                target.members.extend(added)
                target.comments.append(f"beta overlay adds {', '.join(added)}: {entry.cite}")
        for name, st in frag.structs.items():
            if name not in model.structs:
                st.comments.append(tag)
                model.structs[name] = st
                continue
            target = model.structs[name]
            present = {p.name for p in target.props}
            for p in st.props:
                if p.name not in present:
                    p.comment = tag
                    target.props.append(p)


def add_missing_entity_base(model: Model) -> None:
    """The extracts derive types from `graph.entity` without defining it."""
    needed = any(st.base == "entity" for st in model.structs.values())
    if needed and "entity" not in model.structs:
        model.structs.update(parse_csdl(SYNTHETIC_ENTITY, "synthetic entity").structs)
        model.structs["entity"].comments.append("not in the extract; standard Graph base type (key id)")


# ------------------------------------------------------------------------ generator


def def_ref(name: str) -> dict:
    return {"$ref": f"#/$defs/{DEF_PREFIX}{name}"}


def odata_type(name: str) -> str:
    return f"#{DEF_PREFIX}{name}"


EDM = {
    "Edm.String": {"type": "string"},
    "Edm.Boolean": {"type": "boolean"},
    "Edm.Byte": {"type": "integer", "minimum": 0, "maximum": 255},
    "Edm.SByte": {"type": "integer", "minimum": -128, "maximum": 127},
    "Edm.Int16": {"type": "integer", "minimum": -32768, "maximum": 32767},
    "Edm.Int32": {"type": "integer", "minimum": -2147483648, "maximum": 2147483647},
    "Edm.Int64": {"type": "integer"},
    "Edm.Single": {"type": "number"},
    "Edm.Double": {"type": "number"},
    "Edm.Decimal": {"type": "number"},
    # `format` is only an annotation in 2020-12 unless a validator opts in, so the
    # RFC 3339 shape is also enforced with a pattern (Graph sends 0-7 fraction digits).
    "Edm.DateTimeOffset": {"type": "string", "format": "date-time", "pattern": DATE_TIME_PATTERN},
    "Edm.Date": {"type": "string", "format": "date"},
    "Edm.TimeOfDay": {"type": "string", "format": "time"},
    "Edm.Duration": {"type": "string", "format": "duration"},
    "Edm.Guid": {"type": "string", "pattern": GUID_PATTERN},
    "Edm.Binary": {"type": "string", "contentEncoding": "base64"},
    "Edm.Untyped": {},
}


def with_null(schema: dict) -> dict:
    if schema == {}:
        return schema
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    t = schema["type"]
    return {**schema, "type": [t, "null"] if isinstance(t, str) else [*t, "null"]}


class Generator:
    def __init__(self, model: Model):
        self.model = model
        self.defs: dict[str, dict] = {}
        self.queue: list[str] = []

    # -- type helpers
    def chain(self, name: str) -> list[StructType]:
        """Base-most first."""
        out: list[StructType] = []
        seen = set()
        while name:
            if name in seen:
                raise CsdlError(f"inheritance cycle at {name}")
            seen.add(name)
            st = self.model.structs.get(name)
            if st is None:
                raise CsdlError(f"undefined structured type {name!r}")
            out.append(st)
            name = st.base
        return out[::-1]

    def all_props(self, name: str) -> list[Prop]:
        props: dict[str, Prop] = {}
        for st in self.chain(name):
            for p in st.props:
                props[p.name] = p  # a redeclaration keeps the base position
        return list(props.values())

    def concrete_subtypes(self, name: str) -> list[str]:
        subs = []
        for other in sorted(self.model.structs):
            st = self.model.structs[other]
            if other != name and not st.abstract and any(b.name == name for b in self.chain(other)[:-1]):
                subs.append(other)
        return subs

    def use(self, name: str) -> dict:
        if not self.model.has(name):
            raise CsdlError(f"undefined type {name!r}")
        if name not in self.defs and name not in self.queue:
            self.queue.append(name)
        return def_ref(name)

    # -- schemas
    def value_schema(self, tname: str) -> dict:
        if tname == ALWAYS_NULL:
            return {"type": "null"}
        if tname.startswith("Edm."):
            if tname not in EDM:
                raise CsdlError(f"unsupported primitive {tname}")
            return dict(EDM[tname])
        return self.use(tname)

    def prop_schema(self, owner: str, p: Prop) -> dict:
        item = self.value_schema(p.type)
        if p.nullable and p.type != ALWAYS_NULL:
            item = with_null(item)
        schema = {"type": "array", "items": item} if p.collection else item
        out = {"$comment": p.comment} if p.comment else {}
        out.update(schema)
        if p.name in READ_ONLY.get(owner, ()):
            out["readOnly"] = True
        return out

    def struct_def(self, name: str) -> dict:
        st = self.model.structs[name]
        props: dict[str, dict] = {"@odata.type": {"const": odata_type(name)}}
        for p in self.all_props(name):
            props[p.name] = self.prop_schema(name, p)
        schema: dict = {}
        if st.comments:
            schema["$comment"] = "; ".join(st.comments)
        schema["type"] = "object"
        schema["properties"] = props
        if name in REQUIRED:
            schema["required"] = list(REQUIRED[name])
        if not any(b.open for b in self.chain(name)):
            schema["patternProperties"] = {"^@odata\\.": True}
            schema["additionalProperties"] = False
        return schema

    def abstract_def(self, name: str, subs: list[str]) -> dict:
        return {
            "$comment": f"abstract {name}: the value must be one of its concrete subtypes, "
            "named by @odata.type",
            "oneOf": [{**self.use(s), "required": ["@odata.type"]} for s in subs],
        }

    def enum_def(self, enum: EnumType) -> dict:
        comments = list(enum.comments)
        if "unknownFutureValue" in enum.members:
            evolvable = enum.members[enum.members.index("unknownFutureValue") + 1:]
            if evolvable:
                comments.append(
                    "evolvable member(s) after unknownFutureValue: " + ", ".join(evolvable)
                    + " (send Prefer: include-unknown-enum-members)"
                )
        schema: dict = {}
        if enum.flags:
            alt = "(" + "|".join(re.escape(m) for m in enum.members) + ")"
            comments.insert(0, "OData flags enum: one or more members joined by ',' in a single string")
            schema["$comment"] = "; ".join(comments)
            schema["type"] = "string"
            schema["pattern"] = f"^{alt}(,{alt})*$"
        else:
            if comments:
                schema["$comment"] = "; ".join(comments)
            schema["type"] = "string"
            schema["enum"] = list(enum.members)
        return schema

    def run(self) -> dict[str, dict]:
        self.use(ROOT_TYPE)
        while self.queue:
            name = self.queue.pop(0)
            if name in self.model.enums:
                self.defs[name] = self.enum_def(self.model.enums[name])
                continue
            st = self.model.structs[name]
            subs = self.concrete_subtypes(name) if st.abstract else []
            self.defs[name] = self.abstract_def(name, subs) if subs else self.struct_def(name)
        return {DEF_PREFIX + k: self.defs[k] for k in sorted(self.defs)}


def build_schema(variant: Variant, metadata: Path, commit: str) -> dict:
    path = metadata / variant.csdl_file
    model = parse_csdl(path.read_text(encoding="utf-8"), path.name)
    add_missing_entity_base(model)
    if variant.use_overlay:
        merge_overlay(model, BETA_OVERLAY)
    defs = Generator(model).run()
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": ID_BASE + variant.out_name,
        "$comment": (
            f"Generated by tools/gen_graph_schema.py from microsoftgraph/msgraph-metadata commit "
            f"{commit} ({variant.upstream}); do not hand-edit"
        ),
        "title": f"Microsoft Graph {variant.label} conditionalAccessPolicy request body",
        "$ref": def_ref(ROOT_TYPE)["$ref"],
        "$defs": defs,
    }


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def source_commit(metadata: Path) -> str:
    readme = metadata / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    m = re.search(r"\bcommit\s+([0-9a-f]{7,40})\b", text)
    if not m:
        raise CsdlError(f"{readme}: no 'commit <sha>' found; pass --source-commit")
    return m.group(1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # $CAAC_GRAPH_METADATA (what .ci/run exports) wins over the sibling default.
    env_metadata = os.environ.get("CAAC_GRAPH_METADATA")
    ap.add_argument("--metadata", type=Path,
                    default=Path(env_metadata) if env_metadata else DEFAULT_METADATA,
                    help="directory with the CSDL extracts (default: $CAAC_GRAPH_METADATA, "
                         "else %(default)s)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT,
                    help="output directory (default: %(default)s)")
    ap.add_argument("--source-commit", help="msgraph-metadata commit for $comment "
                    "(default: read from <metadata>/README.md)")
    ap.add_argument("--check", action="store_true",
                    help="do not write; exit 1 if the files in --out differ from what would be generated")
    args = ap.parse_args(argv)

    try:
        if not args.metadata.is_dir():
            raise CsdlError(f"metadata directory {args.metadata} not found (see --metadata)")
        commit = args.source_commit or source_commit(args.metadata)
        rendered = {v.out_name: render(build_schema(v, args.metadata, commit)) for v in VARIANTS}
    except (CsdlError, OSError) as exc:
        print(f"gen_graph_schema: error: {exc}", file=sys.stderr)
        return 2

    if args.check:
        stale = []
        for name, text in rendered.items():
            path = args.out / name
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        if stale:
            print("gen_graph_schema: out of date (regenerate with `python3 tools/gen_graph_schema.py`):",
                  *stale, sep="\n  ", file=sys.stderr)
            return 1
        print("gen_graph_schema: schemas are up to date")
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in rendered.items():
        (args.out / name).write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
