//! The Microsoft Entra admin center's sign-in log CSV download: detected by
//! its header, each row turned into the Graph `signIn` fields the other
//! dialects give ([`super::Record::from_fields`] reads them unchanged).
//!
//! Contract. The Sign-in logs blade's **Download** writes CSV or JSON, "up
//! to 100,000 sign-in … records per file", timestamps in UTC, one file per
//! kind: interactive sign-ins, non-interactive sign-ins, each also "with
//! only the authentication details included", application sign-ins, and
//! managed identity sign-ins; "The columns in the downloaded logs do not
//! change … regardless of the columns you customized"
//! (<https://learn.microsoft.com/entra/identity/monitoring-health/howto-download-logs>).
//! Microsoft does not document the column headers. They are taken from
//! public scripts that read these downloads: the user sign-in header
//! (`"Date (UTC)","Request ID","User agent","Correlation ID","User ID",
//! "User","Username","User type",…`, 55 to 57 columns as columns were added
//! over time, some names with a trailing space, "Incoming token type"
//! twice) from bitpusher2k/M365IRScripts `02-ProcessEntraSignInLog.ps1`
//! (v2.9, 2024-10), which checks a download's exact header line, and the
//! same header with the application sign-ins header (`Date (UTC),Request
//! ID,Correlation ID,Service principal ID,Service principal name,…`) from a
//! 2026 schema note of exported files; which Graph property each column
//! shows, from a script that rebuilds the download from Graph (`Request ID`
//! = `id`, `Client app` = `clientAppUsed`, `Join Type` =
//! `deviceDetail.trustType`, `Location` = "city, state, countryOrRegion",
//! …). Columns are found by name (trimmed), never by position, so an added
//! column changes nothing.
//!
//! Detection: a header with both `Date (UTC)` and `Request ID`. With a
//! `User ID` column it is a user sign-in file (interactive or
//! non-interactive: the file does not say which, so `isInteractive` is not
//! set); with `Service principal ID` and no `User ID`, the application
//! sign-ins file (each row a service principal sign-in). Anything else with
//! that header (the authentication-details files, whose header no public
//! source gives) is one file error naming the files to download instead.
//!
//! | column | Graph `signIn` field | notes |
//! |---|---|---|
//! | `Request ID` | `id` | |
//! | `User ID` | `userId` | |
//! | `Username` | `userPrincipalName` | |
//! | `User type` | `userType` | |
//! | `Cross tenant access type` | `crossTenantAccessType` | |
//! | `Home tenant ID` | `homeTenantId` | |
//! | `Service principal ID` | `servicePrincipalId` | application file: `signInEventTypes` `servicePrincipal` |
//! | `Application`, `Application ID` | `appDisplayName`, `appId` | |
//! | `Resource ID` | `resourceId` | the target; no audiences column |
//! | `User agent` | `userAgent` | |
//! | `Client app` | `clientAppUsed` | same values |
//! | `Device ID`, `Operating System`, `Join Type` | `deviceDetail.deviceId`, `.operatingSystem`, `.trustType` | |
//! | `Compliant`, `Managed` | `deviceDetail.isCompliant`, `.isManaged` | only `true` / `false` (any case); other text is left out (unknown) |
//! | `IP address` | `ipAddress` | |
//! | `Location` | `location.countryOrRegion` | the last comma-separated part when it is two letters; otherwise left out |
//! | `Original transfer method` | `originalTransferMethod` | only `none`, `deviceCodeFlow`, `authenticationTransfer` (spaces and case ignored), the values of <https://learn.microsoft.com/graph/api/resources/signin?view=graph-rest-beta>; other text is left out |
//! | `Authentication Protocol` | `authenticationProtocol` | only `deviceCode` and `authenticationTransfer` (spaces and case ignored); any other protocol is left out, so without a readable transfer method the authentication flow is unknown, never assumed absent |
//! | `Token Protection - Sign In Session` (`… StatusCode`) | `tokenProtectionStatusDetails.signInSessionStatus` (`.signInSessionStatusCode`) | |
//! | `Managed Identity type` | `signInEventTypes` `managedIdentity` | when neither empty nor `none` |
//!
//! Not in the download, so unknown for every record (counted, never
//! guessed): sign-in risk (no risk column), per-policy Conditional Access
//! results (`Conditional Access` is the overall status only, so the
//! self-check has nothing to compare), the requested audiences, and whether
//! the sign-in was interactive. The JSON download's shape is not documented
//! either; it is read as the JSON dialects are (Graph field names).

use serde_json::{Map, Value, json};

/// Which download a header is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Interactive or non-interactive user sign-ins.
    Users,
    /// Application (service principal) sign-ins.
    Applications,
}

/// The Entra admin center download this header is, `Ok(None)` when it is
/// not one, `Err` (one message for the file) when it is a download caac
/// cannot evaluate.
pub fn detect(names: &[String]) -> Result<Option<Kind>, String> {
    let has = |n: &str| names.iter().any(|h| h.trim() == n);
    if !(has("Date (UTC)") && has("Request ID")) {
        return Ok(None);
    }
    if has("User ID") {
        Ok(Some(Kind::Users))
    } else if has("Service principal ID") {
        Ok(Some(Kind::Applications))
    } else {
        Err(format!(
            "an Entra admin center download without a `User ID` or `Service principal ID` column (found: {}): \
             the \"authentication details\" files carry no sign-in to evaluate; download the \"Interactive sign-ins\", \
             \"Non-interactive sign-ins\" or \"Application sign-ins\" file instead \
             (learn.microsoft.com/entra/identity/monitoring-health/howto-download-logs)",
            names
                .iter()
                .take(8)
                .map(|n| n.trim())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    }
}

/// The value of column `name` (trimmed), when not empty.
fn cell<'a>(row: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    row.iter()
        .find(|(k, _)| k.trim() == name)
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Lower case without spaces, to compare display and enum spellings.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn boolean(s: &str) -> Option<bool> {
    if s.eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// "City, State, CC" → "CC", when the last part is two letters.
fn country(location: &str) -> Option<String> {
    let last = location.rsplit(',').next()?.trim();
    (last.len() == 2 && last.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| last.to_ascii_uppercase())
}

/// One row (keyed by header name) as Graph `signIn` fields.
pub fn to_graph(kind: Kind, row: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    let mut put = |key: &str, column: &str| {
        if let Some(v) = cell(row, column) {
            out.insert(key.into(), Value::String(v.to_owned()));
        }
    };
    put("id", "Request ID");
    put("userId", "User ID");
    put("userPrincipalName", "Username");
    put("userType", "User type");
    put("crossTenantAccessType", "Cross tenant access type");
    put("homeTenantId", "Home tenant ID");
    put("servicePrincipalId", "Service principal ID");
    put("appId", "Application ID");
    put("appDisplayName", "Application");
    put("resourceId", "Resource ID");
    put("userAgent", "User agent");
    put("clientAppUsed", "Client app");
    put("ipAddress", "IP address");
    let mut device = Map::new();
    for (key, column) in [
        ("deviceId", "Device ID"),
        ("operatingSystem", "Operating System"),
        ("trustType", "Join Type"),
    ] {
        if let Some(v) = cell(row, column) {
            device.insert(key.into(), Value::String(v.to_owned()));
        }
    }
    for (key, column) in [("isCompliant", "Compliant"), ("isManaged", "Managed")] {
        if let Some(b) = cell(row, column).and_then(boolean) {
            device.insert(key.into(), Value::Bool(b));
        }
    }
    if !device.is_empty() {
        out.insert("deviceDetail".into(), Value::Object(device));
    }
    if let Some(c) = cell(row, "Location").and_then(country) {
        out.insert("location".into(), json!({ "countryOrRegion": c }));
    }
    if let Some(t) = cell(row, "Original transfer method") {
        let t = match squash(t).as_str() {
            "none" => Some("none"),
            "devicecodeflow" => Some("deviceCodeFlow"),
            "authenticationtransfer" => Some("authenticationTransfer"),
            _ => None,
        };
        if let Some(t) = t {
            out.insert("originalTransferMethod".into(), json!(t));
        }
    }
    if let Some(p) = cell(row, "Authentication Protocol") {
        let p = match squash(p).as_str() {
            "devicecode" => Some("deviceCode"),
            "authenticationtransfer" => Some("authenticationTransfer"),
            _ => None,
        };
        if let Some(p) = p {
            out.insert("authenticationProtocol".into(), json!(p));
        }
    }
    let mut tp = Map::new();
    if let Some(s) = cell(row, "Token Protection - Sign In Session") {
        tp.insert("signInSessionStatus".into(), json!(s));
    }
    if let Some(c) = cell(row, "Token Protection - Sign In Session StatusCode") {
        tp.insert("signInSessionStatusCode".into(), json!(c));
    }
    if !tp.is_empty() {
        out.insert("tokenProtectionStatusDetails".into(), Value::Object(tp));
    }
    let managed_identity = cell(row, "Managed Identity type").is_some_and(|t| squash(t) != "none");
    if managed_identity {
        out.insert("signInEventTypes".into(), json!(["managedIdentity"]));
    } else if kind == Kind::Applications {
        out.insert("signInEventTypes".into(), json!(["servicePrincipal"]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signins::Record;

    /// The user sign-ins header as bitpusher2k/M365IRScripts checks it
    /// (v2.9, 2024-10-14).
    pub const USERS_2024: &str = "\"Date (UTC)\",\"Request ID\",\"User agent\",\"Correlation ID\",\"User ID\",\"User\",\"Username\",\"User type\",\"Cross tenant access type\",\"Incoming token type\",\"Authentication Protocol\",\"Unique token identifier\",\"Original transfer method\",\"Client credential type\",\"Token Protection - Sign In Session\",\"Token Protection - Sign In Session StatusCode\",\"Application\",\"Application ID \",\"Resource\",\"Resource ID \",\"Resource tenant ID\",\"Home tenant ID\",\"Home tenant name\",\"IP address\",\"Location\",\"Status\",\"Sign-in error code\",\"Failure reason\",\"Client app\",\"Device ID\",\"Browser\",\"Operating System\",\"Compliant\",\"Managed\",\"Join Type\",\"Multifactor authentication result\",\"Multifactor authentication auth method\",\"Multifactor authentication auth detail\",\"Authentication requirement\",\"Sign-in identifier\",\"Session ID\",\"IP address (seen by resource)\",\"Through Global Secure Access\",\"Global Secure Access IP address\",\"Autonomous system  number\",\"Flagged for review\",\"Token issuer type\",\"Incoming token type\",\"Token issuer name\",\"Latency\",\"Conditional Access\",\"Managed Identity type\",\"Associated Resource Id\",\"Federated Token Id\",\"Federated Token Issuer\"";

    fn names(header: &str) -> Vec<String> {
        header
            .split(',')
            .map(|h| h.trim_matches('"').to_owned())
            .collect()
    }

    fn row(pairs: &[(&str, &str)]) -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect()
    }

    #[test]
    fn headers_are_detected_by_their_columns() {
        assert_eq!(detect(&names(USERS_2024)), Ok(Some(Kind::Users)));
        let apps = "Date (UTC),Request ID,Correlation ID,Service principal ID,Service principal name,Credential key ID,Credential thumbprint,Application,Application ID ,App owner tenant ID,Resource,Resource ID ,Resource tenant ID,Resource owner tenant ID,Home tenant ID,Home tenant name,IP address,Location,Status,Sign-in error code,Failure reason,Conditional Access";
        assert_eq!(detect(&names(apps)), Ok(Some(Kind::Applications)));
        // A Log Analytics export is not an admin center download.
        assert_eq!(detect(&names("TimeGenerated,Id,UserId")), Ok(None));
        let e = detect(&names("Date (UTC),Request ID,User,Authentication method")).unwrap_err();
        assert!(
            e.contains("without a `User ID` or `Service principal ID` column"),
            "{e}"
        );
        assert!(e.contains("howto-download-logs"), "{e}");
    }

    /// A row with the trailing-space column names maps to the same
    /// record as the Graph spelling.
    #[test]
    fn a_user_row_maps_to_graph_fields() {
        let r = row(&[
            ("Request ID", "r1"),
            ("User ID", "00000000-0000-4000-8000-0000000000A1"),
            ("Username", "alice@contoso.com"),
            ("User type", "Member"),
            ("Application ID ", "d3590ed6-52b3-4102-aeff-aad2292ab01c"),
            ("Application", "Microsoft Office"),
            ("Resource ID ", "00000002-0000-0ff1-ce00-000000000000"),
            ("Client app", "Mobile Apps and Desktop clients"),
            ("Device ID", "aaaaaaaa-0000-4000-8000-000000000001"),
            ("Operating System", "Windows 10"),
            ("Join Type", "Microsoft Entra joined"),
            ("Compliant", "True"),
            ("Managed", "Yes"),
            ("IP address", "203.0.113.7"),
            ("Location", "Utrecht, Utrecht, NL"),
            ("Original transfer method", "Device code flow"),
            ("Authentication Protocol", "Device code"),
            ("Token Protection - Sign In Session", "Unbound"),
            ("Token Protection - Sign In Session StatusCode", "1008"),
            ("Managed Identity type", ""),
            ("Conditional Access", "Failure"),
        ]);
        let g = to_graph(Kind::Users, &r);
        let rec = Record::from_fields(&g).unwrap();
        assert_eq!(rec.id, "r1");
        assert_eq!(
            rec.user_id.as_deref(),
            Some("00000000-0000-4000-8000-0000000000a1")
        );
        assert_eq!(
            rec.resource_id.as_deref(),
            Some("00000002-0000-0ff1-ce00-000000000000")
        );
        assert_eq!(
            rec.app_id.as_deref(),
            Some("d3590ed6-52b3-4102-aeff-aad2292ab01c")
        );
        assert_eq!(rec.country.as_deref(), Some("NL"));
        assert_eq!(rec.is_compliant, Some(true));
        // "Yes" is not a documented spelling: unknown, not guessed.
        assert_eq!(rec.is_managed, None);
        assert_eq!(
            rec.original_transfer_method.as_deref(),
            Some("deviceCodeFlow")
        );
        assert_eq!(rec.session_status.as_deref(), Some("Unbound"));
        assert_eq!(rec.session_status_code, Some(1008));
        assert_eq!(rec.interactive, None);
        assert!(rec.applied.is_empty() && rec.sign_in_risk.is_none());
        assert!(!rec.managed_identity && rec.service_principal_id.is_none());
        let (s, missing) = rec.sign_in().unwrap();
        assert_eq!(s.platform, Some(crate::model::Platform::Windows));
        assert_eq!(
            s.transfer_method,
            Some(crate::model::TransferMethod::DeviceCodeFlow)
        );
        assert!(s.device.registered);
        assert!(missing.sign_in_risk && !missing.flow && !missing.location);
    }

    #[test]
    fn unknown_spellings_are_left_out() {
        let g = to_graph(
            Kind::Users,
            &row(&[
                ("Request ID", "r2"),
                ("User ID", "u"),
                ("Location", "Unknown"),
                ("Original transfer method", "Teleport"),
                ("Authentication Protocol", "OAuth2"),
            ]),
        );
        let rec = Record::from_fields(&g).unwrap();
        assert_eq!(rec.country, None);
        assert_eq!(rec.original_transfer_method, None);
        assert_eq!(rec.authentication_protocol, None);
    }

    #[test]
    fn application_rows_are_service_principals_and_managed_identities_are_not() {
        let r = row(&[
            ("Request ID", "s1"),
            (
                "Service principal ID",
                "00000000-0000-4000-8000-00000000595A",
            ),
            ("Resource ID ", "00000003-0000-0000-c000-000000000000"),
        ]);
        let rec = Record::from_fields(&to_graph(Kind::Applications, &r)).unwrap();
        assert_eq!(
            rec.service_principal_id.as_deref(),
            Some("00000000-0000-4000-8000-00000000595a")
        );
        let mut mi = r.clone();
        mi.insert("Managed Identity type".into(), json!("systemAssigned"));
        let rec = Record::from_fields(&to_graph(Kind::Applications, &mi)).unwrap();
        assert!(rec.managed_identity);
        assert_eq!(rec.sign_in().unwrap_err(), crate::signins::MANAGED_IDENTITY);
    }
}
