//! Client and resource application ids the sign-in readers and Token
//! Protection readiness use, and the clients Microsoft lists as supported
//! by Token Protection on Windows — as data, each with its source.
//!
//! Contract: every application id the `signins` module compares a record
//! with is a constant here and an entry of [`APP_IDS`], which names the page
//! that lists it with that name; the unit tests hold each entry to the
//! page's table row and check that no other id appears in the module's
//! code. Ids no Microsoft page lists are kept only where the record gives
//! no other way to recognise the client, and are marked
//! ([`AppId::learn`] false) so the report can say so.
//!
//! [`SUPPORTED`] is the Windows deployment guide's "Token Protection can be
//! applied to the following applications" list
//! (<https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows>),
//! restricted to the entries a sign-in record can show: a client app id
//! with a cited id. Entries the record cannot show are listed in
//! [`NOT_RECOGNISABLE`] with why.

/// Where the first-party ids below are listed as they appear in sign-in
/// reports ("Application IDs of commonly used Microsoft applications").
pub const FIRST_PARTY_APPS: &str = "https://learn.microsoft.com/troubleshoot/entra/entra-id/governance/verify-first-party-apps-sign-in";
/// The Power Query client ids ("Preauthorize the Power Query client applications").
pub const POWER_QUERY_CLIENTS: &str =
    "https://learn.microsoft.com/power-query/configure-microsoft-entra-for-connector";
/// Visual Studio Code's own source: the client id its Microsoft
/// authentication provider signs in with (no Microsoft Learn page lists it).
pub const VSCODE_SOURCE: &str = "https://github.com/microsoft/vscode/blob/main/extensions/microsoft-authentication/src/common/scopeData.ts";
/// The Windows deployment guide (supported applications, known limitations).
pub const WINDOWS_GUIDE: &str = "https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows";

/// Office 365 Exchange Online (resource).
pub const EXCHANGE_ONLINE: &str = "00000002-0000-0ff1-ce00-000000000000";
/// Office 365 SharePoint Online (resource).
pub const SHAREPOINT_ONLINE: &str = "00000003-0000-0ff1-ce00-000000000000";
/// Microsoft Teams Services (resource).
pub const TEAMS_SERVICES: &str = "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe";
/// Microsoft Office (client: Word, Excel, PowerPoint, Outlook classic).
pub const MICROSOFT_OFFICE: &str = "d3590ed6-52b3-4102-aeff-aad2292ab01c";
/// Microsoft Teams (client).
pub const MICROSOFT_TEAMS: &str = "1fec8e78-bce4-4aaf-ab1b-5451cc387264";
/// Microsoft Outlook (client).
pub const MICROSOFT_OUTLOOK: &str = "5d661950-3475-41cd-a2c3-d671a3162bc1";
/// OneDrive SyncEngine (client).
pub const ONEDRIVE_SYNC: &str = "ab9b8c07-8f02-4f72-87fa-80105867a763";
/// OneNote (client).
pub const ONENOTE: &str = "2d4d3d8e-2be3-4bef-9f87-7875a61c29de";
/// Microsoft Exchange REST API Based Powershell (client: the Exchange
/// PowerShell module).
pub const EXCHANGE_POWERSHELL: &str = "fb78d390-0c51-40cd-8e17-fdbfab77341b";
/// Power Query for Excel (client).
pub const POWER_QUERY_EXCEL: &str = "a672d62c-fc7b-4e81-a576-e60dc46e951d";
/// Visual Studio Code (client).
pub const VISUAL_STUDIO_CODE: &str = "aebc6443-996d-45c2-90f0-388ff96faa56";
/// Microsoft SharePoint Online Management Shell (client; no Microsoft page found).
pub const SPO_MANAGEMENT_SHELL: &str = "9bc3ab49-b65d-410a-85ad-de819febfddc";
/// PnP Management Shell (client; no Microsoft page found).
pub const PNP_MANAGEMENT_SHELL: &str = "31359c7f-bd7e-475c-86db-fdb8c937548e";

/// One application id and where it is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppId {
    /// The id, lower case.
    pub id: &'static str,
    /// The name the source gives it.
    pub name: &'static str,
    /// The page (or, for ids no Microsoft page lists, what the id rests on).
    pub source: &'static str,
    /// Listed on a Microsoft Learn page.
    pub learn: bool,
}

/// Every application id the `signins` module uses.
pub const APP_IDS: &[AppId] = &[
    AppId {
        id: EXCHANGE_ONLINE,
        name: "Office 365 Exchange Online",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: SHAREPOINT_ONLINE,
        name: "Office 365 SharePoint Online",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: TEAMS_SERVICES,
        name: "Microsoft Teams Services",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: MICROSOFT_OFFICE,
        name: "Microsoft Office",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: MICROSOFT_TEAMS,
        name: "Microsoft Teams",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: MICROSOFT_OUTLOOK,
        name: "Microsoft Outlook",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: ONEDRIVE_SYNC,
        name: "OneDrive SyncEngine",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: ONENOTE,
        name: "OneNote",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: EXCHANGE_POWERSHELL,
        name: "Microsoft Exchange REST API Based Powershell",
        source: FIRST_PARTY_APPS,
        learn: true,
    },
    AppId {
        id: POWER_QUERY_EXCEL,
        name: "Power Query for Excel",
        source: POWER_QUERY_CLIENTS,
        learn: true,
    },
    AppId {
        id: VISUAL_STUDIO_CODE,
        name: "Visual Studio Code",
        source: VSCODE_SOURCE,
        learn: false,
    },
    AppId {
        id: SPO_MANAGEMENT_SHELL,
        name: "Microsoft SharePoint Online Management Shell",
        source: "no Microsoft page lists this id; it is the client id public scripts use to sign in as the SharePoint Online Management Shell",
        learn: false,
    },
    AppId {
        id: PNP_MANAGEMENT_SHELL,
        name: "PnP Management Shell",
        source: "no Microsoft page lists this id; it is the PnP community's multi-tenant client id that public scripts sign in with",
        learn: false,
    },
];

/// The entry for `id`, if caac knows it.
pub fn app(id: &str) -> Option<&'static AppId> {
    APP_IDS.iter().find(|a| a.id.eq_ignore_ascii_case(id))
}

/// A client the Windows deployment guide lists as supported, and how a
/// sign-in record shows it.
#[derive(Debug)]
pub struct Supported {
    /// As the guide names it.
    pub name: &'static str,
    /// The guide's words.
    pub quote: &'static str,
    /// The guide.
    pub source: &'static str,
    /// The client `appId`s that are this client (each in [`APP_IDS`]).
    pub app_ids: &'static [&'static str],
    /// How it is recognised, and what the record cannot tell.
    pub recognised_by: &'static str,
}

/// The Windows deployment guide's supported applications that a sign-in
/// record shows by its client `appId`. Supported only "on Windows": the
/// device must also be a registered Windows device
/// ([`crate::whatif::token_binding_gap`]) and match no entry of
/// [`super::readiness::UNSUPPORTED`].
pub const SUPPORTED: &[Supported] = &[
    Supported {
        name: "Word, Excel, PowerPoint",
        quote: "Token Protection can be applied to the following applications: … Word, Excel, PowerPoint",
        source: WINDOWS_GUIDE,
        app_ids: &[MICROSOFT_OFFICE],
        recognised_by: "client `appId` d3590ed6-52b3-4102-aeff-aad2292ab01c (Microsoft Office); Office perpetual clients sign in with the same id and \"aren't supported\": the record cannot tell them apart",
    },
    Supported {
        name: "Microsoft Teams",
        quote: "Token Protection can be applied to the following applications: … Microsoft Teams",
        source: WINDOWS_GUIDE,
        app_ids: &[MICROSOFT_TEAMS],
        recognised_by: "client `appId` 1fec8e78-bce4-4aaf-ab1b-5451cc387264 (Microsoft Teams)",
    },
    Supported {
        name: "Outlook",
        quote: "Token Protection can be applied to the following applications: … Outlook",
        source: WINDOWS_GUIDE,
        app_ids: &[MICROSOFT_OUTLOOK],
        recognised_by: "client `appId` 5d661950-3475-41cd-a2c3-d671a3162bc1 (Microsoft Outlook); classic Outlook signs in as Microsoft Office",
    },
    Supported {
        name: "OneDrive",
        quote: "Token Protection can be applied to the following applications: … OneDrive",
        source: WINDOWS_GUIDE,
        app_ids: &[ONEDRIVE_SYNC],
        recognised_by: "client `appId` ab9b8c07-8f02-4f72-87fa-80105867a763 (OneDrive SyncEngine)",
    },
    Supported {
        name: "OneNote",
        quote: "Token Protection can be applied to the following applications: … OneNote",
        source: WINDOWS_GUIDE,
        app_ids: &[ONENOTE],
        recognised_by: "client `appId` 2d4d3d8e-2be3-4bef-9f87-7875a61c29de (OneNote)",
    },
    Supported {
        name: "Exchange PowerShell module",
        quote: "Token Protection can be applied to the following applications: Exchange PowerShell module …",
        source: WINDOWS_GUIDE,
        app_ids: &[EXCHANGE_POWERSHELL],
        recognised_by: "client `appId` fb78d390-0c51-40cd-8e17-fdbfab77341b (Microsoft Exchange REST API Based Powershell)",
    },
    Supported {
        name: "Visual Studio Code",
        quote: "Token Protection can be applied to the following applications: … Visual Studio Code",
        source: WINDOWS_GUIDE,
        app_ids: &[VISUAL_STUDIO_CODE],
        recognised_by: "client `appId` aebc6443-996d-45c2-90f0-388ff96faa56 (Visual Studio Code's own client id; no Learn page lists it); its extensions that access Exchange or SharePoint are not supported ([`super::readiness::UNSUPPORTED`])",
    },
];

/// Supported applications of the Windows guide that a sign-in record cannot
/// confirm, and why (their sign-ins count only when logged `bound`).
pub const NOT_RECOGNISABLE: &[(&str, &str)] = &[
    (
        "Microsoft 365 Copilot, Microsoft Loop, Microsoft To Do, Power BI desktop, Windows App, Microsoft Edge",
        "no Microsoft page caac cites lists their client ids as sign-in logs show them",
    ),
    (
        "Microsoft Graph PowerShell",
        "supported only \"with EnableLoginByWAM option\", which the record does not show",
    ),
    (
        "Visual Studio",
        "supported only \"when using the 'Windows authentication broker' Sign-in option\", which the record does not show",
    ),
    (
        "PowerQuery extension for Excel",
        "\"only available for users on Current Channel\"; the update channel is not logged",
    ),
];

/// The supported client this record's `appId` is, if any.
pub fn supported(app_id: Option<&str>) -> Option<&'static Supported> {
    let app_id = app_id?;
    SUPPORTED
        .iter()
        .find(|s| s.app_ids.iter().any(|i| i.eq_ignore_ascii_case(app_id)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each entry against its source's table row, copied from the page:
    /// "Application IDs of commonly used Microsoft applications"
    /// (verify-first-party-apps-sign-in) and "Preauthorize the Power Query
    /// client applications" (configure-microsoft-entra-for-connector).
    #[test]
    fn every_app_id_matches_its_cited_row() {
        let rows = [
            (
                "Office 365 Exchange Online",
                "00000002-0000-0ff1-ce00-000000000000",
                FIRST_PARTY_APPS,
            ),
            (
                "Office 365 SharePoint Online",
                "00000003-0000-0ff1-ce00-000000000000",
                FIRST_PARTY_APPS,
            ),
            (
                "Microsoft Teams Services",
                "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
                FIRST_PARTY_APPS,
            ),
            (
                "Microsoft Office",
                "d3590ed6-52b3-4102-aeff-aad2292ab01c",
                FIRST_PARTY_APPS,
            ),
            (
                "Microsoft Teams",
                "1fec8e78-bce4-4aaf-ab1b-5451cc387264",
                FIRST_PARTY_APPS,
            ),
            (
                "Microsoft Outlook",
                "5d661950-3475-41cd-a2c3-d671a3162bc1",
                FIRST_PARTY_APPS,
            ),
            (
                "OneDrive SyncEngine",
                "ab9b8c07-8f02-4f72-87fa-80105867a763",
                FIRST_PARTY_APPS,
            ),
            (
                "OneNote",
                "2d4d3d8e-2be3-4bef-9f87-7875a61c29de",
                FIRST_PARTY_APPS,
            ),
            (
                "Microsoft Exchange REST API Based Powershell",
                "fb78d390-0c51-40cd-8e17-fdbfab77341b",
                FIRST_PARTY_APPS,
            ),
            (
                "Power Query for Excel",
                "a672d62c-fc7b-4e81-a576-e60dc46e951d",
                POWER_QUERY_CLIENTS,
            ),
        ];
        for (name, id, source) in rows {
            let a = app(id).unwrap_or_else(|| panic!("{name} {id} missing"));
            assert_eq!((a.name, a.source, a.learn), (name, source, true), "{id}");
        }
        // Not on a Learn page: named as such.
        for id in [
            VISUAL_STUDIO_CODE,
            SPO_MANAGEMENT_SHELL,
            PNP_MANAGEMENT_SHELL,
        ] {
            assert!(!app(id).unwrap().learn, "{id}");
        }
        assert_eq!(APP_IDS.len(), rows.len() + 3);
        for a in APP_IDS {
            assert_eq!(a.id, a.id.to_ascii_lowercase());
            assert!(!a.learn || a.source.starts_with("https://learn.microsoft.com/"));
        }
    }

    /// Every GUID in the `signins` module's code (not its tests) is an
    /// entry of [`APP_IDS`] — so none is used without a source.
    #[test]
    fn no_application_id_is_used_without_an_entry() {
        let sources = [
            ("clients.rs", include_str!("clients.rs")),
            ("readiness.rs", include_str!("readiness.rs")),
            ("mod.rs", include_str!("mod.rs")),
            ("replay.rs", include_str!("replay.rs")),
            ("read.rs", include_str!("read.rs")),
            ("members.rs", include_str!("members.rs")),
            ("admin_center.rs", include_str!("admin_center.rs")),
        ];
        let guid = |w: &str| {
            w.len() == 36
                && w.char_indices().all(|(i, c)| match i {
                    8 | 13 | 18 | 23 => c == '-',
                    _ => c.is_ascii_hexdigit(),
                })
        };
        let mut seen = 0;
        for (file, text) in sources {
            let code = text.split("#[cfg(test)]").next().unwrap();
            for w in code.split(|c: char| !(c.is_ascii_hexdigit() || c == '-')) {
                if guid(w) {
                    seen += 1;
                    assert!(app(w).is_some(), "{file}: {w} has no APP_IDS entry");
                }
            }
        }
        assert!(seen > APP_IDS.len());
    }

    #[test]
    fn supported_clients_are_cited_and_recognised_by_cited_ids() {
        for s in SUPPORTED {
            assert_eq!(s.source, WINDOWS_GUIDE, "{}", s.name);
            assert!(s.quote.contains(s.name), "{}", s.name);
            for id in s.app_ids {
                assert!(app(id).is_some(), "{}: {id}", s.name);
                assert!(s.recognised_by.contains(id), "{}: {id}", s.name);
            }
        }
        assert_eq!(
            supported(Some("D3590ED6-52B3-4102-AEFF-AAD2292AB01C")).map(|s| s.name),
            Some("Word, Excel, PowerPoint")
        );
        assert!(supported(Some(POWER_QUERY_EXCEL)).is_none());
        assert!(supported(None).is_none());
    }
}
