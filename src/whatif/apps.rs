//! Members of the application groups Conditional Access targets as one
//! resource — the keywords `Office365` and `MicrosoftAdminPortals`, and the
//! *Windows Azure Service Management API* app
//! (`797f4846-ba00-4fd7-ba43-dac1f8f63013`) — as app ids.
//!
//! Microsoft documents the *names* of the group members, not their ids:
//!
//! - Office 365 suite: "Apps included in Conditional Access Office 365 app suite",
//!   <https://learn.microsoft.com/entra/identity/conditional-access/reference-office-365-application-contents>
//!   (about 130 names).
//! - Microsoft Admin Portals: "Conditional Access: Target resources — Microsoft Admin Portals",
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps#microsoft-admin-portals>
//!   (eight portal names, "we're continually adding more").
//! - Windows Azure Service Management API: same page,
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps#windows-azure-service-management-api>:
//!   "When you target the Windows Azure Service Management API application,
//!   policy is enforced for tokens issued to a set of services closely bound
//!   to the portal. This grouping includes the application IDs of: Azure
//!   Resource Manager; Azure portal, which also covers the Microsoft Entra
//!   admin center and the Microsoft Engage Center; Azure Data Lake;
//!   Application Insights API; Log Analytics API", and "Because the policy
//!   is applied to the Azure management portal and API, any services or
//!   clients that depend on the Azure API can be indirectly affected. For
//!   example: Azure CLI, … Azure PowerShell, …".
//!
//! The ids come from Microsoft's own name → app id table, "Verify first-party
//! Microsoft applications in sign-in reports",
//! <https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in>.
//! Only members whose name appears in *both* pages are listed, so every id has
//! two Microsoft sources; members whose id Microsoft does not publish are
//! missing. The engine therefore reports an "unknown" when a policy targets
//! one of these groups and the sign-in's app is an id caac knows nothing about
//! (see `super::engine`).

/// One group member: the name as the group page spells it and its app id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    /// Name on the group's Learn page.
    pub name: &'static str,
    /// App id (lower-case GUID) from the first-party app id table.
    pub id: &'static str,
}

const fn member(name: &'static str, id: &'static str) -> Member {
    Member { name, id }
}

/// The Office 365 suite members whose app id Microsoft publishes.
///
/// Names from reference-office-365-application-contents (ms.date 2024-12-06),
/// ids from verify-first-party-apps-sign-in (ms.date 2024-03-08). "Viva Engage"
/// is listed there as "Viva Engage (formerly Yammer)". "Media Analysis and
/// Transformation Service" appears twice in the suite list and has two ids in
/// the id table; both are listed.
pub static OFFICE365: &[Member] = &[
    member(
        "Office 365 Exchange Online",
        "00000002-0000-0ff1-ce00-000000000000",
    ),
    member(
        "Office 365 SharePoint Online",
        "00000003-0000-0ff1-ce00-000000000000",
    ),
    member(
        "Skype for Business Online",
        "00000004-0000-0ff1-ce00-000000000000",
    ),
    member("Viva Engage", "00000005-0000-0ff1-ce00-000000000000"),
    member(
        "Microsoft Office 365 Portal",
        "00000006-0000-0ff1-ce00-000000000000",
    ),
    member(
        "Microsoft Exchange Online Protection",
        "00000007-0000-0ff1-ce00-000000000000",
    ),
    member(
        "Microsoft Teams Services",
        "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
    ),
    member("Microsoft Teams", "1fec8e78-bce4-4aaf-ab1b-5451cc387264"),
    member(
        "Microsoft Teams Web Client",
        "5e3ce6c0-2b1f-4285-8d4b-75ee78787346",
    ),
    member("Microsoft Office", "d3590ed6-52b3-4102-aeff-aad2292ab01c"),
    member("Microsoft Forms", "c9a559d2-7aab-4f13-a6ed-e7e9c52aec87"),
    member(
        "Microsoft Stream Portal",
        "cf53fce8-def6-4aeb-8d30-b158e7b1cf83",
    ),
    member(
        "Microsoft Whiteboard Services",
        "95de633a-083e-42f5-b444-a4295d8e9314",
    ),
    member(
        "Media Analysis and Transformation Service",
        "944f0bd1-117b-4b1c-af26-804ed95e767e",
    ),
    member(
        "Media Analysis and Transformation Service",
        "0cd196ee-71bf-4fd6-a57c-b491ffd4fb1e",
    ),
    member("O365 Suite UX", "4345a7b9-9a63-4910-a426-35363201d503"),
    member(
        "Office 365 Search Service",
        "66a88757-258c-4c72-893c-3e8bed4d6899",
    ),
    member("Office Delve", "94c63fef-13a3-47bc-8074-75af8c65887a"),
    member(
        "Office Online Add-in SSO",
        "93d53678-613d-4013-afc1-62e9e444a0a5",
    ),
    member(
        "Office Online Core SSO",
        "243c63a3-247d-41c5-9d83-7788c43f1c43",
    ),
    member("Office.com", "4b233688-031c-404b-9a80-a4f3f2351f90"),
    member(
        "Office365 Shell WCSS-Client",
        "89bee1f7-5e6e-4d8a-9f3d-ecd601259da7",
    ),
    member(
        "OfficeClientService",
        "0f698dd4-f011-4d23-a33e-b36416dcb1e6",
    ),
    member("OfficeHome", "4765445b-32c6-49b0-83e6-1d93765276ca"),
    member(
        "OneDrive SyncEngine",
        "ab9b8c07-8f02-4f72-87fa-80105867a763",
    ),
    member("OneNote", "2d4d3d8e-2be3-4bef-9f87-7875a61c29de"),
    member(
        "SharePoint Online Web Client Extensibility",
        "08e18876-6177-487e-b8b5-cf950c1e598c",
    ),
    member("Sway", "905fcf26-4eb7-48a0-9ff0-8dcc7194b5ba"),
];

/// The Microsoft Admin Portals members whose app id Microsoft publishes.
///
/// Of the eight portals on the cloud-apps page only two have a same-named row
/// in the first-party id table: "Azure Portal" and "Exchange Admin Center".
/// The Microsoft 365 admin center, Defender portal, Entra admin center
/// (covered by the Azure portal app, per the same page's Windows Azure
/// Service Management API section), Intune admin center, Purview portal and
/// Teams admin center have no published id.
pub static ADMIN_PORTALS: &[Member] = &[
    member("Azure portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
    member(
        "Exchange admin center",
        "497effe9-df71-4043-a8bb-14cf78c4b63b",
    ),
];

/// The Windows Azure Service Management API app id: both the Azure Resource
/// Manager resource and the grouping a policy targets.
pub const AZURE_MANAGEMENT: &str = "797f4846-ba00-4fd7-ba43-dac1f8f63013";

/// The members of the Windows Azure Service Management API grouping whose app
/// id Microsoft publishes (besides the grouping's own id, which is Azure
/// Resource Manager's).
///
/// Direct members (the page's "This grouping includes the application IDs
/// of" list) with a same-named row in the first-party id table: "Azure
/// portal" (which "also covers the Microsoft Entra admin center") and "Azure
/// Data Lake". Application Insights API and Log Analytics API have no
/// published id.
///
/// Indirect members: the page's "clients that depend on the Azure API" whose
/// id the table publishes and that are *clients of Azure Resource Manager*:
/// "Microsoft Azure CLI" and "Microsoft Azure PowerShell" (the NOTE on the
/// same page: "The Windows Azure Service Management API application applies
/// to Azure PowerShell, which calls the Azure Resource Manager API"). A
/// sign-in naming one of them is a token request for Azure Resource Manager,
/// so a policy on the grouping applies (**caac decision** on reading the
/// request this way). "Azure SQL Database" (`022907d3-…`) is listed there too
/// but is a resource with its own audience: a token for it is not an Azure
/// management token, so it is not a member (**caac decision**). Azure DevOps
/// is explicitly *not* covered any more ("no longer cover Azure DevOps").
pub static AZURE_MANAGEMENT_MEMBERS: &[Member] = &[
    member("Azure portal", "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"),
    member("Azure Data Lake", "e9f49c6b-5ce5-44c8-925d-015017e9f7ad"),
    member(
        "Microsoft Azure CLI",
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
    ),
    member(
        "Microsoft Azure PowerShell",
        "1950a258-227b-4e31-a9cf-717495945fc2",
    ),
];

/// Apps the same section names that are *not* members (see
/// [`AZURE_MANAGEMENT_MEMBERS`]): known, so no "cannot tell" note.
pub static AZURE_MANAGEMENT_NON_MEMBERS: &[Member] = &[member(
    "Azure SQL Database",
    "022907d3-0f1b-48f7-badc-1ba6abab6d66",
)];

/// `app` (an app id, any case) is covered by a policy that targets the
/// Windows Azure Service Management API: the grouping's own id (Azure
/// Resource Manager) or one of [`AZURE_MANAGEMENT_MEMBERS`].
pub fn in_azure_management(app: &str) -> bool {
    app.eq_ignore_ascii_case(AZURE_MANAGEMENT)
        || AZURE_MANAGEMENT_MEMBERS
            .iter()
            .any(|m| m.id.eq_ignore_ascii_case(app))
}

/// `app` (an app id, any case) is a known member of the Office 365 suite.
pub fn in_office365(app: &str) -> bool {
    OFFICE365.iter().any(|m| m.id.eq_ignore_ascii_case(app))
}

/// `app` (an app id, any case) is a known Microsoft admin portal.
pub fn in_admin_portals(app: &str) -> bool {
    ADMIN_PORTALS.iter().any(|m| m.id.eq_ignore_ascii_case(app))
}

/// `app` is an id caac can place: a member of either group, or an app in the
/// built-in catalog (which are first-party apps whose group membership the
/// lists above settle).
pub fn is_known(app: &str) -> bool {
    in_office365(app)
        || in_admin_portals(app)
        || in_azure_management(app)
        || AZURE_MANAGEMENT_NON_MEMBERS
            .iter()
            .any(|m| m.id.eq_ignore_ascii_case(app))
        || crate::catalog::find_by_id(crate::catalog::Kind::Application, app).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_canonical_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for m in OFFICE365.iter().chain(ADMIN_PORTALS) {
            assert!(crate::resolve::is_guid(m.id), "{m:?}");
            assert_eq!(m.id, m.id.to_ascii_lowercase(), "{m:?}");
            assert!(seen.insert(m.id), "duplicate {m:?}");
        }
        // The Azure portal is in both the admin portals and Azure management.
        let mut seen = std::collections::HashSet::new();
        for m in AZURE_MANAGEMENT_MEMBERS {
            assert!(crate::resolve::is_guid(m.id), "{m:?}");
            assert_eq!(m.id, m.id.to_ascii_lowercase(), "{m:?}");
            assert!(seen.insert(m.id), "duplicate {m:?}");
            assert_ne!(m.id, AZURE_MANAGEMENT);
        }
    }

    // The suite page lists Exchange, SharePoint, Teams and Skype for Business
    // Online; the catalog carries the same ids (graph-ca-schema.md §6.1).
    #[test]
    fn core_suite_members_agree_with_the_catalog() {
        for name in [
            "Office 365 Exchange Online",
            "Office 365 SharePoint Online",
            "Microsoft Teams Services",
            "Skype for Business Online",
            "Yammer",
            "Microsoft Office (client)",
            "Office 365 Exchange Online Protection",
        ] {
            let e = crate::catalog::find_by_name(crate::catalog::Kind::Application, name);
            assert_eq!(e.len(), 1, "{name}");
            assert!(in_office365(e[0].id), "{name} should be in Office365");
        }
        // Microsoft Graph and Azure management are not suite members.
        assert!(!in_office365("00000003-0000-0000-c000-000000000000"));
        assert!(!in_office365("797f4846-ba00-4fd7-ba43-dac1f8f63013"));
        assert!(in_admin_portals("c44b4083-3bb0-49c1-b47d-974e53cbdf3c"));
        assert!(is_known("797f4846-ba00-4fd7-ba43-dac1f8f63013"));
        assert!(!is_known("12345678-1234-1234-1234-123456789abc"));
    }
}
