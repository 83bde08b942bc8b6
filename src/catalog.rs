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
//! Every id is copied from `graph-ca-schema.md` §2.4, §2.8, §6.1–§6.4 or
//! `rules.md` §0.2 (under `/work/shared/reference/`); each entry names its
//! source so a reviewer can re-check it when Microsoft renames or retires
//! something.

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
    entries(kind)
        .iter()
        .filter(|entry| names_of(entry).any(|candidate| same_name(candidate, name)))
        .collect()
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
/// (leading/trailing whitespace ignored), without allocating.
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
// tenant. The table holds the roles listed in §6.2, not every built-in role
// Microsoft ships; an unknown template id is not necessarily wrong.

const ROLE_SOURCE: &str = "graph-ca-schema.md §6.2; learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference";

/// A role row with no aliases: all roles share one source.
const fn role(name: &'static str, template_id: &'static str) -> Entry {
    entry(name, template_id, &[], ROLE_SOURCE)
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
];

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
}
