//! The built-in, tenant-independent name↔id catalog shipped in the binary:
//! first-party application ids, special keyword values, directory role
//! template ids, built-in authentication strengths, user actions and special
//! location ids.
//!
//! Pure data plus lookups; no I/O. Everything tenant-specific (users, groups,
//! named locations, custom strengths, terms of use, service principals,
//! external tenants) comes from a tenant directory file elsewhere, so those
//! kinds have no built-in entries here.
//!
//! Every id is copied from the project's reference notes on the Graph
//! schema (`graph-ca-schema.md`, `rules.md`; they quote Microsoft's
//! first-party application, directory role template, built-in strength and
//! conditionalAccessPolicy references), except the directory roles beyond
//! those, which come from Microsoft's permissions reference; each
//! entry names its source so a reviewer can re-check it when Microsoft renames
//! or retires something.

/// One built-in object: its display name, wire value and accepted aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// Canonical display name, e.g. "Office 365 Exchange Online".
    pub name: &'static str,
    /// The value Graph wants on the wire (GUID lower-case, or a keyword / URN).
    pub id: &'static str,
    /// Other names users write for it (e.g. "Exchange Online", "Company Administrator" for Global Administrator).
    pub aliases: &'static [&'static str],
    /// Where this fact comes from.
    pub source: &'static str,
}

/// Which reference list a value belongs to; one catalog table per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    User,
    Group,
    Role,
    Application,
    UserAction,
    AuthenticationContext,
    Location,
    AuthenticationStrength,
    TermsOfUse,
    ServicePrincipal,
    ExternalTenant,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 11] = [
        Kind::User,
        Kind::Group,
        Kind::Role,
        Kind::Application,
        Kind::UserAction,
        Kind::AuthenticationContext,
        Kind::Location,
        Kind::AuthenticationStrength,
        Kind::TermsOfUse,
        Kind::ServicePrincipal,
        Kind::ExternalTenant,
    ];

    /// Human noun used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::Group => "group",
            Kind::Role => "directory role",
            Kind::Application => "application",
            Kind::UserAction => "user action",
            Kind::AuthenticationContext => "authentication context",
            Kind::Location => "named location",
            Kind::AuthenticationStrength => "authentication strength",
            Kind::TermsOfUse => "terms of use",
            Kind::ServicePrincipal => "service principal",
            Kind::ExternalTenant => "external tenant",
        }
    }
}

/// Keyword values Graph accepts verbatim in lists of this kind
/// (case-sensitive on the wire).
pub fn keywords(kind: Kind) -> &'static [&'static str] {
    match kind {
        // graph-ca-schema.md §2.3; `AllAgentIdUsers` is beta-only (agent users).
        Kind::User => &["All", "None", "GuestsOrExternalUsers", "AllAgentIdUsers"],
        // graph-ca-schema.md §2.4 / §6.1; `AllAgentIdResources` is beta/preview.
        Kind::Application => &[
            "All",
            "None",
            "Office365",
            "MicrosoftAdminPortals",
            "AllAgentIdResources",
        ],
        // graph-ca-schema.md §2.8 / §6.4.
        Kind::Location => &["All", "AllTrusted"],
        // graph-ca-schema.md §2.5: `ServicePrincipalsInMyTenant` is for
        // includeServicePrincipals; `All` is documented only for the beta
        // includeAgentIdServicePrincipals list (templates 6bdcbbb7, c5bf9137),
        // not for includeServicePrincipals.
        Kind::ServicePrincipal => &["ServicePrincipalsInMyTenant", "All"],
        Kind::Group
        | Kind::Role
        | Kind::UserAction
        | Kind::AuthenticationContext
        | Kind::AuthenticationStrength
        | Kind::TermsOfUse
        | Kind::ExternalTenant => &[],
    }
}

/// Built-in named entries of this kind; empty for tenant-only kinds.
pub fn entries(kind: Kind) -> &'static [Entry] {
    match kind {
        Kind::Application => APPLICATIONS,
        Kind::Role => ROLES,
        Kind::AuthenticationStrength => AUTHENTICATION_STRENGTHS,
        Kind::UserAction => USER_ACTIONS,
        Kind::Location => LOCATIONS,
        Kind::User
        | Kind::Group
        | Kind::AuthenticationContext
        | Kind::TermsOfUse
        | Kind::ServicePrincipal
        | Kind::ExternalTenant => &[],
    }
}

/// Find a built-in entry by name or alias, ASCII-case-insensitively, also
/// ignoring differences in runs of whitespace. Returns all matches (normally
/// 0 or 1).
pub fn find_by_name(kind: Kind, name: &str) -> Vec<&'static Entry> {
    NAME_INDEX
        .get(&(kind, fold(name)))
        .cloned()
        .unwrap_or_default()
}

/// Folded name → entries, in table order. Resolution looks up every name
/// reference here; a linear scan over 131 roles and their aliases was 13% of
/// a 2,000-policy lint (BENCHMARKS.md §2).
static NAME_INDEX: std::sync::LazyLock<
    std::collections::HashMap<(Kind, String), Vec<&'static Entry>>,
> = std::sync::LazyLock::new(|| {
    let mut index: std::collections::HashMap<(Kind, String), Vec<&'static Entry>> =
        std::collections::HashMap::new();
    for kind in Kind::ALL {
        for entry in entries(kind) {
            for name in names_of(entry) {
                let list = index.entry((kind, fold(name))).or_default();
                if !list.iter().any(|e| std::ptr::eq(*e, entry)) {
                    list.push(entry);
                }
            }
        }
    }
    index
});

/// The key [`same_name`] compares by: ASCII-lower-cased words joined by one
/// space, so `fold(a) == fold(b)` exactly when `same_name(a, b)`.
fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// Find a built-in entry by its id (case-insensitive for GUIDs).
pub fn find_by_id(kind: Kind, id: &str) -> Option<&'static Entry> {
    // Every built-in id is lower-case (GUIDs and `urn:user:` URNs), so an
    // ASCII-case-insensitive compare is exactly "case-insensitive for GUIDs".
    entries(kind)
        .iter()
        .find(|entry| entry.id.eq_ignore_ascii_case(id))
}

/// Keyword match, case-insensitive; returns the canonical wire spelling
/// (e.g. "all" → "All" for users, "office365" → "Office365").
pub fn keyword(kind: Kind, value: &str) -> Option<&'static str> {
    keywords(kind)
        .iter()
        .copied()
        .find(|keyword| keyword.eq_ignore_ascii_case(value))
}

/// The canonical name followed by the aliases.
fn names_of(entry: &Entry) -> impl Iterator<Item = &'static str> {
    std::iter::once(entry.name).chain(entry.aliases.iter().copied())
}

/// Name equality after ASCII case folding and whitespace-run collapsing
/// (leading/trailing whitespace ignored); the oracle [`fold`] is tested
/// against.
#[cfg(test)]
fn same_name(a: &str, b: &str) -> bool {
    let mut left = a.split_whitespace();
    let mut right = b.split_whitespace();
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(l), Some(r)) if l.eq_ignore_ascii_case(r) => {}
            _ => return false,
        }
    }
}

/// Shorthand so the tables below read as one row per object.
const fn entry(
    name: &'static str,
    id: &'static str,
    aliases: &'static [&'static str],
    source: &'static str,
) -> Entry {
    Entry {
        name,
        id,
        aliases,
        source,
    }
}

// ---------------------------------------------------------------------------
// Applications (graph-ca-schema.md §6.1, rules.md §0.2)
// ---------------------------------------------------------------------------
//
// Only first-party apps with a fixed appId; the `Office365`,
// `MicrosoftAdminPortals`, `All`, `None` and `AllAgentIdResources` values are
// keywords, not entries. The reference warns that third-party lists swap the
// Windows 365 / Windows Cloud Login / Teams ids; these follow §6.1.
//
// The Teams and Office *client* apps keep the reference's "(client)" suffix
// on purpose: a bare "Microsoft Teams" or "Microsoft Office" is ambiguous
// (Teams Services, the Office365 keyword), and silently picking one would
// target the wrong resource.

static APPLICATIONS: &[Entry] = &[
    entry(
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
        &["Exchange Online"],
        "graph-ca-schema.md §6.1 (GD-v1 create example; GOSDK); rules.md §0.2",
    ),
    entry(
        "Office 365 SharePoint Online",
        "00000003-0000-0ff1-ce00-000000000000",
        &["SharePoint Online"],
        "graph-ca-schema.md §6.1 (GOSDK; GD-v1 evaluate example); rules.md §0.2",
    ),
    entry(
        "Microsoft Graph",
        "00000003-0000-0000-c000-000000000000",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK; ED cloud-apps); rules.md §0.2",
    ),
    entry(
        "Windows Azure Active Directory",
        "00000002-0000-0000-c000-000000000000",
        &["Azure AD Graph"],
        "graph-ca-schema.md §6.1 (ED cloud-apps); rules.md §0.2",
    ),
    entry(
        "Windows Azure Service Management API",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        &["Microsoft Azure Management", "Azure Management"],
        "graph-ca-schema.md §6.1 (GOSDK azureServiceManagementAppId; template d8c51a9a); rules.md §0.2",
    ),
    entry(
        "Azure portal",
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK portalAppId)",
    ),
    entry(
        "Microsoft Teams Services",
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK teamsServiceAppId; idPowerToys FirstPartyApps.cs); rules.md §0.2",
    ),
    entry(
        "Microsoft Teams (client)",
        "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Microsoft Intune",
        "0000000a-0000-0000-c000-000000000000",
        &["Intune"],
        "graph-ca-schema.md §6.1 (GOSDK microsoftIntuneAppId)",
    ),
    entry(
        "Microsoft Intune Enrollment",
        "d4ebce55-015a-49b5-a083-c84d1797ae8c",
        &["Intune Enrollment"],
        "graph-ca-schema.md §6.1 (GOSDK); rules.md §0.2",
    ),
    entry(
        "Azure Virtual Desktop",
        "9cdead84-a844-4324-93f2-b2e6bb768d07",
        // The former product name, still the GOSDK constant's name.
        &["Windows Virtual Desktop"],
        "graph-ca-schema.md §6.1 (GOSDK windowsVirtualDesktopAppId); rules.md §0.2",
    ),
    entry(
        "Windows 365",
        "0af06dc6-e4b5-4f28-818e-e78e62d137a5",
        &[],
        "graph-ca-schema.md §6.1 (Windows 365 docs); rules.md §0.2",
    ),
    entry(
        "Windows Cloud Login",
        "270efc09-cd0d-444b-a71f-39af4910ec45",
        &[],
        "graph-ca-schema.md §6.1 (AVD single sign-on docs); rules.md §0.2",
    ),
    entry(
        "Microsoft Remote Desktop",
        "a4a365df-50f1-4397-bc59-1a1564b8bb9c",
        &[],
        "graph-ca-schema.md §6.1 (AVD single sign-on docs)",
    ),
    entry(
        "Azure DevOps",
        "499b84ac-1321-427f-aa17-267ca6975798",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK; GD-v1 create example 3)",
    ),
    entry(
        "Microsoft Azure CLI",
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        &["Azure CLI"],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Microsoft Office (client)",
        "d3590ed6-52b3-4102-aeff-aad2292ab01c",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Power BI Service",
        "00000009-0000-0000-c000-000000000000",
        &["Power BI"],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Dynamics CRM",
        "00000007-0000-0000-c000-000000000000",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Skype for Business Online",
        "00000004-0000-0ff1-ce00-000000000000",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Yammer",
        "00000005-0000-0ff1-ce00-000000000000",
        &[],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Office 365 Exchange Online Protection",
        "00000007-0000-0ff1-ce00-000000000000",
        &["Exchange Online Protection"],
        "graph-ca-schema.md §6.1 (GOSDK)",
    ),
    entry(
        "Microsoft Defender for Endpoint",
        "dd47d17a-3194-4d86-bfd5-c6ae6f5651e3",
        &[],
        "graph-ca-schema.md §6.1 (ED grant; the iOS/Android app)",
    ),
    entry(
        "Device Registration Service",
        "01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9",
        &[],
        "rules.md §0.2 (ED authentication-flows)",
    ),
    entry(
        "Universal Store Service APIs",
        "45a330b1-b1ec-4cc1-9161-9f03992aa49f",
        &[],
        "rules.md §0.2 (ED policy-all-users-mfa-strength; subscription activation)",
    ),
];

// ---------------------------------------------------------------------------
// Directory role template ids (graph-ca-schema.md §6.2)
// ---------------------------------------------------------------------------
//
// CA accepts only built-in role *template* ids (not per-tenant role object
// ids, not custom or AU-scoped roles — §2.3), so these ids are valid in every
// tenant. The table holds the roles listed in §6.2 plus every other role of
// the permissions reference's "All roles" table (123 roles, 2026-01); roles
// Microsoft adds later are missing until copied here (CA904 docs say so).

const ROLE_SOURCE: &str = "graph-ca-schema.md §6.2; learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference";

/// A role row with no aliases: all roles share one source.
const fn role(name: &'static str, template_id: &'static str) -> Entry {
    entry(name, template_id, &[], ROLE_SOURCE)
}

/// Built-in roles beyond §6.2, copied (name and template id only) from the
/// "All roles" table of Microsoft's permissions reference.
const LISTED_ROLE_SOURCE: &str = "learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference, \"All roles\" table (MicrosoftDocs/entra-docs docs/identity/role-based-access-control/permissions-reference.md, ms.date 2026-01-20)";

/// A built-in role row from the permissions reference (not in §6.2).
const fn listed_role(name: &'static str, template_id: &'static str) -> Entry {
    entry(name, template_id, &[], LISTED_ROLE_SOURCE)
}

// One row per role: the table mirrors §6.2 and is easier to diff against it
// than rustfmt's four-lines-per-call layout.
#[rustfmt::skip]
static ROLES: &[Entry] = &[
    entry(
        "Global Administrator",
        "62e90394-69f5-4237-9190-012177145e10",
        // The role's legacy (MSOnline / Azure AD Graph) display name, still
        // seen in older exports and scripts.
        &["Company Administrator"],
        ROLE_SOURCE,
    ),
    role("Privileged Role Administrator", "e8611ab8-c189-46e8-94e1-60213ab1f814"),
    role("Privileged Authentication Administrator", "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"),
    role("Security Administrator", "194ae4cb-b126-40b2-bd5b-6091b380977d"),
    role("Security Operator", "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"),
    role("Security Reader", "5d6b6bb7-de71-4623-b4af-96380a352509"),
    role("Global Reader", "f2ef992c-3afb-46b9-b7cf-a126ee74c451"),
    role("Conditional Access Administrator", "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"),
    role("Exchange Administrator", "29232cdf-9323-42fd-ade2-1d097af3e4de"),
    role("SharePoint Administrator", "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"),
    role("Teams Administrator", "69091246-20e8-4a56-aa4d-066075b2a7a8"),
    role("User Administrator", "fe930be7-5e62-47db-91af-98c3a49a38b1"),
    role("Helpdesk Administrator", "729827e3-9c14-49f7-bb1b-9608f156bbb8"),
    role("Password Administrator", "966707d0-3269-4727-9be2-8c3a10f19b9d"),
    role("Authentication Administrator", "c4e39bd9-1100-46d3-8c65-fb160da0071f"),
    role("Authentication Policy Administrator", "0526716b-113d-4c15-b2c8-68e3c22b9f80"),
    role("Application Administrator", "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"),
    role("Cloud Application Administrator", "158c047a-c907-4556-b7ef-446551a6b5f7"),
    role("Application Developer", "cf1c38e5-3621-4004-a7cb-879624dced7c"),
    role("Billing Administrator", "b0f54661-2d74-4c50-afa3-1ec803f12efe"),
    role("Intune Administrator", "3a2c62db-5318-420d-8d74-23affee5d9d5"),
    role("Hybrid Identity Administrator", "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2"),
    role("Cloud Device Administrator", "7698a772-787b-4ac8-901f-60d6b08affd2"),
    role("Compliance Administrator", "17315797-102d-40b4-93e0-432062caca18"),
    role("Compliance Data Administrator", "e6d1a23a-da11-4be4-9570-befc86d067a7"),
    role("Dynamics 365 Administrator", "44367163-eba1-44c3-98af-f5787879f96a"),
    role("Power Platform Administrator", "11648597-926c-4cf3-9c36-bcebb0ba8dcc"),
    role("Groups Administrator", "fdd7a751-b60b-444a-984c-02652fe8fa1c"),
    role("License Administrator", "4d6ac14f-3453-41d0-bef9-a3e0c569773a"),
    role("Directory Writers", "9360feb5-f418-4baa-8175-e2a00bac4301"),
    role("Directory Readers", "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"),
    // Microsoft's all-users templates exclude this role so Entra Connect
    // sync accounts are not prompted for MFA (§6.2 "Role sets").
    role("Directory Synchronization Accounts", "d29b2b05-8046-44ba-8758-1e26182fcf32"),
    role("Domain Name Administrator", "8329153b-31d0-4727-b945-745eb3bc5f31"),
    role("External Identity Provider Administrator", "be2f45a1-457d-42af-a067-6ec1fa63bc45"),
    role("Identity Governance Administrator", "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e"),
    role("Lifecycle Workflows Administrator", "59d46f88-662b-457b-bceb-5c3809e5908f"),
    role("Global Secure Access Administrator", "ac434307-12b9-4fa1-a708-88bf58caabc1"),
    role("Windows 365 Administrator", "11451d60-acb2-45eb-a7d6-43d0f0125c13"),
    role("Attribute Definition Reader", "1d336d2c-4ae8-42ef-9711-b3604ce3fc2c"),
    role("Attribute Definition Administrator", "8424c6f0-a189-499e-bbd0-26c1753c96d4"),
    role("Attribute Assignment Administrator", "58a13ea3-c632-46ae-9ee0-9c0d43cd7f3d"),
    role("Reports Reader", "4a5d8f65-41da-4de4-8968-e035b65339cf"),
    role("Agent ID Administrator", "db506228-d27e-4b7d-95e5-295956d6615f"),
    role("AI Administrator", "d2562ede-74db-457e-a7b6-544e236ebb61"),
    // The remaining built-in roles of the permissions reference's "All roles"
    // table (not in §6.2), so CA904 does not flag a real built-in role.
    listed_role("Agent ID Developer", "adb2368d-a9be-41b5-8667-d96778e081b0"),
    listed_role("Agent Registry Administrator", "6b942400-691f-4bf0-9d12-d8a254a2baf5"),
    listed_role("Attack Payload Author", "9c6df0f2-1e7c-4dc3-b195-66dfbd24aa8f"),
    listed_role("Attack Simulation Administrator", "c430b396-e693-46cc-96f3-db01bf8bb62a"),
    listed_role("Attribute Assignment Reader", "ffd52fa5-98dc-465c-991d-fc073eb59f8f"),
    listed_role("Attribute Log Administrator", "5b784334-f94b-471a-a387-e7219fc49ca2"),
    listed_role("Attribute Log Reader", "9c99539d-8186-4804-835f-fd51ef9e2dcd"),
    listed_role("Attribute Provisioning Administrator", "ecb2c6bf-0ab6-418e-bd87-7986f8d63bbe"),
    listed_role("Attribute Provisioning Reader", "422218e4-db15-4ef9-bbe0-8afb41546d79"),
    listed_role("Authentication Extensibility Administrator", "25a516ed-2fa0-40ea-a2d0-12923a21473a"),
    listed_role("Azure DevOps Administrator", "e3973bdf-4987-49ae-837a-ba8e231c7286"),
    listed_role("Azure Information Protection Administrator", "7495fdc4-34c4-4d15-a289-98788ce399fd"),
    listed_role("B2C IEF Keyset Administrator", "aaf43236-0c0d-4d5f-883a-6955382ac081"),
    listed_role("B2C IEF Policy Administrator", "3edaf663-341e-4475-9f94-5c398ef6c070"),
    listed_role("Cloud App Security Administrator", "892c5842-a9a6-463a-8041-72aa08ca3cf6"),
    listed_role("Customer LockBox Access Approver", "5c4f9dcd-47dc-4cf7-8c9a-9e4207cbfc91"),
    listed_role("Desktop Analytics Administrator", "38a96431-2bdf-4b4c-8b6e-5d3d8abac1a4"),
    listed_role("Dragon Administrator", "e93e3737-fa85-474a-aee4-7d3fb86510f3"),
    listed_role("Dynamics 365 Business Central Administrator", "963797fb-eb3b-4cde-8ce3-5878b3f32a3f"),
    listed_role("Edge Administrator", "3f1acade-1e04-4fbc-9b69-f0302cd84aef"),
    listed_role("Exchange Backup Administrator", "49eb8f75-97e9-4e37-9b2b-6c3ebfcffa31"),
    listed_role("Exchange Recipient Administrator", "31392ffb-586c-42d1-9346-e59415a2cc4e"),
    listed_role("Extended Directory User Administrator", "dd13091a-6207-4fc0-82ba-3641e056ab95"),
    listed_role("External ID User Flow Administrator", "6e591065-9bad-43ed-90f3-e9424366d2f0"),
    listed_role("External ID User Flow Attribute Administrator", "0f971eea-41eb-4569-a71e-57bb8a3eff1e"),
    listed_role("Fabric Administrator", "a9ea8996-122f-4c74-9520-8edcd192826c"),
    listed_role("Global Secure Access Log Reader", "843318fb-79a6-4168-9e6f-aa9a07481cc4"),
    listed_role("Guest Inviter", "95e79109-95c0-4d8e-aee3-d01accf2d47b"),
    listed_role("Insights Administrator", "eb1f4a8d-243a-41f0-9fbd-c7cdf6c5ef7c"),
    listed_role("Insights Analyst", "25df335f-86eb-4119-b717-0ff02de207e9"),
    listed_role("Insights Business Leader", "31e939ad-9672-4796-9c2e-873181342d2d"),
    listed_role("IoT Device Administrator", "2ea5ce4c-b2d8-4668-bd81-3680bd2d227a"),
    listed_role("Kaizala Administrator", "74ef975b-6605-40af-a5d2-b9539d836353"),
    listed_role("Knowledge Administrator", "b5a8dcf3-09d5-43a9-a639-8e29ef291470"),
    listed_role("Knowledge Manager", "744ec460-397e-42ad-a462-8b3f9747a02c"),
    listed_role("Message Center Privacy Reader", "ac16e43d-7b2d-40e0-ac05-243ff356ab5b"),
    listed_role("Message Center Reader", "790c1fb9-7f7d-4f88-86a1-ef1f95c05c1b"),
    listed_role("Microsoft 365 Backup Administrator", "1707125e-0aa2-4d4d-8655-a7c786c76a25"),
    listed_role("Microsoft 365 Migration Administrator", "8c8b803f-96e1-4129-9349-20738d9f9652"),
    listed_role("Microsoft 365 Support Engineer", "00cf5c54-4693-4f59-a0ac-ab79ef0a974d"),
    listed_role("Microsoft Entra Joined Device Local Administrator", "9f06204d-73c1-4d4c-880a-6edb90606fd8"),
    listed_role("Microsoft Graph Data Connect Administrator", "ee67aa9c-e510-4759-b906-227085a7fd4d"),
    listed_role("Microsoft Hardware Warranty Administrator", "1501b917-7653-4ff9-a4b5-203eaf33784f"),
    listed_role("Microsoft Hardware Warranty Specialist", "281fe777-fb20-4fbb-b7a3-ccebce5b0d96"),
    listed_role("Network Administrator", "d37c8bed-0711-4417-ba38-b4abe66ce4c2"),
    listed_role("Office Apps Administrator", "2b745bdf-0803-4d80-aa65-822c4493daac"),
    listed_role("Organizational Branding Administrator", "92ed04bf-c94a-4b82-9729-b799a7a4c178"),
    listed_role("Organizational Data Source Administrator", "9d70768a-0cbc-4b4c-aea3-2e124b2477f4"),
    listed_role("Organizational Messages Approver", "e48398e2-f4bb-4074-8f31-4586725e205b"),
    listed_role("Organizational Messages Writer", "507f53e4-4e52-4077-abd3-d2e1558b6ea2"),
    listed_role("Partner Tier1 Support", "4ba39ca4-527c-499a-b93d-d9b492c50246"),
    listed_role("Partner Tier2 Support", "e00e864a-17c5-4a4b-9c06-f5b95a8d5bd8"),
    listed_role("People Administrator", "024906de-61e5-49c8-8572-40335f1e0e10"),
    listed_role("Permissions Management Administrator", "af78dc32-cf4d-46f9-ba4e-4428526346b5"),
    listed_role("Places Administrator", "78b0ccd1-afc2-4f92-9116-b41aedd09592"),
    listed_role("Printer Administrator", "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f"),
    listed_role("Printer Technician", "e8cef6f1-e4bd-4ea8-bc07-4b8d950f4477"),
    listed_role("Search Administrator", "0964bb5e-9bdb-4d7b-ac29-58e794862a40"),
    listed_role("Search Editor", "8835291a-918c-4fd7-a9ce-faa49f0cf7d9"),
    listed_role("Service Support Administrator", "f023fd81-a637-4b56-95fd-791ac0226033"),
    listed_role("SharePoint Advanced Management Administrator", "99009c4a-3b3f-4957-82a9-9d35e12db77e"),
    listed_role("SharePoint Backup Administrator", "9d3e04ba-3ee4-4d1b-a3a7-9aef423a09be"),
    listed_role("SharePoint Embedded Administrator", "1a7d78b6-429f-476b-b8eb-35fb715fffd4"),
    listed_role("Skype for Business Administrator", "75941009-915a-4869-abe7-691bff18279e"),
    listed_role("Teams Communications Administrator", "baf37b3a-610e-45da-9e62-d9d1e5e8914b"),
    listed_role("Teams Communications Support Engineer", "f70938a0-fc10-4177-9e90-2178f8765737"),
    listed_role("Teams Communications Support Specialist", "fcf91098-03e3-41a9-b5ba-6f0ec8188a12"),
    listed_role("Teams Devices Administrator", "3d762c5a-1b6c-493f-843e-55a3b42923d4"),
    listed_role("Teams Reader", "1076ac91-f3d9-41a7-a339-dcdf5f480acc"),
    listed_role("Teams Telephony Administrator", "aa38014f-0993-46e9-9b45-30501a20909d"),
    listed_role("Tenant Creator", "112ca1a2-15ad-4102-995e-45b0bc479a6a"),
    listed_role("Usage Summary Reports Reader", "75934031-6c7e-415a-99d7-48dbd49e875e"),
    listed_role("User Experience Success Manager", "27460883-1df1-4691-b032-3b79643e5e63"),
    listed_role("Virtual Visits Administrator", "e300d9e7-4a2b-4295-9eff-f1c78b36cc98"),
    listed_role("Viva Glint Tenant Administrator", "0ec3f692-38d6-4d14-9e69-0377ca7797ad"),
    listed_role("Viva Goals Administrator", "92b086b3-e367-4ef2-b869-1de128fb986e"),
    listed_role("Viva Pulse Administrator", "87761b17-1ed2-4af3-9acd-92a150038160"),
    listed_role("Windows Update Deployment Administrator", "32696413-001a-46ae-978c-ce0f6b3620d2"),
    listed_role("Yammer Administrator", "810a2642-a034-447f-a5e8-41beaa378541"),
    // Newer than the stored permissions reference: added to its "All roles"
    // table after 2026-01 (entra-docs change adding Entra Backup roles).
    entry("Entra Backup Administrator", "b6a27b2b-f905-4b2e-81b5-0d90e0ef1fdb", &[], NEWER_ROLE_SOURCE),
    // Deprecated and default-user roles: still built-in role templates that
    // real exports (ScubaGear, IntuneManagement baselines) include, and that
    // Conditional Access still accepts (users-and-groups page), so CA904 must
    // not call them unknown.
    entry("Device Join", "9c094953-4995-41c8-84c8-3ebb9b32c93f", &[], DEPRECATED_ROLE_SOURCE),
    entry("Device Managers", "2b499bcd-da44-4968-8aec-78e1674fa64d", &[], DEPRECATED_ROLE_SOURCE),
    entry("Device Users", "d405c6df-0af8-4e3b-95e4-4d06e542189e", &[], DEPRECATED_ROLE_SOURCE),
    entry("Workplace Device Join", "c34f683f-4d5a-4403-affd-6615e00e3a7f", &[], DEPRECATED_ROLE_SOURCE),
    entry("User", "a0b1b346-4d3e-4e8b-98f8-753987be4970", &[], DEFAULT_USER_ROLE_SOURCE),
    entry("Guest User", "10dae51f-b6af-4016-8d66-8c2a99b929b3", &[], DEFAULT_USER_ROLE_SOURCE),
    entry("Restricted Guest User", "2af84b1e-32c8-42b7-82bc-daa82404023b", &[], DEFAULT_USER_ROLE_SOURCE),
];

const NEWER_ROLE_SOURCE: &str = "learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference (\"All roles\" table, 2026 revision adding Entra Backup Administrator)";
const DEPRECATED_ROLE_SOURCE: &str = "learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference \"Deprecated roles\"; hashicorp/go-azure-sdk directory role constants (\"Deprecated - Do Not Use\")";
const DEFAULT_USER_ROLE_SOURCE: &str = "learn.microsoft.com/graph/api/resources/authorizationpolicy (guestUserRoleId: User, Guest User, Restricted Guest User template ids)";

/// Template ids of the 14 admin roles targeted by Microsoft's "Require MFA
/// for admins", "MFA for admin portals" and "compliant device for admins"
/// templates — the security-defaults set (graph-ca-schema.md §6.2 "Role
/// sets"; rules.md §0.2).
pub static ADMIN_ROLES_14: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8", // Helpdesk Administrator
    "b0f54661-2d74-4c50-afa3-1ec803f12efe", // Billing Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator
    "c4e39bd9-1100-46d3-8c65-fb160da0071f", // Authentication Administrator
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator
    "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
    "966707d0-3269-4727-9be2-8c3a10f19b9d", // Password Administrator
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", // Privileged Authentication Administrator
    "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
];

/// Template ids of the 19 roles targeted by Microsoft's "Require
/// phishing-resistant MFA for admins" template (76c03f19): the 14 admin
/// roles plus five workload admins (graph-ca-schema.md §6.2 "Role sets";
/// rules.md §0.2).
pub static ADMIN_ROLES_PHISHING_RESISTANT: &[&str] = &[
    "62e90394-69f5-4237-9190-012177145e10", // Global Administrator
    "194ae4cb-b126-40b2-bd5b-6091b380977d", // Security Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
    "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9", // Conditional Access Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8", // Helpdesk Administrator
    "b0f54661-2d74-4c50-afa3-1ec803f12efe", // Billing Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator
    "c4e39bd9-1100-46d3-8c65-fb160da0071f", // Authentication Administrator
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator
    "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
    "966707d0-3269-4727-9be2-8c3a10f19b9d", // Password Administrator
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", // Privileged Authentication Administrator
    "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
    "17315797-102d-40b4-93e0-432062caca18", // Compliance Administrator
    "e6d1a23a-da11-4be4-9570-befc86d067a7", // Compliance Data Administrator
    "3a2c62db-5318-420d-8d74-23affee5d9d5", // Intune Administrator
    "44367163-eba1-44c3-98af-f5787879f96a", // Dynamics 365 Administrator
    "11648597-926c-4cf3-9c36-bcebb0ba8dcc", // Power Platform Administrator
];

// ---------------------------------------------------------------------------
// Built-in authentication strengths (graph-ca-schema.md §6.3)
// ---------------------------------------------------------------------------
//
// Read-only, policyType builtIn, identical in every tenant. Custom strengths
// are tenant data. The portal shortens the first to "MFA" in places, and the
// other two display names are themselves abbreviations, so the long forms are
// accepted too.

const STRENGTH_SOURCE: &str = "graph-ca-schema.md §6.3 (GD authenticationstrengthroot-list-policies v1.0 example; templates); rules.md §0.2";

static AUTHENTICATION_STRENGTHS: &[Entry] = &[
    entry(
        "Multifactor authentication",
        "00000000-0000-0000-0000-000000000002",
        &["MFA"],
        STRENGTH_SOURCE,
    ),
    entry(
        "Passwordless MFA",
        "00000000-0000-0000-0000-000000000003",
        &["Passwordless multifactor authentication"],
        STRENGTH_SOURCE,
    ),
    entry(
        "Phishing-resistant MFA",
        "00000000-0000-0000-0000-000000000004",
        &["Phishing-resistant multifactor authentication"],
        STRENGTH_SOURCE,
    ),
];

// ---------------------------------------------------------------------------
// User actions (graph-ca-schema.md §2.4; rules.md §0.1)
// ---------------------------------------------------------------------------
//
// The wire values are lower-case URNs; the camelCase aliases are how the
// actions are usually spelled in docs and other tools' YAML.

static USER_ACTIONS: &[Entry] = &[
    entry(
        "Register security information",
        "urn:user:registersecurityinfo",
        &["registerSecurityInfo"],
        "graph-ca-schema.md §2.4 (GD conditionalAccessApplications); rules.md §0.1",
    ),
    entry(
        "Register or join devices",
        "urn:user:registerdevice",
        &["registerDevice"],
        "graph-ca-schema.md §2.4 (GD conditionalAccessApplications); rules.md §0.1",
    ),
    entry(
        "Account recovery",
        "urn:user:accountrecovery",
        &["accountRecovery"],
        "graph-ca-schema.md §2.4, §9 (preview: observed only in beta template 6acdf4c3, not in metadata)",
    ),
];

// ---------------------------------------------------------------------------
// Special location ids (graph-ca-schema.md §2.8, §6.4)
// ---------------------------------------------------------------------------
//
// Fixed ids that are not tenant-created named locations; `All` and
// `AllTrusted` are keywords instead.

static LOCATIONS: &[Entry] = &[
    entry(
        "MFA trusted IPs",
        // The legacy per-user-MFA trusted IP list is addressed by the nil GUID.
        "00000000-0000-0000-0000-000000000000",
        &[],
        "graph-ca-schema.md §2.8, §6.4 (GD-v1 create example 3; DSC)",
    ),
    entry(
        "All Compliant Network locations",
        // compliantNetworkNamedLocation, compliantNetworkType allTenantCompliantNetworks.
        "3d46dbda-8382-466a-856d-eb00cbc6b910",
        &[],
        "graph-ca-schema.md §2.8, §6.4 (GD-beta get_compliantnetworknamedlocation example)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_KINDS: [Kind; 11] = [
        Kind::User,
        Kind::Group,
        Kind::Role,
        Kind::Application,
        Kind::UserAction,
        Kind::AuthenticationContext,
        Kind::Location,
        Kind::AuthenticationStrength,
        Kind::TermsOfUse,
        Kind::ServicePrincipal,
        Kind::ExternalTenant,
    ];

    /// The folded form used to compare names in `find_by_name`.
    fn fold(name: &str) -> String {
        name.split_whitespace()
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn is_canonical_guid(id: &str) -> bool {
        let groups: Vec<&str> = id.split('-').collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        lengths == [8, 4, 4, 4, 12]
            && groups.iter().all(|g| {
                g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            })
    }

    #[test]
    fn names_are_unique_per_kind_after_folding() {
        for kind in ALL_KINDS {
            let mut seen = std::collections::HashSet::new();
            for e in entries(kind) {
                for name in names_of(e) {
                    assert!(!fold(name).is_empty(), "{kind:?}: empty name in {e:?}");
                    assert!(seen.insert(fold(name)), "{kind:?}: duplicate name {name:?}");
                }
            }
        }
    }

    #[test]
    fn names_do_not_shadow_keywords() {
        for kind in ALL_KINDS {
            for e in entries(kind) {
                for name in names_of(e) {
                    assert_eq!(keyword(kind, name), None, "{kind:?}: {name:?} is a keyword");
                }
            }
        }
    }

    #[test]
    fn ids_are_canonical() {
        for kind in ALL_KINDS {
            for e in entries(kind) {
                if kind == Kind::UserAction {
                    assert!(e.id.starts_with("urn:user:"), "{e:?}");
                    assert_eq!(e.id, e.id.to_ascii_lowercase(), "{e:?}");
                } else {
                    assert!(
                        is_canonical_guid(e.id),
                        "{kind:?}: not a canonical GUID: {e:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn ids_are_unique_per_kind() {
        for kind in ALL_KINDS {
            let mut seen = std::collections::HashSet::new();
            for e in entries(kind) {
                assert!(seen.insert(e.id), "{kind:?}: duplicate id {}", e.id);
            }
        }
    }

    #[test]
    fn every_entry_has_a_source() {
        for kind in ALL_KINDS {
            for e in entries(kind) {
                assert!(!e.source.trim().is_empty(), "{e:?}");
            }
        }
    }

    #[test]
    fn table_sizes() {
        assert!(entries(Kind::Role).len() >= 40);
        assert!(entries(Kind::Application).len() >= 20);
        assert_eq!(entries(Kind::AuthenticationStrength).len(), 3);
        assert_eq!(entries(Kind::UserAction).len(), 3);
        assert_eq!(entries(Kind::Location).len(), 2);
        for kind in [
            Kind::User,
            Kind::Group,
            Kind::AuthenticationContext,
            Kind::TermsOfUse,
            Kind::ServicePrincipal,
            Kind::ExternalTenant,
        ] {
            assert!(entries(kind).is_empty(), "{kind:?}");
        }
    }

    #[test]
    fn admin_role_sets_are_known_roles() {
        assert_eq!(ADMIN_ROLES_14.len(), 14);
        assert_eq!(ADMIN_ROLES_PHISHING_RESISTANT.len(), 19);
        for set in [ADMIN_ROLES_14, ADMIN_ROLES_PHISHING_RESISTANT] {
            let unique: std::collections::HashSet<_> = set.iter().collect();
            assert_eq!(unique.len(), set.len());
            for id in set {
                let role = find_by_id(Kind::Role, id);
                assert_eq!(role.map(|r| r.id), Some(*id), "unknown role template {id}");
            }
        }
        for id in ADMIN_ROLES_14 {
            assert!(ADMIN_ROLES_PHISHING_RESISTANT.contains(id), "{id}");
        }
    }

    #[test]
    fn find_by_name_ignores_case_and_whitespace() {
        let exchange = find_by_name(Kind::Application, "  exchange \t ONLINE ");
        assert_eq!(exchange.len(), 1);
        assert_eq!(exchange[0].id, "00000002-0000-0ff1-ce00-000000000000");

        let arm = find_by_name(Kind::Application, "azure management");
        assert_eq!(arm[0].name, "Windows Azure Service Management API");
        let avd = find_by_name(Kind::Application, "windows virtual desktop");
        assert_eq!(avd[0].name, "Azure Virtual Desktop");

        let ga = find_by_name(Kind::Role, "company administrator");
        assert_eq!(ga[0].id, "62e90394-69f5-4237-9190-012177145e10");
        let sync = find_by_name(Kind::Role, "Directory  Synchronization Accounts");
        assert_eq!(sync[0].id, "d29b2b05-8046-44ba-8758-1e26182fcf32");

        let mfa = find_by_name(Kind::AuthenticationStrength, "mfa");
        assert_eq!(mfa[0].id, "00000000-0000-0000-0000-000000000002");
        let phish = find_by_name(Kind::AuthenticationStrength, "phishing-resistant mfa");
        assert_eq!(phish[0].id, "00000000-0000-0000-0000-000000000004");

        let action = find_by_name(Kind::UserAction, "registersecurityinfo");
        assert_eq!(action[0].id, "urn:user:registersecurityinfo");

        // Names are per kind, and near-misses do not match.
        assert!(find_by_name(Kind::Role, "Exchange Online").is_empty());
        assert!(find_by_name(Kind::Application, "Exchange").is_empty());
        assert!(find_by_name(Kind::Application, "").is_empty());
    }

    #[test]
    fn find_by_id_ignores_case() {
        let ga = find_by_id(Kind::Role, "62E90394-69F5-4237-9190-012177145E10");
        assert_eq!(ga.map(|e| e.name), Some("Global Administrator"));
        let loc = find_by_id(Kind::Location, "3D46DBDA-8382-466A-856D-EB00CBC6B910");
        assert_eq!(loc.map(|e| e.name), Some("All Compliant Network locations"));
        assert_eq!(
            find_by_id(Kind::Application, "62e90394-69f5-4237-9190-012177145e10"),
            None
        );
    }

    #[test]
    fn keywords_canonicalise() {
        assert_eq!(keyword(Kind::User, "all"), Some("All"));
        assert_eq!(
            keyword(Kind::User, "guestsorexternalusers"),
            Some("GuestsOrExternalUsers")
        );
        assert_eq!(keyword(Kind::Application, "office365"), Some("Office365"));
        assert_eq!(
            keyword(Kind::Application, "MICROSOFTADMINPORTALS"),
            Some("MicrosoftAdminPortals")
        );
        assert_eq!(keyword(Kind::Location, "alltrusted"), Some("AllTrusted"));
        assert_eq!(
            keyword(Kind::ServicePrincipal, "serviceprincipalsinmytenant"),
            Some("ServicePrincipalsInMyTenant")
        );
        assert_eq!(keyword(Kind::Location, "None"), None);
        assert_eq!(keyword(Kind::Group, "All"), None);
        assert_eq!(keyword(Kind::Application, "Office 365"), None);
    }

    #[test]
    fn nouns() {
        assert_eq!(Kind::Role.noun(), "directory role");
        assert_eq!(Kind::Location.noun(), "named location");
        for kind in ALL_KINDS {
            assert!(!kind.noun().is_empty());
        }
    }

    #[test]
    fn name_index_matches_a_linear_scan() {
        let mut queries: Vec<String> = Vec::new();
        for kind in ALL_KINDS {
            for entry in entries(kind) {
                for name in names_of(entry) {
                    queries.push(name.to_owned());
                    queries.push(format!("  {}  ", name.to_uppercase()));
                    queries.push(name.replace(' ', "\t \u{a0}"));
                    queries.push(name.replace(' ', ""));
                }
            }
        }
        queries.extend(["", " ", "Exchange  online", "İ", "ß"].map(String::from));
        for kind in ALL_KINDS {
            for q in &queries {
                let linear: Vec<&Entry> = entries(kind)
                    .iter()
                    .filter(|e| names_of(e).any(|c| same_name(c, q)))
                    .collect();
                let indexed = find_by_name(kind, q);
                assert!(
                    linear.len() == indexed.len()
                        && linear
                            .iter()
                            .zip(&indexed)
                            .all(|(a, b)| std::ptr::eq(*a, *b)),
                    "{kind:?} {q:?}"
                );
            }
        }
    }
}
