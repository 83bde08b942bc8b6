//! Graph client: blocking HTTPS calls to Microsoft Graph for `pull`, `plan`
//! and `apply`.
//!
//! Contract: a [`Client`] talks only to an `https://` base URL or a loopback
//! address (tests), sends a bearer token it never prints ([`Token`]'s `Debug`
//! and every error text are token-free), asks for unknown enum members
//! (`Prefer: include-unknown-enum-members`, see
//! <https://learn.microsoft.com/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations>),
//! follows `@odata.nextLink` paging only on the same origin (the token never
//! leaves it), paces requests (default one a second), waits as long as a
//! `Retry-After` header asks (429 and 5xx, capped at [`RETRY_AFTER_CAP`]) and
//! otherwise retries 5xx and timeouts with capped exponential backoff
//! (<https://learn.microsoft.com/graph/throttling>,
//! <https://learn.microsoft.com/graph/errors>). Every answer is parsed JSON of
//! the expected shape or a [`GraphError`].
//!
//! URLs are parsed with the `url` crate (WHATWG rules, the same a browser
//! uses), never split by hand: [`checked_url`] refuses user info, accepts
//! plain `http` only for a loopback IP or exactly `localhost`, and every
//! request URL must have the configured base's scheme, host and port, so a
//! token or client secret cannot be steered to another host.

use serde_json::Value;
use std::time::{Duration, Instant};
use url::{Host, Url};

/// Graph's public endpoint.
pub const DEFAULT_BASE: &str = "https://graph.microsoft.com";
/// Longest `Retry-After` caac waits for before retrying anyway. Graph asks
/// for seconds to a few minutes (<https://learn.microsoft.com/graph/throttling>);
/// the header is the server's word, though, and a broken or hostile server
/// could ask for days. With [`ATTEMPTS`] per request this bounds the wait
/// for one request at 4 × 120 s, after which caac stops with an error.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(120);
/// Longest exponential backoff between two attempts without `Retry-After`.
const BACKOFF_CAP: Duration = Duration::from_secs(8);
/// Attempts per request (the first plus retries).
pub const ATTEMPTS: u32 = 5;

/// A bearer token. Its `Debug` form is redacted, and nothing formats it
/// except the `Authorization` header.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A token for offline dry runs, which send nothing.
    pub fn offline() -> Token {
        Token(String::new())
    }

    /// A token a credential flow got ([`super::auth`]).
    pub(super) fn new(secret: String) -> Token {
        Token(secret)
    }

    /// The token itself, for the `Authorization` header and for reading its
    /// claims ([`super::auth::check_token`]); never for output.
    pub(super) fn secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Why a Graph call failed. Texts name the method and URL, never a token.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// 401: the token is missing, expired or for the wrong audience.
    #[error(
        "Graph rejected the token ({method} {url}: 401 {code}): token expired or invalid; get a new one (CAAC_GRAPH_TOKEN) or check the app registration (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET)"
    )]
    Unauthorized {
        /// HTTP method.
        method: String,
        /// The URL.
        url: String,
        /// Graph's error code.
        code: String,
    },
    /// Any other HTTP error status, after retries.
    #[error("{method} {url} failed: HTTP {status} {code}: {message}")]
    Status {
        /// HTTP method.
        method: String,
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// Graph's error code, when the body had one.
        code: String,
        /// Graph's message, when the body had one.
        message: String,
        /// The answer's `Retry-After` (capped), when it had one: how long
        /// the caller should wait before it sends the request again.
        retry_after: Option<Duration>,
    },
    /// A response caac cannot read.
    #[error("{method} {url}: unexpected response from Graph: {why}; nothing was written")]
    Shape {
        /// HTTP method.
        method: String,
        /// The URL.
        url: String,
        /// What was wrong.
        why: String,
    },
    /// Connection failures and timeouts, after retries.
    #[error("{method} {url} failed: {why}")]
    Transport {
        /// HTTP method.
        method: String,
        /// The URL.
        url: String,
        /// The transport error.
        why: String,
    },
    /// Bad configuration (URL, credentials).
    #[error("{0}")]
    Config(String),
}

impl GraphError {
    /// True for failures after which a non-idempotent write may or may not
    /// have happened (timeouts, 5xx, dropped connections).
    pub fn uncertain(&self) -> bool {
        matches!(self, GraphError::Transport { .. })
            || matches!(self, GraphError::Status { status, .. } if *status >= 500)
    }

    /// The wait the server asked for before a retry (`Retry-After`), capped.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            GraphError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Base URL (`https://graph.microsoft.com`, or loopback for tests).
    pub base: String,
    /// Minimum time between two request starts.
    pub pace: Duration,
    /// Timeout of one request.
    pub timeout: Duration,
    /// First backoff for 5xx and timeouts (doubled per attempt, capped at 8 s).
    pub backoff: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base: DEFAULT_BASE.into(),
            pace: Duration::from_secs(1),
            timeout: Duration::from_secs(30),
            backoff: Duration::from_millis(500),
        }
    }
}

/// Parses a URL caac may send a credential to (the Graph base, the token
/// endpoint, a `@odata.nextLink`). `Err` says why it is refused:
/// - not an absolute `https` or `http` URL with a host;
/// - user info (`name:secret@`): a hand-written check can be fooled into
///   reading the text before `@` as the host (`http://127.0.0.1:1@elsewhere/`),
///   and a credential in a URL leaks into logs;
/// - plain `http` to anything but a loopback address (`127.0.0.0/8`, `::1`)
///   or exactly `localhost`: a bearer token or client secret never crosses
///   a network unencrypted. `localhost.` (trailing dot, a DNS name),
///   `127.0.0.1.nip.io` and the like are names a resolver may send anywhere.
///
/// The `url` crate normalises as browsers do (lower-case scheme and host,
/// percent-decoded host, `127.1` → `127.0.0.1`); caac then sends the
/// normalised form, so what was checked is what is connected to.
pub fn checked_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw.trim()).map_err(|e| format!("not an absolute URL ({e})"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it has user info (`name@` before the host); remove it".into());
    }
    if url.host().is_none() {
        return Err("it has no host".into());
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(
            "plain http is only for a loopback address (127.0.0.1, [::1], localhost); use https"
                .into(),
        ),
        other => Err(format!("the scheme `{other}` is not https")),
    }
}

/// True for `https://…`, or `http://` on a loopback host ([`checked_url`]).
pub fn allowed_url(url: &str) -> bool {
    checked_url(url).is_ok()
}

/// A URL for messages: the password, if any, masked.
pub fn display_url(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => raw.to_owned(),
    }
}

pub(super) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// Same scheme, host and port (the port a scheme implies counts as given):
/// RFC 6454 origins, compared exactly after the `url` crate's normalisation.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// `scheme://host[:port]` of a parsed URL, for messages.
fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The trusted roots: Mozilla's (`webpki-root-certs`) and the platform's
/// certificate store (`rustls-native-certs`: the OS store, or `SSL_CERT_FILE`
/// / `SSL_CERT_DIR` when set), so a corporate TLS-inspection root installed
/// on the machine is trusted too. Loaded once per process; an unreadable
/// platform store leaves Mozilla's roots.
fn roots() -> std::sync::Arc<Vec<ureq::tls::Certificate<'static>>> {
    static ROOTS: std::sync::OnceLock<std::sync::Arc<Vec<ureq::tls::Certificate<'static>>>> =
        std::sync::OnceLock::new();
    ROOTS
        .get_or_init(|| {
            let mut all: Vec<ureq::tls::Certificate<'static>> =
                webpki_root_certs::TLS_SERVER_ROOT_CERTS
                    .iter()
                    .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
                    .collect();
            let native = rustls_native_certs::load_native_certs();
            if let Some(e) = native.errors.first() {
                // Said once: a wrong SSL_CERT_FILE otherwise shows up only
                // as an untrusted certificate later.
                eprintln!(
                    "note: the platform's certificate store was not read completely ({e}); Mozilla's roots are trusted"
                );
            }
            all.extend(
                native
                    .certs
                    .iter()
                    .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned()),
            );
            std::sync::Arc::new(all)
        })
        .clone()
}

/// A transport error for a message, with the fix when the server's
/// certificate chains to no trusted root (typically TLS inspection whose
/// root is not installed).
pub(super) fn transport_why(e: &ureq::Error) -> String {
    let why = e.to_string();
    if why.contains("UnknownIssuer") {
        format!(
            "{why} (the server's certificate is issued by a root caac does not trust: behind TLS inspection, \
             install the inspection root in the platform's certificate store or point SSL_CERT_FILE at it)"
        )
    } else {
        why
    }
}

/// The HTTP agent for Graph and the credential endpoints. Proxies come from
/// `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` and `NO_PROXY` (ureq's
/// `Proxy::try_from_env`, its default) except when `direct` (loopback and
/// the link-local metadata service, which a proxy cannot reach). TLS
/// through a proxy is end to end (`CONNECT`), so the proxy never sees a token.
pub(super) fn agent(timeout: Duration, direct: bool) -> ureq::Agent {
    let mut b = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        // A redirect would carry the Authorization header elsewhere.
        .max_redirects(0)
        .user_agent(concat!("caac/", env!("CARGO_PKG_VERSION")))
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::Specific(roots()))
                .build(),
        );
    if direct {
        b = b.proxy(None);
    }
    b.build().into()
}

/// One HTTP request as `--dry-run` prints it.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// `GET`, `POST`, `PATCH`, `DELETE`.
    pub method: &'static str,
    /// Absolute URL.
    pub url: String,
    /// JSON body.
    pub body: Option<Value>,
}

/// How a client waits between attempts (`std::thread::sleep`; tests inject
/// a recorder so they assert the wait, not the wall clock).
pub type Sleeper = fn(Duration);

/// A Graph client.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
    /// The parsed base: every request URL must have its origin.
    base: Url,
    token: Token,
    /// The token is a user's (it has `scp`): a 403 then explains delegated
    /// permissions and directory roles instead of application permissions.
    delegated: bool,
    last: Option<Instant>,
    sleeper: Sleeper,
    /// Every wait between attempts, in order (for tests and messages).
    pub waits: Vec<Duration>,
}

impl Client {
    /// A client for `settings.base` with `token`.
    pub fn new(settings: Settings, token: Token) -> Result<Client, GraphError> {
        let base = checked_url(&settings.base).map_err(|why| {
            GraphError::Config(format!(
                "--graph-url must be https:// or a loopback address, not `{}`: {why}",
                display_url(&settings.base)
            ))
        })?;
        if base.query().is_some() || base.fragment().is_some() {
            return Err(GraphError::Config(format!(
                "--graph-url must be a base URL without `?` or `#`, not `{}`",
                display_url(&settings.base)
            )));
        }
        let mut settings = settings;
        // The normalised form: what was checked is what is sent.
        settings.base = base.as_str().trim_end_matches('/').to_owned();
        Ok(Client {
            agent: agent(settings.timeout, is_loopback(&base)),
            settings,
            base,
            delegated: super::auth::is_delegated(&token),
            token,
            last: None,
            sleeper: std::thread::sleep,
            waits: Vec::new(),
        })
    }

    /// The same client, waiting with `sleeper` instead of sleeping.
    pub fn with_sleeper(mut self, sleeper: Sleeper) -> Client {
        self.sleeper = sleeper;
        self
    }

    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base)
    }

    /// Waits `d` (recorded in [`Client::waits`]).
    pub fn wait(&mut self, d: Duration) {
        self.waits.push(d);
        (self.sleeper)(d);
    }

    fn pace(&mut self) {
        if let Some(last) = self.last {
            let since = last.elapsed();
            if since < self.settings.pace {
                std::thread::sleep(self.settings.pace - since);
            }
        }
        self.last = Some(Instant::now());
    }

    /// The request URL, parsed, if it is on the base's origin; the token is
    /// sent nowhere else.
    fn on_origin(&self, req: &Request) -> Result<Url, GraphError> {
        let refuse = |why: String| {
            GraphError::Config(format!(
                "{} {}: {why}; caac sends the token only to {}",
                req.method,
                display_url(&req.url),
                origin(&self.base)
            ))
        };
        let url = checked_url(&req.url).map_err(refuse)?;
        if !same_origin(&url, &self.base) {
            return Err(refuse(format!("another origin ({})", origin(&url))));
        }
        Ok(url)
    }

    /// One request with retries. `retry_uncertain` is false for
    /// non-idempotent writes (POST): a timeout or 5xx is then returned at once,
    /// because the write may have happened and the caller must look first
    /// (the error carries the server's `Retry-After`, [`GraphError::retry_after`]).
    ///
    /// Waits: the `Retry-After` the answer carries, on a 429 or a 5xx, capped
    /// at [`RETRY_AFTER_CAP`] ("wait the number of seconds specified in the
    /// Retry-After header", <https://learn.microsoft.com/graph/throttling>;
    /// 503 "may be specified in a Retry-After header",
    /// <https://learn.microsoft.com/graph/errors>); without it, exponential
    /// backoff from [`Settings::backoff`], capped at 8 s.
    pub fn send(&mut self, req: &Request, retry_uncertain: bool) -> Result<Value, GraphError> {
        let url = self.on_origin(req)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pace();
            let (error, after, may_retry) = match self.once(req, &url) {
                Ok(v) => return Ok(v),
                Err(Retry::Fatal(e)) => return Err(e),
                // Throttled: Graph did not process the request, so even a
                // POST may be sent again.
                Err(Retry::Throttled(e)) => {
                    let after = e.retry_after();
                    (e, after, true)
                }
                Err(Retry::Backoff(e)) => {
                    let after = e.retry_after();
                    (e, after, retry_uncertain)
                }
            };
            if !may_retry {
                return Err(error);
            }
            if attempt >= ATTEMPTS {
                return Err(match error {
                    GraphError::Status {
                        method,
                        url,
                        status,
                        code,
                        message,
                        retry_after,
                    } => GraphError::Status {
                        method,
                        url,
                        status,
                        code,
                        message: format!("{message} (still failing after {ATTEMPTS} attempts)"),
                        retry_after,
                    },
                    other => other,
                });
            }
            let wait = match after {
                Some(d) => {
                    if let GraphError::Status { status, .. } = &error {
                        eprintln!(
                            "note: {} {} answered HTTP {status}; waiting {} s as its Retry-After asks",
                            req.method,
                            req.url,
                            d.as_secs_f64()
                        );
                    }
                    d
                }
                None => self
                    .settings
                    .backoff
                    .saturating_mul(2u32.saturating_pow(attempt - 1))
                    .min(BACKOFF_CAP),
            };
            self.wait(wait);
        }
    }

    fn once(&self, req: &Request, url: &Url) -> Result<Value, Retry> {
        let auth = format!("Bearer {}", self.token.0);
        let prefer = "include-unknown-enum-members";
        let target = url.as_str();
        let result = match (req.method, &req.body) {
            ("GET", _) => self
                .agent
                .get(target)
                .header("Authorization", &auth)
                .header("Prefer", prefer)
                .header("Accept", "application/json")
                .call(),
            ("DELETE", _) => self
                .agent
                .delete(target)
                .header("Authorization", &auth)
                .header("Prefer", prefer)
                .call(),
            (m, body) => {
                let b = if m == "PATCH" {
                    self.agent.patch(target)
                } else {
                    self.agent.post(target)
                };
                b.header("Authorization", &auth)
                    .header("Prefer", prefer)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .send(
                        serde_json::to_string(body.as_ref().unwrap_or(&Value::Null))
                            .unwrap_or_default(),
                    )
            }
        };
        let method = req.method.to_owned();
        let url = req.url.clone();
        let mut resp = match result {
            Ok(r) => r,
            Err(e) => {
                return Err(Retry::Backoff(GraphError::Transport {
                    method,
                    url,
                    why: transport_why(&e),
                }));
            }
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let text = match resp.body_mut().read_to_string() {
            Ok(t) => t,
            Err(e) => {
                return Err(Retry::Backoff(GraphError::Transport {
                    method,
                    url,
                    why: e.to_string(),
                }));
            }
        };
        if status == 204 || (status < 300 && text.trim().is_empty()) {
            return Ok(Value::Null);
        }
        let json: Result<Value, _> = serde_json::from_str(&text);
        if (200..300).contains(&status) {
            return json.map_err(|e| {
                Retry::Fatal(GraphError::Shape {
                    method,
                    url,
                    why: format!("the body is not JSON ({e})"),
                })
            });
        }
        let json = json.unwrap_or(Value::Null);
        let code = json["error"]["code"].as_str().unwrap_or("").to_owned();
        let message = json["error"]["message"]
            .as_str()
            .unwrap_or("(no error message)")
            .to_owned();
        if status == 401 {
            return Err(Retry::Fatal(GraphError::Unauthorized { method, url, code }));
        }
        let message = if status == 403 && self.delegated {
            // A user's token: Graph needs the delegated permission in `scp`
            // *and* a directory role that may manage Conditional Access
            // (<https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies#permissions>).
            format!(
                "{message} (a user's token: it needs the delegated permission Policy.Read.All to read and \
                 Policy.ReadWrite.ConditionalAccess to write, and the user the Conditional Access Administrator role; \
                 the Azure CLI's token usually lacks these scopes: use an app registration, see docs/credentials.md)"
            )
        } else if status == 403 {
            format!(
                "{message} (the app registration needs Policy.Read.All to read and Policy.ReadWrite.ConditionalAccess to write)"
            )
        } else {
            message
        };
        let e = GraphError::Status {
            method,
            url,
            status,
            code,
            message,
            // Honoured where Graph sends it: 429 and 5xx (503 above all).
            retry_after: retry_after.filter(|_| status == 429 || status >= 500),
        };
        Err(match status {
            429 => Retry::Throttled(e),
            s if s >= 500 => Retry::Backoff(e),
            _ => Retry::Fatal(e),
        })
    }

    /// GET one object.
    pub fn get(&mut self, path_or_url: &str) -> Result<Value, GraphError> {
        let url = if path_or_url.starts_with('/') {
            self.url(path_or_url)
        } else {
            path_or_url.to_owned()
        };
        let v = self.send(
            &Request {
                method: "GET",
                url: url.clone(),
                body: None,
            },
            true,
        )?;
        if v.is_object() {
            Ok(v)
        } else {
            Err(GraphError::Shape {
                method: "GET".into(),
                url,
                why: "expected a JSON object".into(),
            })
        }
    }

    /// GET a collection, following `@odata.nextLink` on the same origin.
    pub fn list(&mut self, path: &str) -> Result<Vec<Value>, GraphError> {
        let mut url = self.url(path);
        let mut out = Vec::new();
        let mut pages = 0;
        loop {
            pages += 1;
            let page = self.get(&url)?;
            let Some(items) = page.get("value").and_then(Value::as_array) else {
                return Err(GraphError::Shape {
                    method: "GET".into(),
                    url,
                    why: "a collection response has no `value` array".into(),
                });
            };
            if let Some(bad) = items.iter().find(|i| !i.is_object()) {
                return Err(GraphError::Shape {
                    method: "GET".into(),
                    url,
                    why: format!("a `value` item is not an object: {bad}"),
                });
            }
            out.extend(items.iter().cloned());
            match page.get("@odata.nextLink") {
                None | Some(Value::Null) => return Ok(out),
                Some(Value::String(next)) => {
                    // Parsed, not split: the same checks as --graph-url, then
                    // exactly the base's scheme, host and port.
                    let parsed = checked_url(next).and_then(|n| {
                        if same_origin(&n, &self.base) {
                            Ok(n)
                        } else {
                            Err(format!("it points at another origin ({})", origin(&n)))
                        }
                    });
                    let next = match parsed {
                        Ok(n) => n.to_string(),
                        Err(why) => {
                            return Err(GraphError::Shape {
                                method: "GET".into(),
                                url,
                                why: format!(
                                    "@odata.nextLink `{}` is refused: {why}; caac does not send the token there",
                                    display_url(next)
                                ),
                            });
                        }
                    };
                    if pages > 10_000 || next == url {
                        return Err(GraphError::Shape {
                            method: "GET".into(),
                            url,
                            why: "@odata.nextLink does not advance".into(),
                        });
                    }
                    url = next;
                }
                Some(other) => {
                    return Err(GraphError::Shape {
                        method: "GET".into(),
                        url,
                        why: format!("@odata.nextLink is not a string: {other}"),
                    });
                }
            }
        }
    }
}

/// `Retry-After` as delay-seconds, capped at [`RETRY_AFTER_CAP`]. The
/// HTTP-date form (RFC 9110 §10.2.3) is not read: Graph sends seconds, and
/// an unreadable value falls back to exponential backoff, which the
/// throttling guidance recommends when there is no usable header.
fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s).min(RETRY_AFTER_CAP))
}

enum Retry {
    /// 429: not processed; wait (`Retry-After`, else backoff) and send again.
    Throttled(GraphError),
    /// 5xx or transport: back off, if the request may be repeated.
    Backoff(GraphError),
    /// Do not retry.
    Fatal(GraphError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    #[test]
    fn only_https_or_loopback() {
        assert!(allowed_url("https://graph.microsoft.com"));
        assert!(allowed_url("http://127.0.0.1:8080"));
        assert!(allowed_url("http://localhost:1/x"));
        assert!(allowed_url("http://[::1]:99"));
        assert!(!allowed_url("http://graph.microsoft.com"));
        assert!(!allowed_url("http://127.0.0.1.evil.com"));
        assert!(!allowed_url("ftp://127.0.0.1"));
    }

    /// Hostile spellings: only a real loopback host passes over http, and
    /// user info is refused everywhere. Nothing is sent: these are parses.
    #[test]
    fn hostile_urls_are_refused() {
        for bad in [
            // User info: the host is after the `@`.
            "http://127.0.0.1:1@graph.example.com/",
            "http://127.0.0.1@graph.example.com/",
            "http://localhost:80@graph.example.com",
            "http://[::1]@graph.example.com/",
            "https://user:secret@graph.microsoft.com/",
            "https://graph.microsoft.com@evil.example/",
            "http://graph.example.com@127.0.0.1:8080/",
            // Names that look local but are resolved by DNS.
            "http://localhost./",
            "http://LOCALHOST./",
            "http://127.0.0.1.nip.io/",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.com/",
            "http://0x7f000001.nip.io/",
            // Percent-encoding cannot smuggle a `@`, `.` or another host.
            "http://127.0.0.1%40graph.example.com/",
            "http://localhost%2eevil.example/",
            "http://127.0.0.1%2f@graph.example.com/",
            // IPv6 that is not loopback, or not an address at all.
            "http://[::ffff:127.0.0.1]/",
            "http://[fe80::1]/",
            "http://[::1].evil.example/",
            "http://[::2]/",
            // No host, wrong scheme, not absolute.
            "http:///x",
            "file:///etc/passwd",
            "ftp://127.0.0.1/",
            "//127.0.0.1/",
            "/beta/identity",
            "",
            "http://0.0.0.0/",
        ] {
            assert!(checked_url(bad).is_err(), "accepted {bad:?}");
        }
        for good in [
            "http://127.0.0.1:8080/",
            "HTTP://127.0.0.1:8080/",
            "http://LocalHost:9/",
            "http://127.1:9/",
            "http://127.0.0.2/",
            "http://[::1]:9/",
            "http://[0:0:0:0:0:0:0:1]:9/",
            "https://graph.microsoft.com",
            "HTTPS://Graph.Microsoft.COM/",
            "https://graph.microsoft.us",
        ] {
            assert!(checked_url(good).is_ok(), "refused {good:?}");
        }
        // What was checked is what is sent: the normalised form.
        assert_eq!(
            checked_url("HTTP://127.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        assert!(
            checked_url("http://a:b@127.0.0.1/")
                .unwrap_err()
                .contains("user info")
        );
        assert_eq!(
            display_url("https://u:hunter2@graph.microsoft.com/"),
            "https://u:***@graph.microsoft.com/"
        );
    }

    #[test]
    fn origins_compare_scheme_host_and_port_exactly() {
        let base = checked_url("https://graph.microsoft.com").unwrap();
        let same = |s: &str| same_origin(&Url::parse(s).unwrap(), &base);
        assert!(same("https://graph.microsoft.com/beta/x?$skiptoken=1"));
        assert!(same("https://GRAPH.microsoft.com:443/beta/x"));
        assert!(!same("https://graph.microsoft.com./beta/x"));
        assert!(!same("https://graph.microsoft.com:8443/beta/x"));
        assert!(!same("http://graph.microsoft.com/beta/x"));
        assert!(!same("https://graph.microsoft.com.evil.example/"));
        assert!(!same("https://evil.example/https://graph.microsoft.com"));
        let local = checked_url("http://127.0.0.1:5").unwrap();
        assert_eq!(origin(&local), "http://127.0.0.1:5");
        assert!(!same_origin(
            &Url::parse("http://localhost:5/").unwrap(),
            &local
        ));
    }

    #[test]
    fn client_refuses_hostile_bases_and_foreign_request_urls() {
        for bad in [
            "http://127.0.0.1:1@graph.example.com",
            "http://localhost.:1",
            "https://graph.microsoft.com/?x=1",
        ] {
            let s = Settings {
                base: bad.into(),
                ..Settings::default()
            };
            assert!(Client::new(s, Token::offline()).is_err(), "{bad}");
        }
        let s = Settings {
            base: "http://127.0.0.1:9".into(),
            ..Settings::default()
        };
        let mut c = Client::new(s, Token("t".into())).unwrap();
        for url in [
            "http://127.0.0.1:10/beta/x",
            "http://127.0.0.1:9@127.0.0.1:10/beta/x",
            "https://127.0.0.1:9/beta/x",
        ] {
            let e = c
                .send(
                    &Request {
                        method: "GET",
                        url: url.into(),
                        body: None,
                    },
                    true,
                )
                .unwrap_err();
            assert!(
                e.to_string()
                    .contains("sends the token only to http://127.0.0.1:9"),
                "{e}"
            );
        }
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = Token("secret-value".into());
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
    }

    /// One scripted answer: status, headers, body.
    type Answer = (u16, Vec<(&'static str, String)>, String);

    /// A loopback server answering each connection with the next scripted
    /// response (status, headers, body); it records request lines.
    fn script(answers: Vec<Answer>) -> (String, Arc<Mutex<Vec<String>>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        std::thread::spawn(move || {
            for (status, headers, body) in answers {
                let Ok((stream, _)) = listener.accept() else {
                    return;
                };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                let mut len = 0;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut b = vec![0; len];
                let _ = reader.read_exact(&mut b);
                log.lock().unwrap().push(line.trim().to_owned());
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n",
                    body.len()
                );
                for (k, v) in headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                let mut stream = stream;
                let _ = stream.write_all(out.as_bytes());
            }
        });
        (url, seen)
    }

    fn client(base: &str) -> Client {
        let s = Settings {
            base: base.into(),
            pace: Duration::ZERO,
            timeout: Duration::from_secs(5),
            backoff: Duration::from_millis(500),
        };
        // No real sleeping: the waits are recorded and asserted.
        Client::new(s, Token("t".into()))
            .unwrap()
            .with_sleeper(|_| {})
    }

    fn get(path: &str) -> Request {
        Request {
            method: "GET",
            url: path.into(),
            body: None,
        }
    }

    const ERR: &str = r#"{"error":{"code":"ServiceUnavailable","message":"busy"}}"#;

    #[test]
    fn retry_after_is_honoured_on_503_and_429_and_capped() {
        let (url, seen) = script(vec![
            (503, vec![("Retry-After", "1".into())], ERR.into()),
            (429, vec![("Retry-After", "7".into())], ERR.into()),
            (503, vec![("Retry-After", "999999999".into())], ERR.into()),
            (200, vec![], r#"{"value": []}"#.into()),
        ]);
        let mut c = client(&url);
        let v = c.send(&get(&format!("{url}/beta/x")), true).unwrap();
        assert_eq!(v, serde_json::json!({"value": []}));
        assert_eq!(seen.lock().unwrap().len(), 4, "retried until success");
        assert_eq!(
            c.waits,
            [
                Duration::from_secs(1),
                Duration::from_secs(7),
                RETRY_AFTER_CAP
            ]
        );
    }

    #[test]
    fn without_retry_after_5xx_backs_off_exponentially() {
        let (url, _) = script(vec![
            (500, vec![], ERR.into()),
            (503, vec![("Retry-After", "soon".into())], ERR.into()),
            (502, vec![], ERR.into()),
            (200, vec![], "{}".into()),
        ]);
        let mut c = client(&url);
        c.send(&get(&format!("{url}/beta/x")), true).unwrap();
        assert_eq!(
            c.waits,
            [
                Duration::from_millis(500),
                Duration::from_millis(1000),
                Duration::from_millis(2000)
            ]
        );
    }

    /// A POST that got a 503 may or may not have been made: it is not
    /// repeated here, and the error carries the wait the server asked for.
    /// A 429 was not processed: it is repeated, after the wait.
    #[test]
    fn a_post_is_not_repeated_after_503_but_after_429() {
        let (url, seen) = script(vec![
            (429, vec![("Retry-After", "2".into())], ERR.into()),
            (503, vec![("Retry-After", "3".into())], ERR.into()),
        ]);
        let mut c = client(&url);
        let post = Request {
            method: "POST",
            url: format!("{url}/v1.0/x"),
            body: Some(serde_json::json!({})),
        };
        let e = c.send(&post, false).unwrap_err();
        assert!(e.uncertain());
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        assert_eq!(c.waits, [Duration::from_secs(2)]);
        assert_eq!(seen.lock().unwrap().len(), 2);
    }

    /// A 4xx other than 429 is final even with a Retry-After header.
    #[test]
    fn retry_after_on_a_client_error_is_not_a_retry() {
        let (url, seen) = script(vec![(400, vec![("Retry-After", "1".into())], ERR.into())]);
        let mut c = client(&url);
        let e = c.send(&get(&format!("{url}/beta/x")), true).unwrap_err();
        assert!(matches!(
            e,
            GraphError::Status {
                status: 400,
                retry_after: None,
                ..
            }
        ));
        assert!(c.waits.is_empty());
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    /// A nextLink on another origin (or with user info) is refused before
    /// anything is sent to it.
    #[test]
    fn next_link_must_stay_on_the_base_origin() {
        let (other, other_seen) = script(vec![(200, vec![], r#"{"value": []}"#.into())]);
        for next in [
            format!("{other}/beta/x?$skiptoken=2"),
            format!("http://x@{}/beta/x", other.trim_start_matches("http://")),
        ] {
            let (url, _) = script(vec![(
                200,
                vec![],
                serde_json::json!({"value": [{"id": "a"}], "@odata.nextLink": next}).to_string(),
            )]);
            let mut c = client(&url);
            let e = c.list("/beta/x").unwrap_err();
            assert!(e.to_string().contains("@odata.nextLink"), "{e}");
        }
        assert!(other_seen.lock().unwrap().is_empty(), "nothing sent there");
    }
}
