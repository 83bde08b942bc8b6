//! A deterministic generator of sign-in logs for benchmarks, as a
//! `std::io::Read` that makes the bytes on the fly (10,000,000 records are
//! tens of GB: they are never written to disk).
//!
//! Shared by `examples/signins_gen.rs` (writes to stdout) and
//! `benches/signins.rs` (in-process throughput), both through
//! `#[path = "../bench/signins_gen.rs"]`.
//!
//! Dialects (the shapes of tests/fixtures/signins):
//! - `graph`: Graph `GET /auditLogs/signIns` pages
//!   (<https://learn.microsoft.com/graph/api/signin-list>), each page one
//!   compact JSON object of 1,000 records on its own line (as the response
//!   bodies are saved), `@odata.nextLink` on every page but the last; the
//!   record shape is the `signIn` resource
//!   (<https://learn.microsoft.com/graph/api/resources/signin>), with the
//!   nested fields caac does not read (`status`, `authenticationDetails`,
//!   `mfaDetail`, `networkLocationDetails`, …) present, as Graph returns them.
//! - `csv`: a Log Analytics "Export to CSV" of `SigninLogs` and
//!   `AADNonInteractiveUserSignInLogs`
//!   (<https://learn.microsoft.com/azure/azure-monitor/reference/tables/signinlogs>),
//!   PascalCase columns, nested fields as JSON strings.
//!
//! Variety: 20,000 users (5 % guests from other tenants), 5 % service
//! principal sign-ins, 60 % non-interactive, 12 apps, 6 platforms, 5 client
//! app types, addresses from the three documentation ranges, 4 to 10
//! `appliedConditionalAccessPolicies` entries per user sign-in. The same
//! seed gives the same bytes.

use std::io::{self, Read, Write};

/// Which export to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Graph pages, one per line.
    Graph,
    /// Log Analytics CSV.
    Csv,
}

/// splitmix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const APPS: [(&str, &str); 12] = [
    ("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"),
    ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
    (
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        "Microsoft Azure CLI",
    ),
    (
        "1950a258-227b-4e31-a9cf-717495945fc2",
        "Microsoft Azure PowerShell",
    ),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
    ("27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile"),
    (
        "ab9b8c07-8f02-4f72-87fa-80105867a763",
        "OneDrive SyncEngine",
    ),
    (
        "fc0f3af4-6835-4174-b806-f7db311fd2f3",
        "Microsoft Intune Windows Agent",
    ),
    (
        "0000000c-0000-0000-c000-000000000000",
        "Microsoft App Access Panel",
    ),
    (
        "89bee1f7-5e6e-4d8a-9f3d-ecd601259da7",
        "Office365 Shell WCSS-Client",
    ),
];

const RESOURCES: [(&str, &str); 6] = [
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
    (
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "Windows Azure Service Management API",
    ),
    (
        "00000004-0000-0ff1-ce00-000000000000",
        "Skype for Business Online",
    ),
    ("0000000a-0000-0000-c000-000000000000", "Microsoft Intune"),
];

/// (operatingSystem, browser, trustType).
const PLATFORMS: [(&str, &str, &str); 6] = [
    ("Windows 10", "Edge 120.0.0", "Azure AD joined"),
    ("Windows 11", "Chrome 121.0.0", "Hybrid Azure AD joined"),
    ("Ios 17.2", "Mobile Safari 17.2", "Azure AD registered"),
    ("Android 14", "Chrome Mobile 120.0.0", ""),
    ("MacOs 14.2", "Safari 17.2", ""),
    ("Linux", "Firefox 121.0", ""),
];

const CLIENTS: [&str; 5] = [
    "Browser",
    "Mobile Apps and Desktop clients",
    "Mobile Apps and Desktop clients",
    "Exchange ActiveSync",
    "IMAP4",
];

const POLICIES: [&str; 10] = [
    "CA001 Block legacy authentication",
    "CA002 Require MFA for admins",
    "CA003 Require MFA for everyone",
    "CA004 Require compliant device for Office 365",
    "CA005 Block unknown platforms",
    "CA006 Guests MFA",
    "CA007 Sign-in risk MFA (report-only)",
    "CA008 Token protection Windows",
    "CA009 Block device code flow",
    "CA010 Session controls unmanaged devices",
];

const RESULTS: [&str; 5] = [
    "success",
    "notApplied",
    "notApplied",
    "reportOnlyNotApplied",
    "failure",
];

const CITIES: [(&str, &str, &str); 5] = [
    ("Amsterdam", "Noord-Holland", "NL"),
    ("Seattle", "Washington", "US"),
    ("London", "England", "GB"),
    ("Berlin", "Berlin", "DE"),
    ("Sydney", "New South Wales", "AU"),
];

const USERS: u64 = 20_000;

/// The streaming generator.
pub struct Gen {
    dialect: Dialect,
    rng: Rng,
    /// Records still to make.
    left: u64,
    /// Records made.
    made: u64,
    buf: Vec<u8>,
    at: usize,
    started: bool,
    /// Records in the current page (Graph).
    in_page: u64,
}

/// Records per Graph page (Graph's `$top` maximum for sign-ins is 1,000).
pub const PAGE: u64 = 1000;

impl Gen {
    /// `records` records of `dialect` from `seed`.
    pub fn new(dialect: Dialect, records: u64, seed: u64) -> Gen {
        Gen {
            dialect,
            rng: Rng(seed),
            left: records,
            made: 0,
            buf: Vec::with_capacity(64 * 1024),
            at: 0,
            started: false,
            in_page: 0,
        }
    }

    /// Refills `buf` with the next piece; false at the end.
    fn refill(&mut self) -> bool {
        self.buf.clear();
        self.at = 0;
        match self.dialect {
            Dialect::Csv => {
                if !self.started {
                    self.started = true;
                    self.buf.extend_from_slice(CSV_HEADER.as_bytes());
                    self.buf.push(b'\n');
                }
                while self.left > 0 && self.buf.len() < 32 * 1024 {
                    self.csv_record();
                }
            }
            Dialect::Graph => {
                while self.left > 0 && self.buf.len() < 32 * 1024 {
                    if self.in_page == 0 {
                        self.buf.extend_from_slice(
                            b"{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns\",\"value\":[",
                        );
                    } else {
                        self.buf.push(b',');
                    }
                    self.graph_record();
                    self.in_page += 1;
                    if self.in_page == PAGE || self.left == 0 {
                        self.in_page = 0;
                        self.buf.push(b']');
                        if self.left > 0 {
                            let _ = write!(
                                self.buf,
                                ",\"@odata.nextLink\":\"https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=1000&$skiptoken=page{}\"",
                                self.made / PAGE
                            );
                        }
                        self.buf.extend_from_slice(b"}\n");
                    }
                }
            }
        }
        !self.buf.is_empty()
    }

    fn guid(&mut self, tag: u64) -> String {
        let a = self.rng.next();
        format!(
            "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
            tag as u32,
            (a >> 48) as u16,
            (a >> 36) as u16 & 0xfff,
            (a >> 24) as u16 & 0xfff,
            a & 0xffff_ffff_ffff
        )
    }

    /// The facts of the next record, the same for both dialects.
    fn facts(&mut self) -> Facts {
        self.left -= 1;
        self.made += 1;
        let r = &mut self.rng;
        let n = r.below(USERS);
        let sp = r.below(20) == 0;
        let guest = !sp && n.is_multiple_of(20);
        let app = *r.pick(&APPS);
        let resource = *r.pick(&RESOURCES);
        let platform = *r.pick(&PLATFORMS);
        let client = *r.pick(&CLIENTS);
        let city = *r.pick(&CITIES);
        let ip = match r.below(3) {
            0 => format!("192.0.2.{}", r.below(256)),
            1 => format!("198.51.100.{}", r.below(256)),
            _ => format!("203.0.113.{}", r.below(256)),
        };
        let interactive = r.below(10) < 4;
        let compliant = r.below(2) == 0;
        let registered = !platform.2.is_empty() && r.below(4) != 0;
        let risk = match r.below(20) {
            0 => "medium",
            1 => "hidden",
            2 => "low",
            _ => "none",
        };
        let protocol = if r.below(50) == 0 {
            "deviceCode"
        } else {
            "none"
        };
        let policies = if sp { 0 } else { 4 + r.below(7) as usize };
        let mut applied = Vec::with_capacity(policies);
        let start = r.below(POLICIES.len() as u64) as usize;
        for k in 0..policies {
            let p = (start + k) % POLICIES.len();
            applied.push((p, *r.pick(&RESULTS)));
        }
        let device = if registered {
            self.guid(0xdddd_0000 + (n as u32 % 0xffff) as u64)
        } else {
            String::new()
        };
        let id = self.guid(self.made);
        let correlation = self.guid(0xc0c0_c0c0);
        Facts {
            id,
            correlation,
            n,
            sp,
            guest,
            app,
            resource,
            platform,
            client,
            city,
            ip,
            interactive,
            compliant,
            device,
            risk,
            protocol,
            applied,
        }
    }

    fn graph_record(&mut self) {
        let f = self.facts();
        let b = &mut self.buf;
        let day = 1 + f.n % 28;
        let _ = write!(
            b,
            "{{\"id\":\"{}\",\"createdDateTime\":\"2026-11-{day:02}T{:02}:{:02}:{:02}Z\",",
            f.id,
            f.n % 24,
            f.n % 60,
            (f.n / 7) % 60
        );
        if f.sp {
            let _ = write!(
                b,
                "\"userDisplayName\":null,\"userPrincipalName\":null,\"userId\":\"\",\"servicePrincipalId\":\"{:08x}-5555-4555-8555-000000000000\",\"servicePrincipalName\":\"svc-{}\",\"signInEventTypes\":[\"servicePrincipal\"],",
                f.n, f.n
            );
        } else {
            let event = if f.interactive {
                "interactiveUser"
            } else {
                "nonInteractiveUser"
            };
            let (domain, utype, cross) = if f.guest {
                ("fabrikam.com", "guest", "b2bCollaboration")
            } else {
                ("contoso.com", "member", "none")
            };
            let _ = write!(
                b,
                "\"userDisplayName\":\"User {n}\",\"userPrincipalName\":\"user{n}@{domain}\",\"userId\":\"00000000-0000-4000-8000-{n:012x}\",\"userType\":\"{utype}\",\"crossTenantAccessType\":\"{cross}\",\"homeTenantId\":\"{}\",\"servicePrincipalId\":\"\",\"signInEventTypes\":[\"{event}\"],",
                if f.guest {
                    "22222222-2222-4222-8222-222222222222"
                } else {
                    "11111111-1111-4111-8111-111111111111"
                },
                n = f.n
            );
        }
        let _ = write!(
            b,
            "\"appId\":\"{}\",\"appDisplayName\":\"{}\",\"resourceId\":\"{}\",\"resourceDisplayName\":\"{}\",\"ipAddress\":\"{}\",\"clientAppUsed\":\"{}\",\"correlationId\":\"{}\",\"conditionalAccessStatus\":\"{}\",\"isInteractive\":{},\"riskDetail\":\"none\",\"riskLevelAggregated\":\"none\",\"riskLevelDuringSignIn\":\"{}\",\"riskState\":\"none\",\"riskEventTypes_v2\":[],\"authenticationProtocol\":\"{}\",\"authenticationRequirement\":\"{}\",\"tokenIssuerType\":\"AzureAD\",\"processingTimeInMilliseconds\":{},",
            f.app.0,
            f.app.1,
            f.resource.0,
            f.resource.1,
            f.ip,
            f.client,
            f.correlation,
            if f.applied.is_empty() {
                "notApplied"
            } else {
                "success"
            },
            f.interactive,
            f.risk,
            f.protocol,
            if f.interactive {
                "multiFactorAuthentication"
            } else {
                "singleFactorAuthentication"
            },
            50 + f.n % 400
        );
        let _ = write!(
            b,
            "\"status\":{{\"errorCode\":0,\"failureReason\":\"Other.\",\"additionalDetails\":\"MFA requirement satisfied by claim in the token\"}},\"deviceDetail\":{{\"deviceId\":\"{}\",\"displayName\":\"{}\",\"operatingSystem\":\"{}\",\"browser\":\"{}\",\"isCompliant\":{},\"isManaged\":{},\"trustType\":\"{}\"}},",
            f.device,
            if f.device.is_empty() {
                String::new()
            } else {
                format!("DESKTOP-{:05}", f.n % 100_000)
            },
            f.platform.0,
            f.platform.1,
            f.compliant,
            !f.device.is_empty(),
            if f.device.is_empty() {
                ""
            } else {
                f.platform.2
            }
        );
        let _ = write!(
            b,
            "\"location\":{{\"city\":\"{}\",\"state\":\"{}\",\"countryOrRegion\":\"{}\",\"geoCoordinates\":{{\"altitude\":null,\"latitude\":52.37,\"longitude\":4.89}}}},",
            f.city.0, f.city.1, f.city.2
        );
        b.extend_from_slice(b"\"mfaDetail\":{\"authMethod\":\"PhoneAppNotification\",\"authDetail\":null},\"networkLocationDetails\":[{\"networkType\":\"namedNetwork\",\"networkNames\":[\"Office\"]}],\"authenticationDetails\":[{\"authenticationStepDateTime\":\"2026-11-20T08:00:00Z\",\"authenticationMethod\":\"Password\",\"authenticationMethodDetail\":\"Password in the cloud\",\"succeeded\":true,\"authenticationStepResultDetail\":\"Correct password\",\"authenticationStepRequirement\":\"Primary authentication\"}],");
        b.extend_from_slice(b"\"appliedConditionalAccessPolicies\":[");
        for (k, (p, result)) in f.applied.iter().enumerate() {
            if k > 0 {
                b.push(b',');
            }
            let _ = write!(
                b,
                "{{\"id\":\"00000000-0000-4000-8000-000000000a{p:02}\",\"displayName\":\"{}\",\"enforcedGrantControls\":[{}],\"enforcedSessionControls\":[],\"result\":\"{result}\"}}",
                POLICIES[*p],
                if *result == "success" { "\"Mfa\"" } else { "" }
            );
        }
        b.extend_from_slice(b"]}");
    }

    fn csv_record(&mut self) {
        let f = self.facts();
        let b = &mut self.buf;
        let day = 1 + f.n % 28;
        let table = if f.sp {
            "AADServicePrincipalSignInLogs"
        } else if f.interactive {
            "SigninLogs"
        } else {
            "AADNonInteractiveUserSignInLogs"
        };
        let _ = write!(
            b,
            "2026-11-{day:02}T{:02}:{:02}:{:02}Z,{},{table},",
            f.n % 24,
            f.n % 60,
            (f.n / 7) % 60,
            f.id
        );
        if f.sp {
            let _ = write!(b, ",,,,{:08x}-5555-4555-8555-000000000000,,", f.n);
        } else {
            let (domain, utype, cross) = if f.guest {
                ("fabrikam.com", "Guest", "b2bCollaboration")
            } else {
                ("contoso.com", "Member", "none")
            };
            let _ = write!(
                b,
                "00000000-0000-4000-8000-{n:012x},user{n}@{domain},{utype},,,{cross},",
                n = f.n
            );
        }
        let _ = write!(
            b,
            "{},{},{},{},{},{},{},{},{},none,{},{},",
            f.app.0,
            f.app.1,
            f.resource.0,
            f.resource.1,
            f.client,
            f.ip,
            f.city.2,
            f.correlation,
            f.interactive,
            f.risk,
            f.protocol
        );
        let _ = write!(
            b,
            "\"{{\"\"deviceId\"\": \"\"{}\"\", \"\"operatingSystem\"\": \"\"{}\"\", \"\"browser\"\": \"\"{}\"\", \"\"isCompliant\"\": {}, \"\"isManaged\"\": {}, \"\"trustType\"\": \"\"{}\"\"}}\",",
            f.device,
            f.platform.0,
            f.platform.1,
            f.compliant,
            !f.device.is_empty(),
            if f.device.is_empty() {
                ""
            } else {
                f.platform.2
            }
        );
        let _ = write!(
            b,
            "\"{{\"\"city\"\": \"\"{}\"\", \"\"state\"\": \"\"{}\"\", \"\"countryOrRegion\"\": \"\"{}\"\", \"\"geoCoordinates\"\": {{\"\"latitude\"\": 52.37, \"\"longitude\"\": 4.89}}}}\",",
            f.city.0, f.city.1, f.city.2
        );
        b.extend_from_slice(b"\"{\"\"errorCode\"\": 0, \"\"additionalDetails\"\": \"\"MFA requirement satisfied by claim in the token\"\"}\",\"{\"\"authMethod\"\": \"\"PhoneAppNotification\"\"}\",\"[{\"\"authenticationStepDateTime\"\": \"\"2026-11-20T08:00:00Z\"\", \"\"authenticationMethod\"\": \"\"Password\"\", \"\"succeeded\"\": true, \"\"authenticationStepResultDetail\"\": \"\"Correct password\"\"}]\",\"[{\"\"key\"\": \"\"Legacy TLS (TLS 1.0, 1.1, 3DES)\"\", \"\"value\"\": \"\"False\"\"}, {\"\"key\"\": \"\"Is CAE Token\"\", \"\"value\"\": \"\"False\"\"}]\",");
        if f.applied.is_empty() {
            b.extend_from_slice(b"[]");
        } else {
            b.extend_from_slice(b"\"[");
            for (k, (p, result)) in f.applied.iter().enumerate() {
                if k > 0 {
                    b.extend_from_slice(b", ");
                }
                let _ = write!(
                    b,
                    "{{\"\"id\"\": \"\"00000000-0000-4000-8000-000000000a{p:02}\"\", \"\"displayName\"\": \"\"{}\"\", \"\"enforcedGrantControls\"\": [{}], \"\"enforcedSessionControls\"\": [], \"\"result\"\": \"\"{result}\"\"}}",
                    POLICIES[*p],
                    if *result == "success" {
                        "\"\"Mfa\"\""
                    } else {
                        ""
                    }
                );
            }
            b.extend_from_slice(b"]\"");
        }
        b.push(b'\n');
    }
}

/// The CSV header: a subset of the `SigninLogs` columns, in the order the
/// Log Analytics export writes them.
pub const CSV_HEADER: &str = "TimeGenerated,Id,Type,UserId,UserPrincipalName,UserType,HomeTenantId,ServicePrincipalId,CrossTenantAccessType,AppId,AppDisplayName,ResourceIdentity,ResourceDisplayName,ClientAppUsed,IPAddress,Location,CorrelationId,IsInteractive,RiskState,RiskLevelDuringSignIn,AuthenticationProtocol,DeviceDetail,LocationDetails,Status,MfaDetail,AuthenticationDetails,AuthenticationProcessingDetails,ConditionalAccessPolicies";

struct Facts {
    id: String,
    correlation: String,
    n: u64,
    sp: bool,
    guest: bool,
    app: (&'static str, &'static str),
    resource: (&'static str, &'static str),
    platform: (&'static str, &'static str, &'static str),
    client: &'static str,
    city: (&'static str, &'static str, &'static str),
    ip: String,
    interactive: bool,
    compliant: bool,
    device: String,
    risk: &'static str,
    protocol: &'static str,
    applied: Vec<(usize, &'static str)>,
}

impl Read for Gen {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.at == self.buf.len() && !self.refill() {
            return Ok(0);
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}
