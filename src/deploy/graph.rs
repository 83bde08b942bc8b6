//! Graph client: blocking HTTPS calls to Microsoft Graph for `pull`, `plan`
//! and `apply`.
//!
//! Contract: a [`Client`] talks only to an `https://` base URL or a loopback
//! address (tests), sends a bearer token it never prints ([`Token`]'s `Debug`
//! and every error text are token-free), asks for unknown enum members
//! (`Prefer: include-unknown-enum-members`, see
//! <https://learn.microsoft.com/graph/best-practices-concept#handling-future-members-in-evolvable-enumerations>),
//! follows `@odata.nextLink` paging only on the same origin (the token never
//! leaves it), paces requests (default one a second), honours `429
//! Retry-After` and retries 5xx and timeouts with capped exponential backoff
//! (<https://learn.microsoft.com/graph/throttling>). Every answer is parsed
//! JSON of the expected shape or a [`GraphError`].

use serde_json::Value;
use std::time::{Duration, Instant};

/// Graph's public endpoint.
pub const DEFAULT_BASE: &str = "https://graph.microsoft.com";
/// Microsoft identity platform token endpoint (client credentials flow,
/// <https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow>).
pub const DEFAULT_TOKEN_URL: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
/// Longest `Retry-After` caac waits for before retrying anyway.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(120);
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

/// True for `https://…`, or `http://` on a loopback host.
pub fn allowed_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    let Some(rest) = lower.strip_prefix("http://") else {
        return false;
    };
    let host_port = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = if let Some(h) = host_port.strip_prefix('[') {
        h.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_loopback(url: &str) -> bool {
    !url.to_ascii_lowercase().starts_with("https://") && allowed_url(url)
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    )
}

fn agent(timeout: Duration, loopback: bool) -> ureq::Agent {
    let mut b = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        // A redirect would carry the Authorization header elsewhere.
        .max_redirects(0)
        .user_agent(concat!("caac/", env!("CARGO_PKG_VERSION")));
    if loopback {
        b = b.proxy(None);
    }
    b.build().into()
}

/// Reads the token: `CAAC_GRAPH_TOKEN`, else the client-credentials flow
/// with `AZURE_TENANT_ID`, `AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET` against the
/// identity platform (`CAAC_TOKEN_URL` overrides the endpoint; https or loopback only).
pub fn token_from_env(timeout: Duration) -> Result<Token, GraphError> {
    if let Some(t) = std::env::var("CAAC_GRAPH_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
    {
        // A pasted `Bearer …` header value works too.
        let t = t.trim();
        let t = match t.get(..7) {
            Some(p) if p.eq_ignore_ascii_case("bearer ") => t[7..].trim_start(),
            _ => t,
        };
        return Ok(Token(t.to_owned()));
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let (Some(tenant), Some(client), Some(secret)) = (
        var("AZURE_TENANT_ID"),
        var("AZURE_CLIENT_ID"),
        var("AZURE_CLIENT_SECRET"),
    ) else {
        return Err(GraphError::Config(
            "no Graph credentials: set CAAC_GRAPH_TOKEN, or AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET".into(),
        ));
    };
    let url = var("CAAC_TOKEN_URL")
        .unwrap_or_else(|| DEFAULT_TOKEN_URL.replace("{tenant}", &tenant))
        .replace("{tenant}", &tenant);
    if !allowed_url(&url) {
        return Err(GraphError::Config(format!(
            "CAAC_TOKEN_URL must be https:// or a loopback address, not `{url}`"
        )));
    }
    let scope = format!("{DEFAULT_BASE}/.default");
    let method = "POST".to_owned();
    let resp = agent(timeout, is_loopback(&url)).post(&url).send_form([
        ("client_id", client.as_str()),
        ("client_secret", secret.as_str()),
        ("scope", scope.as_str()),
        ("grant_type", "client_credentials"),
    ]);
    let mut resp = resp.map_err(|e| GraphError::Transport {
        method: method.clone(),
        url: url.clone(),
        why: e.to_string(),
    })?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    if status != 200 {
        // The identity platform's `error` code names the problem
        // (invalid_client, unauthorized_client, …) without echoing the secret.
        let code = json["error"].as_str().unwrap_or("no error code").to_owned();
        return Err(GraphError::Config(format!(
            "the token endpoint {url} refused the client credentials: HTTP {status} {code}"
        )));
    }
    match json["access_token"].as_str() {
        Some(t) if !t.is_empty() => Ok(Token(t.to_owned())),
        _ => Err(GraphError::Shape {
            method,
            url,
            why: "no access_token in the token response".into(),
        }),
    }
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

/// A Graph client.
#[derive(Debug)]
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
    token: Token,
    last: Option<Instant>,
}

impl Client {
    /// A client for `settings.base` with `token`.
    pub fn new(settings: Settings, token: Token) -> Result<Client, GraphError> {
        if !allowed_url(&settings.base) {
            return Err(GraphError::Config(format!(
                "--graph-url must be https:// or a loopback address, not `{}`",
                settings.base
            )));
        }
        let mut settings = settings;
        settings.base = settings.base.trim_end_matches('/').to_owned();
        Ok(Client {
            agent: agent(settings.timeout, is_loopback(&settings.base)),
            settings,
            token,
            last: None,
        })
    }

    /// `base + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.base)
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

    /// One request with retries. `retry_uncertain` is false for
    /// non-idempotent writes (POST): a timeout or 5xx is then returned at once,
    /// because the write may have happened and the caller must look first.
    pub fn send(&mut self, req: &Request, retry_uncertain: bool) -> Result<Value, GraphError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pace();
            let result = self.once(req);
            let wait = match &result {
                Err(Retry::After(d)) => Some(*d),
                Err(Retry::Backoff(_)) if retry_uncertain => {
                    let exp = self.settings.backoff * 2u32.pow(attempt - 1);
                    Some(exp.min(Duration::from_secs(8)))
                }
                _ => None,
            };
            match (result, wait) {
                (Ok(v), _) => return Ok(v),
                (Err(Retry::Fatal(e)), _) => return Err(e),
                (Err(Retry::After(_)), Some(d)) | (Err(Retry::Backoff(_)), Some(d))
                    if attempt < ATTEMPTS =>
                {
                    std::thread::sleep(d);
                }
                (Err(Retry::After(_)), _) => {
                    return Err(GraphError::Status {
                        method: req.method.into(),
                        url: req.url.clone(),
                        status: 429,
                        code: "TooManyRequests".into(),
                        message: format!("still throttled after {ATTEMPTS} attempts"),
                    });
                }
                (Err(Retry::Backoff(e)), _) => return Err(e),
            }
        }
    }

    fn once(&self, req: &Request) -> Result<Value, Retry> {
        let auth = format!("Bearer {}", self.token.0);
        let prefer = "include-unknown-enum-members";
        let result = match (req.method, &req.body) {
            ("GET", _) => self
                .agent
                .get(&req.url)
                .header("Authorization", &auth)
                .header("Prefer", prefer)
                .header("Accept", "application/json")
                .call(),
            ("DELETE", _) => self
                .agent
                .delete(&req.url)
                .header("Authorization", &auth)
                .header("Prefer", prefer)
                .call(),
            (m, body) => {
                let b = if m == "PATCH" {
                    self.agent.patch(&req.url)
                } else {
                    self.agent.post(&req.url)
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
                    why: e.to_string(),
                }));
            }
        };
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
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
        match status {
            401 => Err(Retry::Fatal(GraphError::Unauthorized { method, url, code })),
            429 => Err(Retry::After(
                Duration::from_secs(retry_after.unwrap_or(5)).min(RETRY_AFTER_CAP),
            )),
            s => {
                let message = if s == 403 {
                    format!(
                        "{message} (the app registration needs Policy.Read.All to read and Policy.ReadWrite.ConditionalAccess to write)"
                    )
                } else {
                    message
                };
                let e = GraphError::Status {
                    method,
                    url,
                    status: s,
                    code,
                    message,
                };
                if s >= 500 {
                    Err(Retry::Backoff(e))
                } else {
                    Err(Retry::Fatal(e))
                }
            }
        }
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
                    if origin(next) != origin(&self.settings.base) {
                        return Err(GraphError::Shape {
                            method: "GET".into(),
                            url,
                            why: format!(
                                "@odata.nextLink points at another origin ({}); caac does not send the token there",
                                origin(next)
                            ),
                        });
                    }
                    if pages > 10_000 || *next == url {
                        return Err(GraphError::Shape {
                            method: "GET".into(),
                            url,
                            why: "@odata.nextLink does not advance".into(),
                        });
                    }
                    url = next.clone();
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

enum Retry {
    /// 429: wait this long.
    After(Duration),
    /// 5xx or transport: back off, if the request may be repeated.
    Backoff(GraphError),
    /// Do not retry.
    Fatal(GraphError),
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn token_debug_is_redacted() {
        let t = Token("secret-value".into());
        assert_eq!(format!("{t:?}"), "Token(<redacted>)");
    }

    #[test]
    fn origins() {
        assert_eq!(
            origin("http://127.0.0.1:5/v1.0/x?$skip=1"),
            "http://127.0.0.1:5"
        );
        assert_ne!(
            origin("https://evil.example/x"),
            origin("https://graph.microsoft.com")
        );
    }
}
