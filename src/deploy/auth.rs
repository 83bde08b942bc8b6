//! Credentials for Microsoft Graph: which flow gets the access token, which
//! cloud it is for, and whether the token can do what the command needs.
//!
//! Contract: [`connect`] picks a credential (`--auth`, or [`Auth::Auto`]'s
//! environment precedence), gets an access token for the cloud's Graph
//! ([`Cloud`]), prints to stderr *which* credential it used (never a secret,
//! assertion or token), then reads the token's claims without verifying them
//! ([`check_token`]) and fails with exit 2, naming the missing permission,
//! when its audience, expiry or permissions cannot do what the command needs.
//! Every secret goes only to its own host: the client secret and client
//! assertions to the token endpoint, the CI request tokens to the OIDC
//! request URL they came with, the managed-identity header to the identity
//! endpoint. Each URL is parsed with the `url` crate and must be `https` or
//! loopback ([`client::checked_url`]), with exactly one documented
//! exception: the instance metadata service at `http://169.254.169.254`,
//! a link-local address that never leaves the VM
//! (<https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token>).
//! No redirects are followed (a redirect would carry the secret elsewhere).
//!
//! The flows (client credentials grant with a secret or a `client_assertion`,
//! <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>):
//! - `token`: `CAAC_GRAPH_TOKEN`, a token obtained elsewhere.
//! - `env`: Azure Identity's `EnvironmentCredential`: `AZURE_TENANT_ID`,
//!   `AZURE_CLIENT_ID` and `AZURE_CLIENT_SECRET`, else
//!   `AZURE_CLIENT_CERTIFICATE_PATH`
//!   (<https://learn.microsoft.com/dotnet/api/azure.identity.environmentcredential>).
//! - `federated`: workload identity federation
//!   (<https://learn.microsoft.com/entra/workload-id/workload-identity-federation>):
//!   the external token is the `client_assertion`, from
//!   `AZURE_FEDERATED_TOKEN_FILE`, GitHub Actions' OIDC endpoint
//!   (`ACTIONS_ID_TOKEN_REQUEST_URL`/`_TOKEN`, audience
//!   `api://AzureADTokenExchange`,
//!   <https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-azure>)
//!   or Azure Pipelines' (`SYSTEM_OIDCREQUESTURI`, `SYSTEM_ACCESSTOKEN`,
//!   `AZURESUBSCRIPTION_SERVICE_CONNECTION_ID`; the request Azure
//!   Identity's `AzurePipelinesCredential` makes,
//!   <https://learn.microsoft.com/javascript/api/@azure/identity/azurepipelinescredential>).
//! - `certificate`: a JWT assertion signed with the app's certificate, in the
//!   format of <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>:
//!   `alg` PS256, `typ` JWT, `x5t#S256`; `aud` the token endpoint, `iss` =
//!   `sub` = the client id, a random `jti`, `nbf`, `exp` ten minutes later.
//! - `managed-identity`: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER` (App
//!   Service, Functions, Automation,
//!   <https://learn.microsoft.com/azure/app-service/overview-managed-identity#rest-endpoint-reference>),
//!   else the VM's instance metadata service with `Metadata: true`.
//! - `azure-cli`: `az account get-access-token --resource-type ms-graph`
//!   (<https://learn.microsoft.com/cli/azure/account#az-account-get-access-token>).
//!
//! [`Auth::Auto`] follows the order of Azure Identity's
//! `DefaultAzureCredential` — environment, workload identity, managed
//! identity, Azure CLI
//! (<https://learn.microsoft.com/javascript/api/@azure/identity/defaultazurecredential>)
//! — after caac's own `CAAC_GRAPH_TOKEN`, with two deliberate differences:
//! it never probes the instance metadata service (on a laptop the probe
//! waits for a timeout; managed identity is chosen automatically only where
//! `IDENTITY_ENDPOINT` says it exists) and never runs `az` unasked.
//!
//! Crates: the certificate's PEM is split by `rustls-pki-types` (the parser
//! ureq and rustls already use); the RSA-PSS signature and the
//! random `jti` come from `ring`, the constant-time crypto library rustls
//! already builds on (no second RSA implementation, and none of the timing
//! issues reported against pure-Rust RSA); base64url from `base64`. PFX
//! (PKCS#12) files are not read: no small, well-kept pure-Rust PKCS#12 crate
//! decrypts them, so caac says how to convert one with openssl.

use super::client::{self, GraphError, Token};
use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use url::Url;

/// Which credential gets the token (`--auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Auth {
    /// The first credential the environment provides (see `docs/credentials.md`).
    #[default]
    Auto,
    /// AZURE_TENANT_ID + AZURE_CLIENT_ID + AZURE_CLIENT_SECRET, else AZURE_CLIENT_CERTIFICATE_PATH.
    Env,
    /// Workload identity federation: AZURE_FEDERATED_TOKEN_FILE, GitHub Actions or Azure Pipelines OIDC.
    Federated,
    /// AZURE_CLIENT_CERTIFICATE_PATH (PEM: certificate and RSA private key).
    Certificate,
    /// Managed identity (IDENTITY_ENDPOINT, else the instance metadata service).
    ManagedIdentity,
    /// An existing Azure CLI login (`az account get-access-token`).
    AzureCli,
    /// CAAC_GRAPH_TOKEN.
    Token,
}

/// The Microsoft cloud (`--cloud`, or `deploy.cloud` in `.caac.yaml`):
/// Graph endpoint, login authority and token scope, from
/// <https://learn.microsoft.com/graph/deployments>.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Global service (graph.microsoft.com); also US Government GCC (moderate).
    #[default]
    Public,
    /// US Government L4 (graph.microsoft.us, login.microsoftonline.us); same as usgovhigh.
    Usgov,
    /// US Government L4, GCC High (graph.microsoft.us, login.microsoftonline.us).
    Usgovhigh,
    /// US Government L5, DoD (dod-graph.microsoft.us, login.microsoftonline.us).
    Dod,
    /// China operated by 21Vianet (microsoftgraph.chinacloudapi.cn, login.chinacloudapi.cn).
    China,
}

impl Cloud {
    /// Graph's service root ("Microsoft Graph and Graph Explorer service
    /// root endpoints", <https://learn.microsoft.com/graph/deployments>).
    pub fn graph(self) -> &'static str {
        match self {
            Cloud::Public => "https://graph.microsoft.com",
            Cloud::Usgov | Cloud::Usgovhigh => "https://graph.microsoft.us",
            Cloud::Dod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Microsoft Entra ID endpoint ("App registration and token service
    /// root endpoints", same page).
    pub fn login(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::Usgov | Cloud::Usgovhigh | Cloud::Dod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The `.default` scope on this cloud's Graph: "Any permission scope
    /// value (including the .default scope) that contains the Microsoft
    /// Graph domain MUST use the domain of the Microsoft Graph service root
    /// endpoint for the national cloud deployment"
    /// (<https://learn.microsoft.com/graph/sdks/national-clouds>).
    pub fn scope(self) -> String {
        format!("{}/.default", self.graph())
    }
}

/// What the command will do with the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `pull`, `plan`: list policies, named locations, strengths.
    Read,
    /// `apply`: create, update and delete policies.
    Write,
    /// `pull --members`: [`Need::Read`], plus the transitive members of the
    /// groups and the assignments of the directory roles the policies use
    /// ([`super::members`]).
    ReadMembers,
}

/// Graph's application id: an access token for Graph may carry it as `aud`
/// instead of the resource URL.
const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// The audience Entra expects in a federated token: "should be set to
/// api://AzureADTokenExchange for Microsoft Entra ID"
/// (<https://learn.microsoft.com/graph/api/resources/federatedidentitycredential>).
pub const FEDERATION_AUDIENCE: &str = "api://AzureADTokenExchange";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Test-only: where the instance metadata service is, instead of
/// 169.254.169.254. Accepted only for a loopback URL, so it can point
/// nowhere but the test's own fake.
const TEST_IMDS_VAR: &str = "CAAC_TEST_IMDS_ENDPOINT";
const IMDS: &str = "http://169.254.169.254/metadata/identity/oauth2/token";

fn var(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

fn config(msg: impl Into<String>) -> GraphError {
    GraphError::Config(msg.into())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Picks the credential, gets a token, says which credential it used and
/// checks the token against `need`.
/// The notes go to stderr unless `quiet` (`-q`).
pub fn connect(
    auth: Auth,
    cloud: Cloud,
    need: Need,
    timeout: Duration,
    quiet: bool,
) -> Result<Token, GraphError> {
    let (token, used) = acquire(auth, cloud, timeout)?;
    // Which credential, never what it holds.
    if !quiet {
        eprintln!("note: Graph credential: {used}");
    }
    if !check_token(&token, need, cloud, now())? && !quiet {
        eprintln!(
            "note: the access token is not a JWT caac can read; Graph will check its audience, expiry and permissions"
        );
    }
    Ok(token)
}

/// The token and a description of the credential that got it.
pub fn acquire(auth: Auth, cloud: Cloud, timeout: Duration) -> Result<(Token, String), GraphError> {
    let auth = match auth {
        Auth::Auto => auto().ok_or_else(|| {
            config(
                "no Graph credentials: set CAAC_GRAPH_TOKEN; or AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET \
                 (or AZURE_CLIENT_CERTIFICATE_PATH, or AZURE_FEDERATED_TOKEN_FILE); or run in GitHub Actions or Azure Pipelines \
                 with an OIDC federated credential; or choose --auth managed-identity or --auth azure-cli",
            )
        })?,
        a => a,
    };
    match auth {
        Auth::Token => from_token_var(),
        Auth::Env => {
            if var("AZURE_CLIENT_SECRET").is_some() {
                secret(cloud, timeout)
            } else if var("AZURE_CLIENT_CERTIFICATE_PATH").is_some() {
                certificate(cloud, timeout)
            } else {
                Err(config(
                    "--auth env needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH",
                ))
            }
        }
        Auth::Certificate => certificate(cloud, timeout),
        Auth::Federated => federated(cloud, timeout),
        Auth::ManagedIdentity => managed_identity(cloud, timeout),
        // The CLI's token is for the cloud `az cloud set` chose; its audience
        // is checked against --cloud afterwards.
        Auth::AzureCli => azure_cli(),
        Auth::Auto => unreachable!("resolved above"),
    }
}

/// The environment's credential in `DefaultAzureCredential`'s order (see
/// the module comment), `None` when there is none.
fn auto() -> Option<Auth> {
    let app = var("AZURE_TENANT_ID").is_some() && var("AZURE_CLIENT_ID").is_some();
    if var("CAAC_GRAPH_TOKEN").is_some() {
        Some(Auth::Token)
    } else if app
        && (var("AZURE_CLIENT_SECRET").is_some() || var("AZURE_CLIENT_CERTIFICATE_PATH").is_some())
    {
        Some(Auth::Env)
    } else if federation_source().is_some() {
        // Chosen even without the ids, so the error names the missing ones.
        Some(Auth::Federated)
    } else if var("IDENTITY_ENDPOINT").is_some() && var("IDENTITY_HEADER").is_some() {
        Some(Auth::ManagedIdentity)
    } else {
        None
    }
}

fn from_token_var() -> Result<(Token, String), GraphError> {
    let t = var("CAAC_GRAPH_TOKEN").ok_or_else(|| config("--auth token needs CAAC_GRAPH_TOKEN"))?;
    // A pasted `Bearer …` header value works too.
    let t = t.trim();
    let t = match t.get(..7) {
        Some(p) if p.eq_ignore_ascii_case("bearer ") => t[7..].trim_start(),
        _ => t,
    };
    Ok((
        Token::new(t.to_owned()),
        "access token (CAAC_GRAPH_TOKEN)".into(),
    ))
}

/// Tenant and client id: `AZURE_*`, or (`pipelines`) the
/// `AZURESUBSCRIPTION_*` variables the Azure CLI task sets in Azure Pipelines.
fn ids(pipelines: bool) -> Result<(String, String), GraphError> {
    let pick = |a: &str, b: &str| var(a).or_else(|| if pipelines { var(b) } else { None });
    let tenant = pick("AZURE_TENANT_ID", "AZURESUBSCRIPTION_TENANT_ID");
    let client = pick("AZURE_CLIENT_ID", "AZURESUBSCRIPTION_CLIENT_ID");
    match (tenant, client) {
        (Some(t), Some(c)) => {
            // The tenant goes into the token URL's path: a GUID or a domain
            // name, nothing that could end the path (`/`, `?`, `#`) or start
            // user info (`@`).
            if !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
            {
                return Err(config(
                    "AZURE_TENANT_ID must be the tenant's id (a GUID) or its domain name (letters, digits, `.`, `-`)",
                ));
            }
            Ok((t.trim().to_owned(), c.trim().to_owned()))
        }
        _ => Err(config(
            "this credential needs AZURE_TENANT_ID and AZURE_CLIENT_ID (the app registration's tenant and application id)",
        )),
    }
}

/// The token endpoint: `CAAC_TOKEN_URL` (with `{tenant}`), else
/// `AZURE_AUTHORITY_HOST` (set by AKS workload identity, honoured by Azure
/// Identity), else the cloud's authority; then `/{tenant}/oauth2/v2.0/token`.
fn token_endpoint(cloud: Cloud, tenant: &str) -> Result<Url, GraphError> {
    let (raw, from) = match (var("CAAC_TOKEN_URL"), var("AZURE_AUTHORITY_HOST")) {
        (Some(u), _) => (u.replace("{tenant}", tenant), "CAAC_TOKEN_URL"),
        (None, Some(h)) => (
            format!(
                "{}/{tenant}/oauth2/v2.0/token",
                h.trim().trim_end_matches('/')
            ),
            "AZURE_AUTHORITY_HOST",
        ),
        (None, None) => (
            format!("{}/{tenant}/oauth2/v2.0/token", cloud.login()),
            "--cloud",
        ),
    };
    // The client secret or assertion goes to this URL: the same checks as --graph-url.
    client::checked_url(&raw).map_err(|why| {
        config(format!(
            "{from} must be https:// or a loopback address, not `{}`: {why}",
            client::display_url(&raw)
        ))
    })
}

/// How the client proves who it is on the client-credentials request.
enum ClientAuth<'a> {
    Secret(&'a str),
    Assertion(&'a str),
}

/// The client credentials grant: POST to the token endpoint, form-encoded
/// (<https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>).
fn client_credentials(
    endpoint: &Url,
    client_id: &str,
    proof: ClientAuth,
    cloud: Cloud,
    timeout: Duration,
) -> Result<Token, GraphError> {
    let scope = cloud.scope();
    let url = endpoint.as_str();
    let mut form = vec![
        ("client_id", client_id),
        ("scope", scope.as_str()),
        ("grant_type", "client_credentials"),
    ];
    let (what, secret) = match proof {
        ClientAuth::Secret(s) => {
            form.push(("client_secret", s));
            ("client secret", s)
        }
        ClientAuth::Assertion(a) => {
            form.push(("client_assertion_type", ASSERTION_TYPE));
            form.push(("client_assertion", a));
            ("client assertion", a)
        }
    };
    let resp = client::agent(timeout, client::is_loopback(endpoint))
        .post(url)
        .send_form(form);
    let (status, json) = read_json("POST", url, resp)?;
    if status != 200 {
        // The identity platform's `error` code and AADSTS description name
        // the problem (invalid_client, a federated token's wrong audience or
        // subject, …); they carry claims, not the secret, but anything equal
        // to the secret is masked all the same.
        let code = printable(json["error"].as_str().unwrap_or("no error code"));
        let desc = printable(
            &json["error_description"]
                .as_str()
                .and_then(|d| d.lines().next())
                .unwrap_or("")
                .replace(secret, "***"),
        );
        return Err(config(format!(
            "the token endpoint {url} refused the {what}: HTTP {status} {code}{}{desc}",
            if desc.is_empty() { "" } else { ": " }
        )));
    }
    access_token(&json, "access_token", "POST", url)
}

fn access_token(json: &Value, field: &str, method: &str, url: &str) -> Result<Token, GraphError> {
    match json[field].as_str() {
        Some(t) if !t.trim().is_empty() => Ok(Token::new(t.trim().to_owned())),
        _ => Err(GraphError::Shape {
            method: method.into(),
            url: url.into(),
            why: format!("no {field} in the token response"),
        }),
    }
}

/// Status and JSON body (`Null` when the body is not JSON).
fn read_json(
    method: &str,
    url: &str,
    resp: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
) -> Result<(u16, Value), GraphError> {
    let mut resp = resp.map_err(|e| GraphError::Transport {
        method: method.into(),
        url: url.into(),
        why: client::transport_why(&e),
    })?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

fn secret(cloud: Cloud, timeout: Duration) -> Result<(Token, String), GraphError> {
    let (tenant, client) = ids(false)?;
    let secret = var("AZURE_CLIENT_SECRET")
        .ok_or_else(|| config("a client secret needs AZURE_CLIENT_SECRET"))?;
    let endpoint = token_endpoint(cloud, &tenant)?;
    let token = client_credentials(
        &endpoint,
        &client,
        ClientAuth::Secret(&secret),
        cloud,
        timeout,
    )?;
    Ok((
        token,
        format!("client secret (AZURE_CLIENT_SECRET) of app {client} in tenant {tenant}"),
    ))
}

/// Where a federated token comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Federation {
    File,
    GitHub,
    Pipelines,
}

fn federation_source() -> Option<Federation> {
    if var("AZURE_FEDERATED_TOKEN_FILE").is_some() {
        Some(Federation::File)
    } else if var("ACTIONS_ID_TOKEN_REQUEST_URL").is_some()
        && var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").is_some()
    {
        Some(Federation::GitHub)
    } else if var("SYSTEM_OIDCREQUESTURI").is_some() && var("SYSTEM_ACCESSTOKEN").is_some() {
        Some(Federation::Pipelines)
    } else {
        None
    }
}

fn federated(cloud: Cloud, timeout: Duration) -> Result<(Token, String), GraphError> {
    let source = federation_source().ok_or_else(|| {
        config(
            "--auth federated needs AZURE_FEDERATED_TOKEN_FILE, or GitHub Actions' ACTIONS_ID_TOKEN_REQUEST_URL and \
             ACTIONS_ID_TOKEN_REQUEST_TOKEN (`permissions: id-token: write`), or Azure Pipelines' SYSTEM_OIDCREQUESTURI and \
             SYSTEM_ACCESSTOKEN with AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
        )
    })?;
    let (tenant, client) = ids(source == Federation::Pipelines)?;
    let (assertion, from) = match source {
        Federation::File => {
            let path = var("AZURE_FEDERATED_TOKEN_FILE").unwrap_or_default();
            let text = std::fs::read_to_string(&path).map_err(|e| {
                config(format!(
                    "cannot read the federated token file {path} (AZURE_FEDERATED_TOKEN_FILE): {e}"
                ))
            })?;
            (
                text.trim().to_owned(),
                "federated token file (AZURE_FEDERATED_TOKEN_FILE)",
            )
        }
        Federation::GitHub => (github_oidc(timeout)?, "GitHub Actions OIDC token"),
        Federation::Pipelines => (pipelines_oidc(timeout)?, "Azure Pipelines OIDC token"),
    };
    if assertion.is_empty() {
        return Err(config(format!("the {from} is empty")));
    }
    // An expired federated token is refused by Entra too; saying so here
    // names the file or the CI step instead of an AADSTS code.
    if let Some(exp) = claims(&assertion).and_then(|c| c.get("exp").and_then(Value::as_u64))
        && exp <= now()
    {
        return Err(config(format!(
            "the {from} expired {}; get a fresh one (a projected token file is renewed by its platform, a CI token per job)",
            ago(exp, now())
        )));
    }
    let endpoint = token_endpoint(cloud, &tenant)?;
    let token = client_credentials(
        &endpoint,
        &client,
        ClientAuth::Assertion(&assertion),
        cloud,
        timeout,
    )?;
    Ok((
        token,
        format!("workload identity federation, {from}, app {client} in tenant {tenant}"),
    ))
}

/// A URL a CI request token may be sent to: https or loopback, no user info.
fn ci_url(name: &str, raw: &str) -> Result<Url, GraphError> {
    client::checked_url(raw).map_err(|why| {
        config(format!(
            "{name} must be https:// or a loopback address, not `{}`: {why}",
            client::display_url(raw)
        ))
    })
}

/// GitHub Actions: GET the request URL with `audience` added, bearer the
/// request token; the answer is `{"value": "<jwt>"}`
/// (<https://docs.github.com/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect>).
fn github_oidc(timeout: Duration) -> Result<String, GraphError> {
    let raw = var("ACTIONS_ID_TOKEN_REQUEST_URL").unwrap_or_default();
    let bearer = var("ACTIONS_ID_TOKEN_REQUEST_TOKEN").unwrap_or_default();
    let mut url = ci_url("ACTIONS_ID_TOKEN_REQUEST_URL", &raw)?;
    url.query_pairs_mut()
        .append_pair("audience", FEDERATION_AUDIENCE);
    let shown = strip_query(&url);
    let resp = client::agent(timeout, client::is_loopback(&url))
        .get(url.as_str())
        .header("Authorization", &format!("Bearer {bearer}"))
        .header("Accept", "application/json")
        .call();
    let (status, json) = read_json("GET", &shown, resp)?;
    if status != 200 {
        return Err(config(format!(
            "GitHub's OIDC endpoint {shown} answered HTTP {status}; the workflow needs `permissions: id-token: write`"
        )));
    }
    Ok(access_token(&json, "value", "GET", &shown)?
        .secret()
        .to_owned())
}

/// Azure Pipelines: POST `{SYSTEM_OIDCREQUESTURI}?api-version=7.1&serviceConnectionId=…`
/// bearer `SYSTEM_ACCESSTOKEN`; the answer is `{"oidcToken": "<jwt>"}` (the
/// request of Azure Identity's `AzurePipelinesCredential`).
fn pipelines_oidc(timeout: Duration) -> Result<String, GraphError> {
    let raw = var("SYSTEM_OIDCREQUESTURI").unwrap_or_default();
    let bearer = var("SYSTEM_ACCESSTOKEN").unwrap_or_default();
    let connection = var("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID").ok_or_else(|| {
        config(
            "Azure Pipelines federation needs AZURESUBSCRIPTION_SERVICE_CONNECTION_ID (the service connection's id; \
             the AzureCLI@2 task sets it)",
        )
    })?;
    let mut url = ci_url("SYSTEM_OIDCREQUESTURI", &raw)?;
    url.query_pairs_mut()
        .append_pair("api-version", "7.1")
        .append_pair("serviceConnectionId", connection.trim());
    let shown = strip_query(&url);
    let resp = client::agent(timeout, client::is_loopback(&url))
        .post(url.as_str())
        .header("Authorization", &format!("Bearer {bearer}"))
        .header("Content-Type", "application/json")
        // Asks for a status code instead of a sign-in redirect.
        .header("X-TFS-FedAuthRedirect", "Suppress")
        .send_empty();
    let (status, json) = read_json("POST", &shown, resp)?;
    if status != 200 {
        return Err(config(format!(
            "Azure Pipelines' OIDC endpoint {shown} answered HTTP {status}; map SYSTEM_ACCESSTOKEN into the step's env \
             and check the service connection id"
        )));
    }
    Ok(access_token(&json, "oidcToken", "POST", &shown)?
        .secret()
        .to_owned())
}

fn strip_query(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.to_string()
}

/// A certificate and its RSA private key, read from a PEM file.
pub struct CertKey {
    /// The certificate's DER.
    pub der: Vec<u8>,
    key: ring::signature::RsaKeyPair,
}

impl std::fmt::Debug for CertKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CertKey(<redacted>)")
    }
}

/// Reads a PEM file with the certificate and its (unencrypted) RSA private
/// key, PKCS#8 or PKCS#1, in any order; the key must belong to the
/// certificate.
pub fn read_certificate(path: &Path) -> Result<CertKey, GraphError> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| config(format!("cannot read the certificate {shown}: {e}")))?;
    let text = String::from_utf8_lossy(&bytes);
    if !text.contains("-----BEGIN") {
        return Err(config(format!(
            "{shown} is not PEM (a PFX/PKCS#12 file is not read): convert it with \
             `openssl pkcs12 -in cert.pfx -out cert.pem -nodes` and keep the PEM as secret as the PFX"
        )));
    }
    if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(config(format!(
            "the private key in {shown} is encrypted; caac reads an unencrypted key (`openssl pkey -in {shown} -out key.pem`), \
             kept in a secret store"
        )));
    }
    use rustls_pki_types::pem::{PemObject as _, SectionKind};
    let (mut cert, mut key) = (None, None);
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(&bytes) {
        match item {
            Ok((SectionKind::Certificate, der)) if cert.is_none() => cert = Some(der),
            Ok((
                kind @ (SectionKind::PrivateKey
                | SectionKind::RsaPrivateKey
                | SectionKind::EcPrivateKey),
                der,
            )) if key.is_none() => {
                key = Some((kind, der));
            }
            Ok(_) => {}
            Err(e) => {
                return Err(config(format!("cannot read the PEM in {shown}: {e}")));
            }
        }
    }
    let der = cert.ok_or_else(|| {
        config(format!(
            "{shown} has no certificate (`-----BEGIN CERTIFICATE-----`); put the certificate and its private key in one PEM file"
        ))
    })?;
    let (kind, key) = key.ok_or_else(|| {
        config(format!(
            "{shown} has no private key; put the certificate and its private key in one PEM file"
        ))
    })?;
    let pair = match kind {
        SectionKind::PrivateKey => ring::signature::RsaKeyPair::from_pkcs8(&key),
        SectionKind::RsaPrivateKey => ring::signature::RsaKeyPair::from_der(&key),
        _ => {
            return Err(config(format!(
                "the private key in {shown} is not an RSA key; Entra certificate credentials are signed with RSA (PS256)"
            )));
        }
    }
    .map_err(|e| {
        config(format!(
            "the private key in {shown} is not a usable RSA key ({e})"
        ))
    })?;
    // The certificate's SubjectPublicKeyInfo carries the RSAPublicKey DER
    // verbatim: a key from another certificate would sign assertions Entra
    // rejects with an AADSTS code that does not say why.
    use ring::signature::KeyPair as _;
    let public = pair.public_key().as_ref();
    if !der.windows(public.len()).any(|w| w == public) {
        return Err(config(format!(
            "the private key in {shown} does not belong to its certificate"
        )));
    }
    Ok(CertKey { der, key: pair })
}

/// The signed client assertion for `aud` (the token endpoint), in the
/// format of <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>.
pub fn certificate_assertion(
    ck: &CertKey,
    client_id: &str,
    aud: &str,
    now: u64,
) -> Result<String, GraphError> {
    use sha2::Digest as _;
    let thumb = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&ck.der));
    let header = json!({"alg": "PS256", "typ": "JWT", "x5t#S256": thumb});
    let rng = ring::rand::SystemRandom::new();
    let mut id = [0u8; 16];
    ring::rand::SecureRandom::fill(&rng, &mut id)
        .map_err(|_| config("no randomness for the assertion's jti"))?;
    // A version-4 UUID, as the page's example `jti` is a GUID.
    id[6] = (id[6] & 0x0f) | 0x40;
    id[8] = (id[8] & 0x3f) | 0x80;
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    let jti = format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    );
    // "keep it short - 5-10 minutes after nbf at most" (same page).
    let claims = json!({
        "aud": aud, "iss": client_id, "sub": client_id, "jti": jti,
        "nbf": now, "iat": now, "exp": now + 600,
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0u8; ck.key.public().modulus_len()];
    ck.key
        .sign(
            &ring::signature::RSA_PSS_SHA256,
            &rng,
            input.as_bytes(),
            &mut sig,
        )
        .map_err(|_| config("signing the client assertion failed"))?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

fn certificate(cloud: Cloud, timeout: Duration) -> Result<(Token, String), GraphError> {
    let path = var("AZURE_CLIENT_CERTIFICATE_PATH")
        .ok_or_else(|| config("--auth certificate needs AZURE_CLIENT_CERTIFICATE_PATH"))?;
    if var("AZURE_CLIENT_CERTIFICATE_PASSWORD").is_some() {
        return Err(config(
            "AZURE_CLIENT_CERTIFICATE_PASSWORD is set, but caac reads only an unencrypted PEM (no PFX): \
             convert with `openssl pkcs12 -in cert.pfx -out cert.pem -nodes` and unset the password",
        ));
    }
    let (tenant, client) = ids(false)?;
    let ck = read_certificate(Path::new(&path))?;
    let endpoint = token_endpoint(cloud, &tenant)?;
    let assertion = certificate_assertion(&ck, &client, endpoint.as_str(), now())?;
    let token = client_credentials(
        &endpoint,
        &client,
        ClientAuth::Assertion(&assertion),
        cloud,
        timeout,
    )?;
    Ok((
        token,
        format!("certificate (AZURE_CLIENT_CERTIFICATE_PATH) of app {client} in tenant {tenant}"),
    ))
}

/// Managed identity: `IDENTITY_ENDPOINT` + `IDENTITY_HEADER` (App Service
/// API version 2019-08-01, header `X-IDENTITY-HEADER`), else the instance
/// metadata service (API version 2018-02-01, header `Metadata: true`).
/// `AZURE_CLIENT_ID` picks a user-assigned identity.
fn managed_identity(cloud: Cloud, timeout: Duration) -> Result<(Token, String), GraphError> {
    let resource = cloud.graph();
    let user_assigned = var("AZURE_CLIENT_ID");
    let (mut url, header, version, what, loopback_only) =
        match (var("IDENTITY_ENDPOINT"), var("IDENTITY_HEADER")) {
            (Some(e), Some(h)) => (
                ci_url("IDENTITY_ENDPOINT", &e)?,
                ("X-IDENTITY-HEADER", h),
                "2019-08-01",
                "managed identity (IDENTITY_ENDPOINT)",
                false,
            ),
            _ => {
                let (raw, test) = match var(TEST_IMDS_VAR) {
                    Some(t) => (t, true),
                    None => (IMDS.to_owned(), false),
                };
                let url = Url::parse(&raw)
                    .map_err(|e| config(format!("{TEST_IMDS_VAR} is not a URL: {e}")))?;
                if test && !client::is_loopback(&url) {
                    return Err(config(format!(
                        "{TEST_IMDS_VAR} is for tests and must be a loopback URL"
                    )));
                }
                (
                    url,
                    ("Metadata", "true".to_owned()),
                    "2018-02-01",
                    "managed identity (instance metadata service)",
                    true,
                )
            }
        };
    url.query_pairs_mut()
        .append_pair("api-version", version)
        .append_pair("resource", resource);
    if let Some(id) = &user_assigned {
        url.query_pairs_mut().append_pair("client_id", id.trim());
    }
    let shown = strip_query(&url);
    // No proxy for either: IMDS is link-local (a proxy cannot reach it and
    // must not see the request), IDENTITY_ENDPOINT is a local listener.
    let resp = client::agent(timeout, loopback_only || client::is_loopback(&url))
        .get(url.as_str())
        .header(header.0, &header.1)
        .header("Accept", "application/json")
        .call();
    let (status, json) = read_json("GET", &shown, resp)?;
    if status != 200 {
        let code = printable(
            json["error"]
                .as_str()
                .or_else(|| json["error"]["code"].as_str())
                .unwrap_or("no error code"),
        );
        return Err(config(format!(
            "the managed identity endpoint {shown} answered HTTP {status} {code}; is a managed identity assigned \
             (and AZURE_CLIENT_ID its client id, for a user-assigned one)?"
        )));
    }
    let token = access_token(&json, "access_token", "GET", &shown)?;
    let who = match user_assigned {
        Some(id) => format!("{what}, user-assigned {id}"),
        None => format!("{what}, system-assigned"),
    };
    Ok((token, who))
}

/// `az account get-access-token --resource-type ms-graph`: the signed-in
/// user's (or `az login --service-principal`'s) token for the cloud the CLI
/// is set to (`az cloud set`).
fn azure_cli() -> Result<(Token, String), GraphError> {
    let program = if cfg!(windows) { "az.cmd" } else { "az" };
    let mut cmd = std::process::Command::new(program);
    cmd.args([
        "account",
        "get-access-token",
        "--resource-type",
        "ms-graph",
        "--output",
        "json",
    ]);
    if let Some(t) = var("AZURE_TENANT_ID") {
        cmd.args(["--tenant", t.trim()]);
    }
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            config(format!(
                "cannot run the Azure CLI (`{program}`): {e}; install it and `az login`, or choose another --auth"
            ))
        })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        return Err(config(format!(
            "`az account get-access-token --resource-type ms-graph` failed ({}): {}; run `az login` \
             (`--allow-no-subscriptions` for a tenant without subscriptions)",
            out.status,
            printable(last.trim())
        )));
    }
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let token = match json["accessToken"].as_str() {
        Some(t) if !t.trim().is_empty() => Token::new(t.trim().to_owned()),
        _ => {
            return Err(config(
                "`az account get-access-token` printed no accessToken; update the Azure CLI",
            ));
        }
    };
    Ok((
        token,
        "Azure CLI login (az account get-access-token)".into(),
    ))
}

/// Text another program or server wrote, for one line of stderr: control
/// characters (terminal escapes, line breaks) shown escaped, at most 300
/// characters.
fn printable(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().take(300) {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if s.chars().count() > 300 {
        out.push('…');
    }
    out
}

/// The claims of a JWT, read without verifying its signature; `None` when
/// `jwt` is not three base64url parts with a JSON object in the middle.
pub fn claims(jwt: &str) -> Option<Map<String, Value>> {
    let mut parts = jwt.trim().split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .or_else(|_| URL_SAFE.decode(payload))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// True when the token is a user's (delegated: it has `scp`).
pub fn is_delegated(token: &Token) -> bool {
    claims(token.secret()).is_some_and(|c| c.contains_key("scp"))
}

/// "3 min ago" / "in 40 s".
fn ago(exp: u64, now: u64) -> String {
    let d = now.abs_diff(exp);
    let span = if d >= 120 {
        format!("{} min", d / 60)
    } else {
        format!("{d} s")
    };
    if exp <= now {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

/// The permissions `need` takes, each with the alternatives that also
/// grant it. Reads: "Policy.Read.All", or the higher-privileged
/// Policy.ReadWrite.ConditionalAccess
/// (<https://learn.microsoft.com/graph/api/conditionalaccessroot-list-policies#permissions>).
/// Writes: Policy.Read.All and Policy.ReadWrite.ConditionalAccess
/// (<https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies#permissions>),
/// — the current page's requirement. Older versions of that page also asked
/// for Application.Read.All; a token without it is not refused here (Graph
/// decides, and its 403 is explained), so a least-privileged app that the
/// current page allows is never turned away by caac.
/// Members (`pull --members`), each the page's least-privileged permission
/// first, then its higher-privileged ones, identical for delegated and
/// application tokens: `GET /groups/{id}/transitiveMembers` takes
/// GroupMember.Read.All, or Directory.Read.All, Group.Read.All,
/// Group.ReadWrite.All, GroupMember.ReadWrite.All
/// (<https://learn.microsoft.com/graph/api/group-list-transitivemembers#permissions>);
/// `GET /roleManagement/directory/roleAssignments` takes, "from least to
/// most privileged", RoleManagement.Read.Directory, RoleManagement.Read.All,
/// Directory.Read.All, RoleManagement.ReadWrite.Directory,
/// Directory.ReadWrite.All
/// (<https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments#permissions>).
pub fn required(need: Need) -> Vec<(&'static str, &'static [&'static str])> {
    const READ: (&str, &[&str]) = (
        "Policy.Read.All",
        &["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"],
    );
    match need {
        Need::Read => vec![READ],
        Need::ReadMembers => vec![
            READ,
            (
                "GroupMember.Read.All",
                &[
                    "GroupMember.Read.All",
                    "Directory.Read.All",
                    "Group.Read.All",
                    "Group.ReadWrite.All",
                    "GroupMember.ReadWrite.All",
                ],
            ),
            (
                "RoleManagement.Read.Directory",
                &[
                    "RoleManagement.Read.Directory",
                    "RoleManagement.Read.All",
                    "Directory.Read.All",
                    "RoleManagement.ReadWrite.Directory",
                    "Directory.ReadWrite.All",
                ],
            ),
        ],
        Need::Write => vec![
            (
                "Policy.ReadWrite.ConditionalAccess",
                &["Policy.ReadWrite.ConditionalAccess"],
            ),
            ("Policy.Read.All", &["Policy.Read.All"]),
        ],
    }
}

/// Reads the token's claims (unverified: Graph verifies; this only fails
/// early and precisely) and refuses a token whose audience is not this
/// cloud's Graph, that has expired (or expires within a minute), or that
/// lacks a permission `need` takes: `roles` for an app token, `scp` for a
/// user's (<https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference>).
/// `Ok(false)`: a token caac cannot read (not a JWT), passed on for Graph
/// to decide.
pub fn check_token(token: &Token, need: Need, cloud: Cloud, now: u64) -> Result<bool, GraphError> {
    let Some(c) = claims(token.secret()) else {
        return Ok(false);
    };
    let graph = cloud.graph();
    let aud = c.get("aud").and_then(Value::as_str).unwrap_or("");
    if aud != GRAPH_APP_ID && aud.trim_end_matches('/') != graph {
        return Err(config(format!(
            "the access token is for `{aud}`, not Microsoft Graph ({graph}); ask for the scope {} \
             (az: --resource-type ms-graph; --cloud picks the national cloud)",
            cloud.scope()
        )));
    }
    if let Some(exp) = c.get("exp").and_then(Value::as_u64)
        && exp <= now + 60
    {
        return Err(config(format!(
            "the access token expires {}; get a new one",
            ago(exp, now)
        )));
    }
    let delegated = c.contains_key("scp");
    let held: Vec<&str> = if delegated {
        c["scp"].as_str().unwrap_or("").split_whitespace().collect()
    } else {
        c.get("roles")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    };
    let missing: Vec<&str> = required(need)
        .into_iter()
        .filter(|(_, any)| !any.iter().any(|p| held.contains(p)))
        .map(|(name, _)| name)
        .collect();
    if missing.is_empty() {
        return Ok(true);
    }
    let what = match need {
        Need::Read => "reading Conditional Access policies (pull, plan)",
        Need::Write => "writing Conditional Access policies (apply)",
        Need::ReadMembers => {
            "reading Conditional Access policies and the members of the groups and roles they use (pull --members)"
        }
    };
    let fix = if delegated {
        "a user's token (scp) lacks them: sign in with a client that was consented these delegated permissions \
         (the Azure CLI's token usually is not), and the user needs the Conditional Access Administrator role; \
         or use an app registration (docs/credentials.md)"
    } else {
        "grant the app registration these Microsoft Graph application permissions and admin consent \
         (https://learn.microsoft.com/graph/permissions-reference), then get a new token"
    };
    Err(config(format!(
        "the access token lacks {} for {what}; {fix}",
        missing.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: Value) -> Token {
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        Token::new(format!("{h}.{p}.sig"))
    }

    const NOW: u64 = 1_800_000_000;

    #[test]
    fn clouds_set_graph_login_and_scope_together() {
        // https://learn.microsoft.com/graph/deployments
        assert_eq!(Cloud::Public.graph(), "https://graph.microsoft.com");
        assert_eq!(Cloud::Public.login(), "https://login.microsoftonline.com");
        assert_eq!(Cloud::Usgovhigh.graph(), "https://graph.microsoft.us");
        assert_eq!(Cloud::Usgov.login(), "https://login.microsoftonline.us");
        assert_eq!(Cloud::Dod.graph(), "https://dod-graph.microsoft.us");
        assert_eq!(Cloud::Dod.login(), "https://login.microsoftonline.us");
        assert_eq!(
            Cloud::China.graph(),
            "https://microsoftgraph.chinacloudapi.cn"
        );
        assert_eq!(Cloud::China.login(), "https://login.chinacloudapi.cn");
        assert_eq!(
            Cloud::Dod.scope(),
            "https://dod-graph.microsoft.us/.default"
        );
    }

    #[test]
    fn app_token_needs_roles_for_the_command() {
        let read = jwt(
            json!({"aud": "https://graph.microsoft.com", "exp": NOW + 3600,
            "roles": ["Policy.Read.All"]}),
        );
        assert!(check_token(&read, Need::Read, Cloud::Public, NOW).unwrap());
        let e = check_token(&read, Need::Write, Cloud::Public, NOW)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("lacks Policy.ReadWrite.ConditionalAccess for writing"),
            "{e}"
        );
        assert!(e.contains("application permissions"), "{e}");
        let write = jwt(json!({"aud": GRAPH_APP_ID, "exp": NOW + 3600, "roles":
            ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Application.Read.All"]}));
        assert!(check_token(&write, Need::Write, Cloud::Public, NOW).unwrap());
        // The create page's current least privilege: without Application.Read.All.
        let least = jwt(json!({"aud": GRAPH_APP_ID, "exp": NOW + 3600, "roles":
            ["Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"]}));
        assert!(check_token(&least, Need::Write, Cloud::Public, NOW).unwrap());
        let none = jwt(json!({"aud": "https://graph.microsoft.com", "exp": NOW + 3600}));
        let e = check_token(&none, Need::Read, Cloud::Public, NOW)
            .unwrap_err()
            .to_string();
        assert!(e.contains("lacks Policy.Read.All for reading"), "{e}");
    }

    /// `pull --members` takes the least-privileged permission of each
    /// Graph page or one of its higher-privileged alternatives.
    #[test]
    fn members_need_group_and_role_read_permissions() {
        let roles = |r: &[&str]| {
            jwt(json!({"aud": "https://graph.microsoft.com", "exp": NOW + 3600, "roles": r}))
        };
        let e = check_token(
            &roles(&["Policy.Read.All"]),
            Need::ReadMembers,
            Cloud::Public,
            NOW,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("lacks GroupMember.Read.All, RoleManagement.Read.Directory for reading Conditional Access policies and the members"),
            "{e}"
        );
        let e = check_token(
            &roles(&["Policy.Read.All", "GroupMember.Read.All"]),
            Need::ReadMembers,
            Cloud::Public,
            NOW,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("lacks RoleManagement.Read.Directory for"), "{e}");
        let least = roles(&[
            "Policy.Read.All",
            "GroupMember.Read.All",
            "RoleManagement.Read.Directory",
        ]);
        assert!(check_token(&least, Need::ReadMembers, Cloud::Public, NOW).unwrap());
        // Directory.Read.All is a higher alternative on both pages.
        let directory = roles(&["Policy.Read.All", "Directory.Read.All"]);
        assert!(check_token(&directory, Need::ReadMembers, Cloud::Public, NOW).unwrap());
        // RoleManagement.Read.All grants role assignments, not group members.
        let e = check_token(
            &roles(&["Policy.Read.All", "RoleManagement.Read.All"]),
            Need::ReadMembers,
            Cloud::Public,
            NOW,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("lacks GroupMember.Read.All for"), "{e}");
        // Plain pull does not ask for them.
        assert!(check_token(&roles(&["Policy.Read.All"]), Need::Read, Cloud::Public, NOW).unwrap());
    }

    #[test]
    fn user_token_needs_scopes() {
        let t = jwt(
            json!({"aud": "https://graph.microsoft.com", "exp": NOW + 3600,
            "scp": "User.Read Policy.Read.All"}),
        );
        assert!(is_delegated(&t));
        assert!(check_token(&t, Need::Read, Cloud::Public, NOW).unwrap());
        let e = check_token(&t, Need::Write, Cloud::Public, NOW)
            .unwrap_err()
            .to_string();
        assert!(e.contains("Policy.ReadWrite.ConditionalAccess"), "{e}");
        assert!(e.contains("user's token"), "{e}");
    }

    #[test]
    fn wrong_audience_and_expiry_are_refused() {
        let t = jwt(
            json!({"aud": "https://management.azure.com", "exp": NOW + 3600,
            "roles": ["Policy.Read.All"]}),
        );
        let e = check_token(&t, Need::Read, Cloud::Public, NOW)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is for `https://management.azure.com`"), "{e}");
        // A public-cloud token is not a US Government one.
        let t = jwt(
            json!({"aud": "https://graph.microsoft.com", "exp": NOW + 3600,
            "roles": ["Policy.Read.All"]}),
        );
        assert!(check_token(&t, Need::Read, Cloud::Usgovhigh, NOW).is_err());
        let t = jwt(
            json!({"aud": "https://graph.microsoft.com/", "exp": NOW - 600,
            "roles": ["Policy.Read.All"]}),
        );
        let e = check_token(&t, Need::Read, Cloud::Public, NOW)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expires 10 min ago"), "{e}");
    }

    /// The assertion has the header and claims the certificate-credentials
    /// page lists, and its PS256 signature verifies with the certificate's key.
    #[test]
    fn certificate_assertion_has_the_documented_shape() {
        use ring::signature::KeyPair as _;
        use sha2::Digest as _;
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth");
        let ck = read_certificate(&root.join("app-cert.pem")).unwrap();
        let aud = "https://login.microsoftonline.com/t/oauth2/v2.0/token";
        let a = certificate_assertion(&ck, "client-1", aud, NOW).unwrap();
        let parts: Vec<&str> = a.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(
            header,
            json!({"alg": "PS256", "typ": "JWT",
                "x5t#S256": URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(&ck.der))})
        );
        let c = claims(&a).unwrap();
        assert_eq!(c["aud"], aud);
        assert_eq!(c["iss"], "client-1");
        assert_eq!(c["sub"], "client-1");
        assert_eq!(c["nbf"], NOW);
        assert_eq!(c["exp"], NOW + 600);
        let jti = c["jti"].as_str().unwrap();
        assert_eq!(jti.len(), 36);
        assert_eq!(&jti[14..15], "4", "a version-4 GUID: {jti}");
        let b = certificate_assertion(&ck, "client-1", aud, NOW).unwrap();
        assert_ne!(
            claims(&b).unwrap()["jti"],
            c["jti"],
            "a fresh jti each time"
        );
        let sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PSS_2048_8192_SHA256,
            ck.key.public_key().as_ref(),
        )
        .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
        .unwrap();
        assert_eq!(format!("{ck:?}"), "CertKey(<redacted>)");
    }

    #[test]
    fn server_text_is_one_printable_line() {
        assert_eq!(printable("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb\\nc");
        assert_eq!(printable(&"x".repeat(400)).chars().count(), 301);
    }

    #[test]
    fn an_opaque_token_is_left_to_graph() {
        let t = Token::new("not-a-jwt".into());
        assert!(!check_token(&t, Need::Write, Cloud::Public, NOW).unwrap());
        assert!(claims("a.%%%.c").is_none());
        assert!(claims("a.b").is_none());
    }
}
