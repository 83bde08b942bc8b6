//! What-if: the offline Conditional Access evaluation engine.
//!
//! Contract: [`evaluate`] takes one sign-in whose ids are already resolved
//! (lower-case GUIDs, canonical keywords — [`request`] builds one from a Graph
//! `POST /identity/conditionalAccess/evaluate` body) and a set of *resolved*
//! policies (the `policy` of `check::Unit`), and returns, per policy, whether
//! it applies and why not (Graph's `analysisReasons` flags), plus the combined
//! result: block, grant with the requirements of every applying enforced
//! policy, or allow, the merged session controls, the report-only policies
//! that would have applied, and what could not be evaluated offline
//! ([`Outcome::unknowns`]). It never does I/O and never panics; [`Engine`]
//! precomputes per-policy data once for repeated evaluations.
//! [`output`] renders an [`Outcome`] as Graph-shaped JSON or a table.
//!
//! # Semantics and their sources
//!
//! Every rule below is Entra's documented behaviour (Microsoft Learn page
//! linked) unless marked **caac decision**, which is where the docs are
//! silent and caac had to pick.
//!
//! ## Per policy
//!
//! - **All assignments and conditions are ANDed**; a policy applies only when
//!   every configured one matches ("All assignments are logically ANDed",
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policies>).
//!   A condition that is not configured matches.
//! - **Reasons.** A policy that applies has `[notSet]`; otherwise every
//!   failing condition adds its flag, in Graph's flag order
//!   (`whatIfAnalysisResult.analysisReasons`,
//!   <https://learn.microsoft.com/graph/api/resources/whatifanalysisresult>).
//!   The portal's What If tool shows only "the first condition that wasn't
//!   satisfied" (<https://learn.microsoft.com/entra/identity/conditional-access/what-if-tool>);
//!   caac lists all of them (**caac decision**), so the first one is the
//!   portal's.
//! - **Disabled policies** are evaluated like the others, never apply, and
//!   carry `policyNotEnabled` plus every other failing flag (**caac
//!   decision**: Graph documents the flag; the What If tool evaluates only
//!   enabled and report-only policies).
//! - **Report-only policies** are evaluated "but not enforced"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-report-only>):
//!   they report `policyApplies: true` / `notSet` like Graph's evaluate
//!   examples do for `enabledForReportingButNotEnforced` policies
//!   (<https://learn.microsoft.com/graph/api/conditionalaccessroot-evaluate>),
//!   are listed in [`Outcome::report_only`], and never contribute to access,
//!   requirements or session. Except user actions: "Conditional Access
//!   policies can be evaluated in report-only mode except for items included
//!   in the \"User Actions\" scope" (same page), so a report-only policy
//!   targeting a user action never applies and carries `policyNotEnabled`
//!   (**caac decision** on the flag: it is not in force, like a disabled
//!   one). The page's per-policy results (Report-only: Success / Failure /
//!   User action required) need the token's claims and are not modelled:
//!   caac reports that a report-only policy *would apply*.
//! - **`appliedPoliciesOnly`** (request) lists only applying policies, as
//!   Graph's "controls whether to include all policies in the response or
//!   only the policies that would apply" (evaluate page); `policyApplies` /
//!   `analysisReasons` follow `whatIfAnalysisResult`: "`analysisReasons` is
//!   set to `notSet` when `policyApplies` is true".
//! - **Empty policy**: a policy with no grant control and no session control
//!   enforces nothing; it never applies and gets `emptyPolicy` (**caac
//!   decision**; Graph rejects creating one, "a valid policy should contain
//!   at least one …" in graph-ca-schema.md §5.1).
//!
//! ## Users and workload identities
//!
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups>)
//! - Include matches on `All` ("all users … including B2B guests"), the user's
//!   id, any of its groups (the caller supplies transitive membership: "policy
//!   is applied to nested users and groups"), any of its directory role
//!   template ids, the legacy `GuestsOrExternalUsers` keyword (any guest or
//!   external type), or `guestsOrExternalUsers` whose `types` contain the
//!   user's type and whose `tenants` are `All`, omitted, or list the user's
//!   external tenant. `None` matches nobody.
//! - **Exclusion beats inclusion**: "When organizations both include and
//!   exclude a user or group, the user or group is excluded … The exclude
//!   action overrides the include action" (same page).
//! - Local guests (`internalGuest`) belong to the home tenant, so the
//!   external-tenant list does not narrow them (**caac decision**).
//! - "All users": "All users that exist in the directory including B2B
//!   guests" — members, directory-synchronized accounts and every guest or
//!   external type; never a service principal (a workload sign-in is
//!   matched against `clientApplications`, below).
//! - Groups: "Policy is applied to nested users and groups"; offline the
//!   caller supplies the transitive membership (request `memberOf`, or the
//!   tenant file's `memberOf`, documented as transitive). Roles: only
//!   built-in directory roles count — "Other role types aren't supported,
//!   including administrative unit-scoped roles and custom roles" and
//!   "Conditional Access policies do not support users assigned a directory
//!   role scoped to an administrative unit" (same page): the sign-in's
//!   `directoryRoles` must hold tenant-wide built-in role assignments only,
//!   caac cannot see a role's scope.
//! - Not modelled (the page says "may", or caac lacks the signal): access
//!   "may be blocked" for members of over 2048 groups; policies for B2B
//!   direct connect users "also applied to B2B collaboration users accessing
//!   Teams or SharePoint Online who are also eligible for B2B direct
//!   connect" (caac matches the `externalUserType` given).
//! - **Exchange ActiveSync**: "Admins can only select Exchange ActiveSync
//!   clients when assigning policy to users or groups. Selecting **All
//!   users**, **All guest and external users**, or **Directory roles**
//!   causes all users to be subject of the policy"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#exchange-activesync-clients>).
//!   So for an Exchange ActiveSync sign-in, a policy whose `clientAppTypes`
//!   select `exchangeActiveSync` or `easSupported` and whose include side
//!   has All users, a guest selection or directory roles includes every
//!   user. An unconfigured or `all` client-apps condition is not such a
//!   selection, and exclusions still apply as written (**caac decisions**:
//!   the page is silent on both). [`sweep`] keeps this exact with a users
//!   table per (persona, client).
//! - Workload identities (<https://learn.microsoft.com/entra/identity/conditional-access/workload-identity>):
//!   a service-principal sign-in is matched against
//!   `clientApplications.include` (`ServicePrincipalsInMyTenant` or its
//!   object id) minus `exclude`; a user sign-in against `users`. So a user
//!   never matches a workload-only policy (flag `users`) and a service
//!   principal never matches a user policy (flag `workloadIdentities`).
//!   Workload policies support only locations, service-principal risk and
//!   authentication contexts (same page), so for a service principal the
//!   user-only conditions (platform, client apps, device filter, sign-in,
//!   user and insider risk, authentication flows) are not evaluated, and for
//!   a user the service-principal risk condition is not evaluated.
//!   `servicePrincipalFilter` (custom security attributes) cannot be
//!   evaluated offline: the filter is treated as not matching and reported in
//!   `unknowns`. Agent identities (beta) are not modelled: a configured
//!   `agentIdRiskLevels` never matches (flag `agentIdRisk`).
//!
//! ## Target resources
//!
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-cloud-apps>)
//! - A sign-in targets applications (app ids), a user action or an
//!   authentication context. For applications, the policy applies when *any*
//!   requested app is in scope: "If Outlook Web requests a token for scopes
//!   `Mail.Read` and `Files.Read`, Conditional Access applies policies for
//!   Exchange and SharePoint" (same page).
//! - `All` covers every application *and* user-action and
//!   authentication-context sign-ins (Graph's evaluate example 3 reports
//!   `includeApplications: ["All"]` policies as applying to a
//!   `registerSecurityInformation` user action); specific apps, `Office365`
//!   and `MicrosoftAdminPortals` cover applications only. `None` covers
//!   nothing.
//! - `Office365`, `MicrosoftAdminPortals` and the *Windows Azure Service
//!   Management API* app (`797f4846-…`) expand to the member app ids in
//!   [`apps`] (sources there), on the include and the exclude side: "When
//!   you target the Windows Azure Service Management API application, policy
//!   is enforced for tokens issued to a set of services closely bound to the
//!   portal. This grouping includes the application IDs of: Azure Resource
//!   Manager; Azure portal, which also covers the Microsoft Entra admin
//!   center …; Azure Data Lake; …" (same page), plus Azure CLI and Azure
//!   PowerShell, clients of Azure Resource Manager (**caac decision** on
//!   reading a request naming them, [`apps`]). A policy naming a *member*
//!   (e.g. the Azure portal) does not cover a request for the grouping's own
//!   id, which is Azure Resource Manager's. Groups in the *sign-in* do not match: "Groups
//!   of apps, such as Office 365 or Microsoft Admin Portals, don't result in
//!   a match" (what-if-tool page), so [`request`] rejects keywords as targets.
//!   When a policy targets a group and the app is an id caac cannot place
//!   (not in [`apps`], the catalog or the tenant file), the app is treated as
//!   not a member and `unknowns` says so.
//! - Exclusions beat inclusions for resources too ("Admins can exclude the
//!   entire Microsoft 365 suite or specific Microsoft 365 cloud apps").
//!   `applicationFilter` cannot be evaluated offline (treated as not matching,
//!   reported).
//! - When the target kind differs from the policy's (apps / user actions /
//!   contexts), the flag is the policy's kind: `application`, `userActions`
//!   or `authenticationContext` (**caac decision**).
//! - "Register or join devices": "`Client apps`, `Filters for devices`, and
//!   `Device state` conditions aren't available with this user action" (same
//!   page), so those conditions are not evaluated for
//!   `urn:user:registerdevice`.
//!
//! ## Conditions
//!
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions>)
//! - **Device platforms** ("The default is to apply to all device
//!   platforms"; identified "by using information provided by the device,
//!   such as user agent strings", so unverified): include `all` ("any device") also matches a
//!   platform Conditional Access cannot identify; a named include matches only
//!   that platform, so an unknown platform never matches it, and nothing
//!   excludes an unknown platform. This is the documented "block unknown or
//!   unsupported platforms" pattern: include any device, exclude the
//!   supported ones
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/howto-policy-unknown-unsupported-device>).
//! - **Client apps**: an empty `clientAppTypes` or `all` matches every client
//!   ("all newly created Conditional Access policies apply to all client app
//!   types even if the client apps condition isn't configured");
//!   `easSupported` (Exchange ActiveSync on supported platforms, Graph only)
//!   matches Exchange ActiveSync sign-ins (**caac decision**: Microsoft does
//!   not list the "supported platforms").
//! - **Locations** (<https://learn.microsoft.com/entra/identity/conditional-access/concept-assignment-network>):
//!   `All` is "any IP address on the internet" (also an unknown one);
//!   `AllTrusted` is every named location marked trusted plus "MFA trusted
//!   IPs, if configured" (the nil-GUID location, counted only when the tenant
//!   file lists it with its `ipRanges`). Only IP ranges can be trusted
//!   ("mark IP-based locations … as trusted"; Graph has `isTrusted` on
//!   `ipNamedLocation` only), so a trusted location counts for `AllTrusted`
//!   by its ranges alone, never by countries (warned). MFA trusted IPs
//!   "only accepts IPv4 addresses": IPv6 ranges listed for it are ignored
//!   (warned). `All` minus `AllTrusted` is the documented "all locations
//!   except trusted locations" pattern. A named location matches
//!   when the sign-in IP is in one of its CIDR ranges ([`network`]) or its
//!   country is listed, an unknown country only with "Include unknown
//!   countries/regions". Location details come from the tenant file
//!   (`namedLocations: {Name: {id, trusted, ipRanges, countries,
//!   includeUnknownCountries}}`); a location without details, or not in the
//!   tenant file, cannot be evaluated offline: it is treated as not matching
//!   and reported in `unknowns`. "All Compliant Network locations" depends on
//!   Global Secure Access traffic and never matches offline (reported).
//!   Country locations resolved by GPS ("Determine location by GPS
//!   coordinates", Authenticator) are matched against the sign-in's
//!   `country` like IP-based ones: the request's `country` stands for
//!   whichever lookup the location uses (**caac decision**). The IP is the
//!   public one ("the address used by the network to connect to the public
//!   internet"; behind a proxy, the proxy's: X-Forwarded-For "isn't used").
//! - **Device filter**: [`device_filter`] (grammar, null semantics and sources
//!   there). Mode `include` applies the policy only to matching devices,
//!   `exclude` to all others
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-condition-filters-for-devices>).
//!   A rule that does not parse makes the policy not apply (`invalidCondition`).
//! - **Risk** (sign-in, user, service principal): an empty list is not
//!   configured; otherwise the sign-in's level, `none` included ("No risk"),
//!   must be listed. Graph's evaluate defaults unspecified risk to `none`
//!   (<https://learn.microsoft.com/graph/api/resources/signinconditions>).
//!   Graph has no flag for service-principal risk; caac reports
//!   `servicePrincipalRisk` (**caac decision**, the only non-Graph flag).
//! - **Insider risk** and **authentication flows**: when configured, the
//!   sign-in's level / transfer method must be listed; none never matches
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/how-to-policy-insider-risk>,
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-authentication-flows>).
//! - Missing sign-in details are not guessed: "If your tenant has policies
//!   with specific conditions and the sign-in details for those conditions
//!   aren't provided, the What If API can't evaluate those conditions"
//!   (what-if-tool page) — a condition the sign-in says nothing about
//!   (unknown platform, no IP, unknown country, no risk) is evaluated as that
//!   unknown / none value.
//!
//! ## What a sign-in can satisfy
//!
//! - **Legacy clients** (`exchangeActiveSync`, `other`): "Sign-ins from
//!   legacy authentication clients don't support multifactor authentication
//!   (MFA) and don't pass device state information, so they're blocked by
//!   Conditional Access grant controls, like requiring MFA or compliant
//!   devices", and for Exchange ActiveSync "In the case that Multifactor
//!   authentication, Terms of use, or custom controls are required, affected
//!   users are blocked, because basic authentication doesn't support these
//!   controls"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps>).
//!   So for a legacy user sign-in, MFA, an authentication strength, terms of
//!   use, custom controls, compliant device and hybrid joined device cannot
//!   be satisfied; nor password change ("The user must complete multifactor
//!   authentication and then change their password") or risk remediation
//!   (which applies "Require authentication strength"), both from
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant>.
//!   Approved client app, app protection policy and Verified ID are not
//!   documented for legacy clients and stay requirements (**caac decision**;
//!   for Exchange ActiveSync and approved apps the page says "the user is
//!   directed to install and use the Outlook mobile client").
//! - **Device code flow**: "When you use the device-code OAuth flow, the
//!   required grant control for the managed device or a device state
//!   condition isn't supported" (Grant page, "Require Microsoft Entra hybrid
//!   joined device"): compliant and hybrid joined device cannot be
//!   satisfied.
//! - An applying enforced policy whose grant the sign-in cannot satisfy —
//!   `AND` with such a control, or `OR` with only such controls — **blocks**
//!   ([`Outcome::unsatisfiable`], JSON `result.unsatisfiable`, no
//!   requirement). With `OR` and a control it can satisfy, the requirement
//!   lists only the satisfiable ones ("Require one of the selected
//!   controls"). [`grant_effect`] is the one implementation; `coverage`,
//!   `impact` and the scenario matrix use it per [`Shape`], so they agree
//!   with [`evaluate`]; the same [`grant_effect`] applies token protection
//!   (below). Workload identities support block only
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/workload-identity>),
//!   so the shape applies to user sign-ins. The lockout gate keeps its own
//!   rule (it asks whether an emergency account can get through at all, and
//!   it can with a modern client).
//!
//! ## Across policies
//!
//! - "Multiple Conditional Access policies may apply … all policies that
//!   apply must be satisfied", and "If there's a policy that is configured to
//!   block access … enforcement will stop here and the user will be blocked"
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policies>).
//!   So: any applying enforced policy that blocks → [`Access::Block`]; else
//!   any applying enforced policy with grant controls → [`Access::Grant`] with
//!   one [`Requirement`] per policy (AND across policies, each policy's own
//!   `AND`/`OR` inside, "Require all the selected controls" / "Require one of
//!   the selected controls",
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant>);
//!   else [`Access::Allow`]. Session controls alone do not gate access, so a
//!   sign-in that only picks up session controls is `Allow` with a non-empty
//!   [`Outcome::session`] (**caac decision**).
//! - Session controls of all applying enforced policies are merged to the
//!   most restrictive, since every applying policy must be satisfied (**caac
//!   decision** on the ordering; controls from
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-session>):
//!   token protection, app enforced restrictions and disable resilience
//!   defaults if any policy sets them; sign-in frequency: `everyTime` beats
//!   any period, else the shortest period (days × 24 hours), with
//!   `primaryAndSecondaryAuthentication` beating `secondaryAuthentication` on
//!   a tie; persistent browser `never` beats `always`; Defender for Cloud Apps
//!   `blockDownloads` > `mcasConfigured` > `monitorOnly`; continuous access
//!   evaluation `strictEnforcement` > `strictLocation` > `disabled`.
//! - `result.session` is what the applying enforced policies *demand*, in
//!   Graph's `sessionControls` shape; the human output spells it out
//!   (`sign-in frequency every time`, `every 4 hours`, `(secondary
//!   authentication)`, `persistent browser session never`, …). Per the
//!   Session and session-lifetime pages
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-session>,
//!   <https://learn.microsoft.com/entra/identity/conditional-access/concept-session-lifetime>,
//!   <https://learn.microsoft.com/entra/identity/conditional-access/howto-conditional-access-session-lifetime>):
//!   sign-in frequency "defines the time period before a user is asked to
//!   sign in again"; **every time** "requires full reauthentication when the
//!   session is evaluated" (with "five minutes of clock skew", not
//!   modelled); a persistent browser session "allows users to remain signed
//!   in after closing and reopening their browser window" and "requires to
//!   choose All Cloud Apps" (a Graph constraint, checked when compiling);
//!   disabling continuous access evaluation "only work when All resources
//!   … are selected, no conditions are selected" (checked when compiling).
//!   None of these gate access (the sign-in is `allow` with a session), and
//!   no sign-in detail changes whether they are demanded, except:
//! - **App enforced restrictions**: "Only Exchange Online and Sharepoint
//!   Online support this session control"
//!   (<https://learn.microsoft.com/graph/api/resources/conditionalaccesssessioncontrols>):
//!   when no requested app is one of them, `unknowns` says it has no effect.
//! - **Token protection** blocks a user sign-in that cannot present a
//!   device-bound token
//!   (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>):
//!   "Token Protection currently supports native applications only.
//!   Browser-based applications are not supported"; supported devices are
//!   Windows 10+ "Microsoft Entra joined, Microsoft Entra hybrid joined, or
//!   Microsoft Entra registered" and Apple (macOS 14+, iOS/iPadOS 16+); "1002:
//!   The request is unbound due to the lack of Microsoft Entra ID device
//!   state"; Azure Virtual Desktop and Windows 365 are enforced "On Windows"
//!   only; clients that cannot bind mean "users are blocked". So an applying
//!   enforced policy with `secureSignInSession` blocks unless the sign-in is
//!   a `mobileAppsAndDesktopClients` sign-in from a registered Windows,
//!   macOS or iOS device (Windows only for AVD / Windows 365):
//!   [`token_binding_gap`], [`Shape::unbound`], [`grant_effect`]. It goes to
//!   [`Outcome::unsatisfiable`] with the reason; report-only policies never
//!   block. Not in a caac sign-in, so not modelled: OS versions, MDM
//!   management and the SSO plug-in on Apple, app versions, unsupported
//!   registration types (status 1003), Surface Hub / Teams Rooms.
//! - Two sign-in frequencies with different `authenticationType` merge to
//!   the shortest period, so a longer primary-and-secondary one is not shown
//!   next to a shorter secondary-only one (**caac decision**; the docs do not
//!   say how Entra combines them).
//! - Properties caac does not model (`passthrough`) are not evaluated and are
//!   reported in `unknowns`.

pub mod apps;
mod collapse;
pub mod compiled;
pub mod coverage;
pub mod device_filter;
mod engine;
pub mod impact;
pub mod lockout;
pub mod matrix;
pub mod network;
pub mod output;
pub mod request;
pub mod sweep;

pub use compiled::{Answer, FastEngine, Mask};
pub(crate) use engine::{COMPLIANT_NETWORK, NamedLoc, has_controls, named_location};
pub use engine::{Engine, ReasonSet, sign_in_locations};

use crate::model::{
    BuiltInControl, CloudAppSecurityType, ContinuousAccessEvaluationMode, GuestOrExternalUserType,
    InsiderRiskLevel, Operator, PersistentBrowserMode, Platform, Policy, RiskLevel,
    ServicePrincipalRiskLevel, SignInFrequency, State, Tenant, TransferMethod,
};
use std::collections::BTreeMap;
use std::net::IpAddr;

/// One sign-in, every id already resolved (lower-case GUIDs, canonical keywords).
#[derive(Debug, Clone, PartialEq)]
pub struct SignIn {
    /// Who signs in.
    pub identity: Identity,
    /// What is accessed.
    pub target: Target,
    /// The device platform; `None` is a platform Conditional Access cannot identify.
    pub platform: Option<Platform>,
    /// The client app type.
    pub client_app: ClientApp,
    /// The public IP address, if known.
    pub ip: Option<IpAddr>,
    /// ISO 3166 alpha-2 country (upper case); `None` is an unknown country.
    pub country: Option<String>,
    /// Sign-in risk (`RiskLevel::None` when there is none).
    pub sign_in_risk: RiskLevel,
    /// User risk.
    pub user_risk: RiskLevel,
    /// Service principal risk.
    pub service_principal_risk: ServicePrincipalRiskLevel,
    /// Insider risk; `None` for none.
    pub insider_risk: Option<InsiderRiskLevel>,
    /// Authentication flow transfer method; `None` for an ordinary sign-in.
    pub transfer_method: Option<TransferMethod>,
    /// The device, for device filters.
    pub device: Device,
}

impl SignIn {
    /// The parts that decide which grant controls it can satisfy.
    pub fn shape(&self) -> Shape {
        match self.identity {
            // Workload identities support block only (workload-identity page);
            // the shape concerns user sign-ins.
            Identity::ServicePrincipal { .. } => Shape::default(),
            Identity::User { .. } => Shape::new(
                self.client_app,
                self.transfer_method,
                self.platform,
                self.device.registered,
                &self.target,
            ),
        }
    }

    /// A sign-in with everything optional left unknown or none: unknown
    /// platform, no IP, unknown country, no risk, no transfer method, an
    /// unregistered device.
    pub fn new(identity: Identity, target: Target, client_app: ClientApp) -> SignIn {
        SignIn {
            identity,
            target,
            platform: None,
            client_app,
            ip: None,
            country: None,
            sign_in_risk: RiskLevel::None,
            user_risk: RiskLevel::None,
            service_principal_risk: ServicePrincipalRiskLevel::None,
            insider_risk: None,
            transfer_method: None,
            device: Device::default(),
        }
    }
}

/// Who signs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A user (member or guest).
    User {
        /// Object id.
        id: String,
        /// Transitive group memberships (object ids).
        groups: Vec<String>,
        /// Active directory roles (role template ids).
        roles: Vec<String>,
        /// Guest or external user type; `None` for a member of the tenant.
        guest_type: Option<GuestOrExternalUserType>,
        /// The guest's home tenant id, for `externalTenants`.
        external_tenant: Option<String>,
    },
    /// A workload identity.
    ServicePrincipal {
        /// Service principal object id.
        id: String,
    },
}

impl Identity {
    /// A member user with no groups or roles.
    pub fn user(id: impl Into<String>) -> Identity {
        Identity::User {
            id: id.into(),
            groups: Vec::new(),
            roles: Vec::new(),
            guest_type: None,
            external_tenant: None,
        }
    }
}

/// What the sign-in accesses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Resources by app id.
    Applications(Vec<String>),
    /// A user action (`urn:user:registersecurityinfo`, `urn:user:registerdevice`).
    UserAction(String),
    /// An authentication context id (`c1` … `c99`).
    AuthenticationContext(String),
}

/// The client app type of a sign-in (Graph `clientAppType`, without `all`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientApp {
    /// Browser.
    Browser,
    /// Mobile apps and desktop clients (modern authentication).
    MobileAppsAndDesktopClients,
    /// Exchange ActiveSync.
    ExchangeActiveSync,
    /// Other (legacy authentication) clients.
    Other,
}

impl ClientApp {
    /// Exchange ActiveSync or other clients: "Legacy authentication clients"
    /// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps>).
    pub fn is_legacy(self) -> bool {
        matches!(self, ClientApp::ExchangeActiveSync | ClientApp::Other)
    }

    /// Graph's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            ClientApp::Browser => "browser",
            ClientApp::MobileAppsAndDesktopClients => "mobileAppsAndDesktopClients",
            ClientApp::ExchangeActiveSync => "exchangeActiveSync",
            ClientApp::Other => "other",
        }
    }
}

/// The device the sign-in comes from, as device filters see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Device {
    /// Registered in Microsoft Entra ID. An unregistered device has every
    /// attribute null, whatever `attributes` holds.
    pub registered: bool,
    /// Attribute name (`trustType`, `isCompliant`, `extensionAttribute1`,
    /// `systemLabels`, … — see [`device_filter::Attr::name`]) → value; absent = null.
    pub attributes: BTreeMap<String, DeviceValue>,
}

/// A device attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceValue {
    /// A string attribute.
    String(String),
    /// `isCompliant`.
    Bool(bool),
    /// `physicalIds`, `systemLabels`.
    List(Vec<String>),
}

/// A policy to evaluate, with the name to report it under.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRef<'a> {
    /// Display name.
    pub name: &'a str,
    /// The resolved policy.
    pub policy: &'a Policy,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// One result per input policy, in input order.
    pub policies: Vec<PolicyResult>,
    /// The combined access decision of the applying enforced policies.
    pub access: Access,
    /// One entry per applying enforced policy with grant controls, in input order.
    pub requirements: Vec<Requirement>,
    /// Merged session controls of the applying enforced policies.
    pub session: SessionOutcome,
    /// Names of report-only policies that would have applied, in input order.
    pub report_only: Vec<String>,
    /// What could not be evaluated offline (one sentence each, deduplicated);
    /// callers should show these as warnings.
    pub unknowns: Vec<String>,
    /// Applying enforced policies whose grant this sign-in cannot satisfy
    /// (legacy client, device code flow) or whose token protection it
    /// cannot meet (see the module docs), in input order: they block, and
    /// have no entry in `requirements`.
    pub unsatisfiable: Vec<Unsatisfiable>,
}

/// An applying enforced policy that blocks because the sign-in cannot
/// satisfy its grant controls, or its token protection session control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsatisfiable {
    /// The policy's display name.
    pub policy: String,
    /// The grant controls the sign-in cannot satisfy (empty when only token
    /// protection blocks).
    pub controls: Vec<Control>,
    /// Token protection (`secureSignInSession`) blocks: the sign-in cannot
    /// present a device-bound token ([`token_binding_gap`]).
    pub token_protection: bool,
    /// Why, one sentence.
    pub why: &'static str,
}

/// The parts of a sign-in that decide which grant controls it can satisfy,
/// and whether it can present the device-bound token that token protection
/// demands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Exchange ActiveSync or other (legacy authentication) client.
    pub legacy: bool,
    /// Device code flow.
    pub device_code: bool,
    /// The sign-in cannot present a device-bound sign-in session token
    /// ([`token_binding_gap`]): an enforced token protection policy blocks it.
    pub unbound: bool,
}

impl Shape {
    /// Every shape, in [`Shape::index`] order.
    pub const ALL: [Shape; 8] = {
        let mut all = [Shape {
            legacy: false,
            device_code: false,
            unbound: false,
        }; 8];
        let mut i = 0;
        while i < 8 {
            all[i] = Shape {
                legacy: i & 1 != 0,
                device_code: i & 2 != 0,
                unbound: i & 4 != 0,
            };
            i += 1;
        }
        all
    };

    /// The grant-relevant shape of a sign-in with this client app and
    /// transfer method (`unbound` false: see [`Shape::new`]).
    pub fn of(client: ClientApp, flow: Option<TransferMethod>) -> Shape {
        Shape {
            legacy: client.is_legacy(),
            device_code: flow == Some(TransferMethod::DeviceCodeFlow),
            unbound: false,
        }
    }

    /// The full shape of a user sign-in.
    pub fn new(
        client: ClientApp,
        flow: Option<TransferMethod>,
        platform: Option<Platform>,
        registered: bool,
        target: &Target,
    ) -> Shape {
        Shape {
            unbound: token_binding_gap(client, platform, registered, target).is_some(),
            ..Shape::of(client, flow)
        }
    }

    /// Position in [`Shape::ALL`].
    pub fn index(self) -> usize {
        usize::from(self.legacy) + 2 * usize::from(self.device_code) + 4 * usize::from(self.unbound)
    }

    /// Why a sign-in of this shape cannot satisfy `c` (`None`: it can).
    pub fn cannot_satisfy(self, c: &Control) -> Option<&'static str> {
        if self.legacy && !legacy_can_satisfy(c) {
            return Some(LEGACY_WHY);
        }
        if self.device_code
            && matches!(
                c,
                Control::BuiltIn(
                    BuiltInControl::CompliantDevice | BuiltInControl::DomainJoinedDevice
                )
            )
        {
            return Some(DEVICE_CODE_WHY);
        }
        None
    }
}

/// Azure Virtual Desktop, Windows 365 and Windows Cloud Login: token
/// protection is enforced on them "On Windows" only (concept-token-protection,
/// "Supported resources").
pub(crate) const WINDOWS_ONLY_TP_RESOURCES: [&str; 3] = [
    "9cdead84-a844-4324-93f2-b2e6bb768d07",
    "0af06dc6-e4b5-4f28-818e-e78e62d137a5",
    "270efc09-cd0d-444b-a71f-39af4910ec45",
];

/// Why a user sign-in cannot present the device-bound sign-in session token
/// an enforced token protection policy demands (`None`: it can), from
/// <https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>:
///
/// - "Token Protection currently supports native applications only.
///   Browser-based applications are not supported", so only
///   `mobileAppsAndDesktopClients` can bind (legacy clients pass no device
///   state at all);
/// - "Supported devices": "Windows 10 or newer devices that are Microsoft
///   Entra joined, Microsoft Entra hybrid joined, or Microsoft Entra
///   registered" and, for Apple, "macOS 14.0 or later" / "iOS/iPadOS 16.0 or
///   later" (MDM-managed, Enterprise SSO plug-in), so the platform must be
///   Windows, macOS or iOS and the device registered — an unregistered device
///   is "unbound due to the lack of Microsoft Entra ID device state" (status
///   1002);
/// - "Token Protection policy can be enforced on the following cloud
///   resources: Exchange Online, SharePoint Online, Microsoft Teams. On
///   Windows, enforcement is also supported for: Azure Virtual Desktop,
///   Windows 365", so an Apple sign-in to one of those cannot bind. Other
///   resources are not narrowed here (the page does not say what happens).
///
/// OS versions, MDM management, the SSO plug-in, the app's version and the
/// unsupported registration types (status 1003) are not in a caac sign-in:
/// a registered Windows / Apple device with a native app counts as bound
/// (**caac decision**).
pub fn token_binding_gap(
    client: ClientApp,
    platform: Option<Platform>,
    registered: bool,
    target: &Target,
) -> Option<&'static str> {
    if client != ClientApp::MobileAppsAndDesktopClients {
        return Some(TP_CLIENT_WHY);
    }
    match platform {
        Some(Platform::Windows) => {}
        Some(Platform::IOS | Platform::MacOS) => {
            if let Target::Applications(apps) = target
                && apps.iter().any(|a| {
                    WINDOWS_ONLY_TP_RESOURCES
                        .iter()
                        .any(|w| w.eq_ignore_ascii_case(a))
                })
            {
                return Some(TP_RESOURCE_WHY);
            }
        }
        _ => return Some(TP_PLATFORM_WHY),
    }
    if !registered {
        return Some(TP_DEVICE_WHY);
    }
    None
}

const TP_CLIENT_WHY: &str = "token protection supports native applications only (\"Browser-based applications are not supported\"); this client cannot present a device-bound token (concept-token-protection)";
const TP_PLATFORM_WHY: &str = "token protection supports Windows, macOS and iOS/iPadOS devices only; this platform cannot present a device-bound token (concept-token-protection)";
const TP_DEVICE_WHY: &str = "token protection needs a Microsoft Entra registered, joined or hybrid joined device; without device state the request is unbound (status 1002, concept-token-protection)";
const TP_RESOURCE_WHY: &str = "token protection for Azure Virtual Desktop and Windows 365 is supported on Windows only (concept-token-protection)";

/// "Sign-ins from legacy authentication clients don't support multifactor
/// authentication (MFA) and don't pass device state information, so they're
/// blocked by Conditional Access grant controls, like requiring MFA or
/// compliant devices", and for Exchange ActiveSync: "In the case that
/// Multifactor authentication, Terms of use, or custom controls are
/// required, affected users are blocked, because basic authentication
/// doesn't support these controls"
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-conditions#client-apps>).
const LEGACY_WHY: &str = "legacy authentication clients don't support MFA and don't pass device state (concept-conditional-access-conditions#client-apps)";

/// "When you use the device-code OAuth flow, the required grant control for
/// the managed device or a device state condition isn't supported"
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant#require-microsoft-entra-hybrid-joined-device>).
const DEVICE_CODE_WHY: &str = "the device code flow cannot provide device state (concept-conditional-access-grant#require-microsoft-entra-hybrid-joined-device)";

/// A legacy client can satisfy `c` (see [`LEGACY_WHY`]): not MFA, an
/// authentication strength (MFA or stronger), terms of use, custom controls
/// or a device state (compliant / hybrid joined); nor password change ("The
/// user must complete multifactor authentication and then change their
/// password") or risk remediation (which applies "Require authentication
/// strength"), both on the Grant page
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-grant>).
/// Approved client app / app protection policy and Verified ID are not
/// documented for legacy clients and stay requirements (**caac decision**).
fn legacy_can_satisfy(c: &Control) -> bool {
    match c {
        Control::BuiltIn(b) => match b {
            BuiltInControl::Mfa
            | BuiltInControl::CompliantDevice
            | BuiltInControl::DomainJoinedDevice
            | BuiltInControl::PasswordChange
            | BuiltInControl::RiskRemediation => false,
            BuiltInControl::Block
            | BuiltInControl::ApprovedApplication
            | BuiltInControl::CompliantApplication
            | BuiltInControl::VerifiedId => true,
        },
        Control::AuthenticationStrength(_)
        | Control::TermsOfUse(_)
        | Control::CustomAuthenticationFactor(_) => false,
    }
}

/// What one applying enforced policy's grant does to a sign-in of a shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantEffect {
    /// No grant controls.
    Nothing,
    /// `block`; the requirement lists the grant as written (`block` and any
    /// other control), as `result.requirements` always has.
    Block(Requirement),
    /// Controls the sign-in cannot satisfy: `AND` with one of them, or `OR`
    /// with only such controls. Blocks.
    Unsatisfiable(Unsatisfiable),
    /// The controls the sign-in must satisfy (for `OR`, without the ones it
    /// cannot satisfy: "Require one of the selected controls").
    Require(Requirement),
}

impl GrantEffect {
    /// The sign-in is blocked.
    pub fn blocks(&self) -> bool {
        matches!(self, GrantEffect::Block(_) | GrantEffect::Unsatisfiable(_))
    }
}

/// What `policy` (named `name`), applying and enforced, does to a sign-in
/// of `shape`: its grant, then its token protection session control.
///
/// Order: a `block` grant blocks as written; a grant the sign-in cannot
/// satisfy blocks with those controls; otherwise, when the policy requires
/// token protection and the sign-in is [`Shape::unbound`], it blocks:
/// "The following applications don't support signing in using protected
/// token flows and users are blocked when accessing Exchange and
/// SharePoint", and the deployment section warns that leaving Browser
/// selected "might cause applications that use MSAL.js, such as Teams Web
/// to be blocked"
/// (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>).
/// The `why` of a token-protection block here is generic; [`Engine`]
/// names the sign-in's own gap ([`token_binding_gap`]).
pub fn grant_effect(name: &str, policy: &Policy, shape: Shape) -> GrantEffect {
    let effect = grant_only(name, policy.grant.as_ref(), shape);
    let token_protection = policy.session.as_ref().is_some_and(|s| s.token_protection);
    if effect.blocks() || !(token_protection && shape.unbound) {
        return effect;
    }
    GrantEffect::Unsatisfiable(Unsatisfiable {
        policy: name.to_owned(),
        controls: Vec::new(),
        token_protection: true,
        why: TP_WHY,
    })
}

/// The generic reason of a token-protection block (see [`token_binding_gap`]).
const TP_WHY: &str =
    "token protection: this sign-in cannot present a device-bound token (concept-token-protection)";

/// The grant alone (see [`grant_effect`]).
fn grant_only(name: &str, grant: Option<&crate::model::Grant>, shape: Shape) -> GrantEffect {
    let Some(g) = grant else {
        return GrantEffect::Nothing;
    };
    let crate::model::Grant {
        operator,
        built_in_controls,
        authentication_strength,
        terms_of_use,
        custom_authentication_factors,
    } = g;
    let mut controls: Vec<Control> = built_in_controls
        .iter()
        .map(|c| Control::BuiltIn(*c))
        .collect();
    if let Some(s) = authentication_strength {
        controls.push(Control::AuthenticationStrength(s.clone()));
    }
    controls.extend(terms_of_use.iter().cloned().map(Control::TermsOfUse));
    controls.extend(
        custom_authentication_factors
            .iter()
            .cloned()
            .map(Control::CustomAuthenticationFactor),
    );
    if controls.is_empty() {
        return GrantEffect::Nothing;
    }
    if built_in_controls.contains(&BuiltInControl::Block) {
        return GrantEffect::Block(Requirement {
            policy: name.to_owned(),
            operator: *operator,
            controls,
        });
    }
    let (bad, good): (Vec<Control>, Vec<Control>) = controls
        .into_iter()
        .partition(|c| shape.cannot_satisfy(c).is_some());
    let stuck = match operator {
        Operator::And => !bad.is_empty(),
        Operator::Or => good.is_empty(),
    };
    if stuck {
        let why = shape.cannot_satisfy(&bad[0]).unwrap_or(LEGACY_WHY);
        return GrantEffect::Unsatisfiable(Unsatisfiable {
            policy: name.to_owned(),
            controls: bad,
            token_protection: false,
            why,
        });
    }
    GrantEffect::Require(Requirement {
        policy: name.to_owned(),
        operator: *operator,
        controls: good,
    })
}

/// One policy's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyResult {
    /// Display name.
    pub name: String,
    /// The live policy id, when the spec carries one.
    pub id: Option<String>,
    /// The policy state.
    pub state: State,
    /// All assignments and conditions match (disabled policies never apply).
    pub applies: bool,
    /// `[NotSet]` when it applies; otherwise every reason it does not.
    pub reasons: Vec<Reason>,
}

/// The combined access decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// An applying enforced policy blocks.
    Block,
    /// Access after satisfying [`Outcome::requirements`].
    Grant,
    /// No applying enforced policy requires anything.
    Allow,
}

impl Access {
    /// Lower-case name (`block`, `grant`, `allow`).
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Block => "block",
            Access::Grant => "grant",
            Access::Allow => "allow",
        }
    }
}

/// What one applying enforced policy requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The policy's display name.
    pub policy: String,
    /// How `controls` combine.
    pub operator: Operator,
    /// Built-in controls, then the authentication strength, terms of use and
    /// custom controls.
    pub controls: Vec<Control>,
}

/// One grant control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// A built-in control (`mfa`, `compliantDevice`, `block`, …).
    BuiltIn(BuiltInControl),
    /// An authentication strength policy id.
    AuthenticationStrength(String),
    /// A terms of use agreement id.
    TermsOfUse(String),
    /// A custom control id.
    CustomAuthenticationFactor(String),
}

/// Merged session controls (see the module docs for the ordering).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionOutcome {
    /// Token protection for sign-in sessions (`secureSignInSession`).
    pub token_protection: bool,
    /// The strictest sign-in frequency.
    pub sign_in_frequency: Option<SignInFrequency>,
    /// `never` beats `always`.
    pub persistent_browser: Option<PersistentBrowserMode>,
    /// The strictest Defender for Cloud Apps mode.
    pub cloud_app_security: Option<CloudAppSecurityType>,
    /// App enforced restrictions.
    pub application_enforced_restrictions: bool,
    /// The strictest continuous access evaluation mode.
    pub continuous_access_evaluation: Option<ContinuousAccessEvaluationMode>,
    /// Resilience defaults disabled.
    pub disable_resilience_defaults: bool,
}

impl SessionOutcome {
    /// No session control applies.
    pub fn is_empty(&self) -> bool {
        *self == SessionOutcome::default()
    }
}

macro_rules! reasons {
    ($($(#[$m:meta])* $variant:ident = $wire:literal),+ $(,)?) => {
        /// Why a policy does (`NotSet`) or does not apply: Graph's
        /// `whatIfAnalysisReasons` flags, in Graph's order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Reason {
            $($(#[$m])* $variant),+
        }
        impl Reason {
            /// Every reason, in Graph's flag order.
            pub const ALL: &[Reason] = &[$(Reason::$variant),+];
            /// Graph's flag name.
            pub fn as_str(self) -> &'static str {
                match self { $(Reason::$variant => $wire),+ }
            }
        }
    };
}

reasons! {
    /// The policy applies.
    NotSet = "notSet",
    /// The sign-in lacks a detail the policy needs.
    NotEnoughInformation = "notEnoughInformation",
    /// A condition cannot be evaluated as written (e.g. a device filter that does not parse).
    InvalidCondition = "invalidCondition",
    /// The user assignment does not match.
    Users = "users",
    /// The workload identity assignment does not match.
    WorkloadIdentities = "workloadIdentities",
    /// No requested application is in scope.
    Application = "application",
    /// The user action is not in scope.
    UserActions = "userActions",
    /// The authentication context is not in scope.
    AuthenticationContext = "authenticationContext",
    /// The device platform does not match.
    DevicePlatform = "devicePlatform",
    /// The device filter does not match.
    Devices = "devices",
    /// The client app type does not match.
    ClientApps = "clientApps",
    /// The network location does not match.
    Location = "location",
    /// The sign-in risk does not match.
    SignInRisk = "signInRisk",
    /// The policy has no grant or session controls.
    EmptyPolicy = "emptyPolicy",
    /// The policy is invalid.
    InvalidPolicy = "invalidPolicy",
    /// The policy is disabled.
    PolicyNotEnabled = "policyNotEnabled",
    /// The user risk does not match.
    UserRisk = "userRisk",
    /// Time condition (not used).
    Time = "time",
    /// The insider risk does not match.
    InsiderRisk = "insiderRisk",
    /// The authentication flow does not match.
    AuthenticationFlow = "authenticationFlow",
    /// Beta: agent identity risk does not match.
    AgentIdRisk = "agentIdRisk",
    /// caac only (Graph has no flag): the service principal risk does not match.
    ServicePrincipalRisk = "servicePrincipalRisk",
}

impl serde::Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Evaluates one sign-in against `policies` (see the module docs).
/// `tenant` supplies named-location details and the tenant's own
/// applications. For many sign-ins against the same policies, build an
/// [`Engine`] once instead.
pub fn evaluate(policies: &[PolicyRef], tenant: Option<&Tenant>, sign_in: &SignIn) -> Outcome {
    Engine::new(policies, tenant).evaluate(sign_in)
}
