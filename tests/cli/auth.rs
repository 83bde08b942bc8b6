//! Credential flows (`src/deploy/auth.rs`) against a fake Microsoft identity
//! platform on loopback: a token endpoint that checks each client assertion
//! as Entra documents it (a certificate assertion's signature, `x5t#S256`,
//! `aud` = the token endpoint, `iss` = `sub` = the client id, its time
//! window, <https://learn.microsoft.com/entra/identity-platform/certificate-credentials>;
//! a federated token's audience, issuer and subject against the app's
//! federated credential, <https://learn.microsoft.com/entra/workload-id/workload-identity-federation>),
//! GitHub Actions' and Azure Pipelines' OIDC request endpoints, the instance
//! metadata service and App Service's identity endpoint, a fake `az` on
//! PATH, and a CONNECT proxy. Each flow then pulls from the fake Graph; no
//! secret, assertion or token ever appears in output or files.

use crate::common::root;
use crate::fake_graph::{Fake, Fault};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

const TENANT: &str = "contoso.onmicrosoft.com";
const CLIENT: &str = "00000000-0000-0000-0000-00000000c11e";
const SECRET: &str = "client-secret-5d1e";
const GH_REQUEST_TOKEN: &str = "gh-request-token-77a1";
const ADO_ACCESS_TOKEN: &str = "ado-system-token-91b3";
const IDENTITY_HEADER: &str = "identity-header-4c2f";
const FED_ISSUER: &str = "https://token.actions.githubusercontent.com";
const FED_SUBJECT: &str = "repo:contoso/ca-policies:ref:refs/heads/main";
const EXCHANGE: &str = "api://AzureADTokenExchange";
const ALL_ROLES: [&str; 3] = [
    "Policy.Read.All",
    "Policy.ReadWrite.ConditionalAccess",
    "Application.Read.All",
];

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// An unsigned JWT with these claims (the fakes read claims, not signatures,
/// except for certificate assertions, whose signature the fake verifies).
fn jwt(claims: &Value) -> String {
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(b"fake-signature")
    )
}

fn parts(token: &str) -> Option<(Value, Value, Vec<u8>, String)> {
    let mut it = token.split('.');
    let (h, p, s) = (it.next()?, it.next()?, it.next()?);
    Some((
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).ok()?).ok()?,
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).ok()?).ok()?,
        URL_SAFE_NO_PAD.decode(s).ok()?,
        format!("{h}.{p}"),
    ))
}

/// An app-only access token for Graph with these roles.
fn access_token(aud: &str, roles: &[&str]) -> String {
    jwt(
        &json!({"aud": aud, "iss": format!("https://sts.windows.net/{TENANT}/"),
        "exp": now() + 3600, "idtyp": "app", "roles": roles, "appid": CLIENT}),
    )
}

/// A federated token as GitHub or a workload platform issues it.
fn federated_token(aud: &str, exp: u64) -> String {
    jwt(&json!({"aud": aud, "iss": FED_ISSUER, "sub": FED_SUBJECT,
        "nbf": now() - 10, "exp": exp}))
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: String,
}

/// The certificate the app registration trusts: its RSA public key and
/// the SHA-256 thumbprint of its DER.
struct Trusted {
    public: Vec<u8>,
    thumb: String,
}

#[derive(Default)]
struct IssuerState {
    /// The access token the token endpoint hands out.
    access: String,
    /// The scope the token endpoint expects.
    scope: String,
    cert: Option<Trusted>,
    /// Assertions the token endpoint accepted or refused (for the leak check).
    assertions: Vec<String>,
    log: Vec<Seen>,
}

/// The fake identity platform (and CI OIDC endpoints, IMDS, App Service).
struct Issuer {
    url: String,
    state: Arc<Mutex<IssuerState>>,
}

impl Issuer {
    fn start(access: &str) -> Issuer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(IssuerState {
            access: access.into(),
            scope: "https://graph.microsoft.com/.default".into(),
            ..IssuerState::default()
        }));
        let (s, u) = (state.clone(), url.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, u) = (s.clone(), u.clone());
                std::thread::spawn(move || serve(stream, &s, &u));
            }
        });
        Issuer { url, state }
    }

    fn token_url(&self) -> String {
        format!("{}/{TENANT}/oauth2/v2.0/token", self.url)
    }

    fn log(&self) -> Vec<Seen> {
        self.state.lock().unwrap().log.clone()
    }

    fn trust_certificate(&self, pem: &Path) {
        use ring::signature::KeyPair as _;
        use rustls_pki_types::pem::{PemObject as _, SectionKind};
        use sha2::Digest as _;
        let bytes = std::fs::read(pem).unwrap();
        let (mut der, mut public) = (None, None);
        for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(&bytes) {
            match item.unwrap() {
                (SectionKind::Certificate, d) => der = Some(d),
                (SectionKind::PrivateKey, k) => {
                    let pair = ring::signature::RsaKeyPair::from_pkcs8(&k).unwrap();
                    public = Some(pair.public_key().as_ref().to_vec());
                }
                _ => {}
            }
        }
        self.state.lock().unwrap().cert = Some(Trusted {
            public: public.unwrap(),
            thumb: URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(der.unwrap())),
        });
    }
}

fn respond(stream: &mut TcpStream, status: u16, body: &Value) {
    let body = body.to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
}

fn invalid(stream: &mut TcpStream, code: &str, description: &str) {
    respond(
        stream,
        400,
        &json!({"error": code, "error_description": description}),
    );
}

fn serve(mut stream: TcpStream, state: &Arc<Mutex<IssuerState>>, base: &str) {
    let Some((method, target, headers, body)) = crate::fake_graph::read_request(&stream) else {
        return;
    };
    let body = String::from_utf8_lossy(&body).into_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query: BTreeMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let mut s = state.lock().unwrap();
    s.log.push(Seen {
        method: method.clone(),
        target: target.clone(),
        headers: headers.clone(),
        body: body.clone(),
    });
    let auth = headers.get("authorization").cloned().unwrap_or_default();
    match (method.as_str(), path) {
        // GitHub Actions: the request token as bearer, the audience as a
        // query parameter added to the URL GitHub gave.
        ("GET", "/github/token") => {
            if auth != format!("Bearer {GH_REQUEST_TOKEN}") || query.get("x") != Some(&"1".into()) {
                return respond(&mut stream, 401, &json!({"message": "bad request token"}));
            }
            let aud = query.get("audience").cloned().unwrap_or_default();
            respond(
                &mut stream,
                200,
                &json!({"value": federated_token(&aud, now() + 300)}),
            );
        }
        // Azure Pipelines' OIDC endpoint.
        ("POST", "/ado/oidc") => {
            if auth != format!("Bearer {ADO_ACCESS_TOKEN}")
                || query.get("api-version") != Some(&"7.1".into())
                || query.get("serviceConnectionId") != Some(&"sc-1234".into())
            {
                return respond(&mut stream, 401, &json!({"message": "no"}));
            }
            respond(
                &mut stream,
                200,
                &json!({"oidcToken": federated_token(EXCHANGE, now() + 300)}),
            );
        }
        // The instance metadata service (2018-02-01) and App Service's
        // identity endpoint (2019-08-01).
        ("GET", "/metadata/identity/oauth2/token") | ("GET", "/msi/token") => {
            let ok = if path == "/msi/token" {
                headers.get("x-identity-header").map(String::as_str) == Some(IDENTITY_HEADER)
                    && query.get("api-version") == Some(&"2019-08-01".into())
            } else {
                headers.get("metadata").map(String::as_str) == Some("true")
                    && query.get("api-version") == Some(&"2018-02-01".into())
            };
            if !ok || query.get("resource") != Some(&"https://graph.microsoft.com".into()) {
                return respond(&mut stream, 400, &json!({"error": "invalid_request"}));
            }
            let access = s.access.clone();
            respond(&mut stream, 200, &json!({"access_token": access}));
        }
        ("POST", p) if p == format!("/{TENANT}/oauth2/v2.0/token") => {
            let form: BTreeMap<String, String> = url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
            if form.get("grant_type").map(String::as_str) != Some("client_credentials")
                || form.get("client_id").map(String::as_str) != Some(CLIENT)
            {
                return invalid(&mut stream, "invalid_request", "AADSTS900144: bad request");
            }
            if form.get("scope") != Some(&s.scope) {
                return invalid(&mut stream, "invalid_scope", "AADSTS70011: invalid scope");
            }
            if let Some(secret) = form.get("client_secret") {
                if secret != SECRET {
                    return invalid(
                        &mut stream,
                        "invalid_client",
                        "AADSTS7000215: Invalid client secret provided.",
                    );
                }
            } else if let Some(a) = form.get("client_assertion") {
                s.assertions.push(a.clone());
                if form.get("client_assertion_type").map(String::as_str)
                    != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                {
                    return invalid(
                        &mut stream,
                        "invalid_request",
                        "AADSTS50027: bad assertion type",
                    );
                }
                let token_url = format!("{base}/{TENANT}/oauth2/v2.0/token");
                if let Err(why) = check_assertion(a, &s, &token_url) {
                    return invalid(&mut stream, "invalid_client", &why);
                }
            } else {
                return invalid(
                    &mut stream,
                    "invalid_client",
                    "AADSTS7000218: no credential",
                );
            }
            let access = s.access.clone();
            respond(
                &mut stream,
                200,
                &json!({"token_type": "Bearer", "expires_in": 3599, "access_token": access}),
            );
        }
        _ => respond(&mut stream, 404, &json!({"error": "not found"})),
    }
}

/// Entra's checks of a client assertion: a certificate assertion (it has
/// `x5t#S256`) is verified against the trusted certificate; any other is a
/// federated token checked against the app's federated credential.
fn check_assertion(a: &str, s: &IssuerState, token_url: &str) -> Result<(), String> {
    let (header, claims, sig, input) = parts(a).ok_or("AADSTS50027: not a JWT")?;
    let t = now();
    let exp = claims["exp"].as_u64().unwrap_or(0);
    let nbf = claims["nbf"].as_u64().unwrap_or(0);
    if exp <= t || nbf > t + 60 {
        return Err("AADSTS700024: Client assertion is not within its valid time range.".into());
    }
    if let Some(thumb) = header["x5t#S256"].as_str() {
        let cert = s.cert.as_ref().ok_or("AADSTS700027: no certificate")?;
        if header["alg"] != "PS256" || header["typ"] != "JWT" {
            return Err(format!("AADSTS5002738: unexpected header {header}"));
        }
        if thumb != cert.thumb {
            return Err("AADSTS700027: certificate thumbprint not registered".into());
        }
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PSS_2048_8192_SHA256,
            &cert.public,
        )
        .verify(input.as_bytes(), &sig)
        .map_err(|_| "AADSTS700027: signature verification failed".to_owned())?;
        if claims["aud"] != token_url {
            return Err(format!(
                "AADSTS700016: wrong audience {} (want {token_url})",
                claims["aud"]
            ));
        }
        if claims["iss"] != CLIENT || claims["sub"] != CLIENT {
            return Err("AADSTS700021: iss and sub must be the client id".into());
        }
        if claims["jti"].as_str().is_none_or(|j| j.len() != 36) || exp - nbf > 600 {
            return Err("AADSTS700023: jti or lifetime".into());
        }
        return Ok(());
    }
    if claims["aud"] != EXCHANGE {
        return Err(format!(
            "AADSTS700212: No matching federated identity record found for presented assertion audience '{}'.",
            claims["aud"].as_str().unwrap_or("")
        ));
    }
    if claims["iss"] != FED_ISSUER || claims["sub"] != FED_SUBJECT {
        return Err(
            "AADSTS70021: No matching federated identity record found for presented assertion."
                .into(),
        );
    }
    Ok(())
}

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("caac")
}

/// Every variable a credential flow reads, removed so the developer's or
/// CI's own environment cannot leak in.
const FLOW_VARS: &[&str] = &[
    "CAAC_GRAPH_TOKEN",
    "CAAC_TOKEN_URL",
    "CAAC_TEST_IMDS_ENDPOINT",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "SYSTEM_OIDCREQUESTURI",
    "SYSTEM_ACCESSTOKEN",
    "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
    "AZURESUBSCRIPTION_CLIENT_ID",
    "AZURESUBSCRIPTION_TENANT_ID",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
];

/// Runs caac in `dir` with only `env` as credentials; asserts none of
/// `secrets` (nor anything the fake issuer saw as an assertion) appears in
/// stdout, stderr or any file under `dir`.
fn run(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    secrets: &[&str],
    issuer: Option<&Issuer>,
) -> (i32, String, String) {
    let mut c = Command::new(bin());
    c.current_dir(dir)
        .args(["--color", "never"])
        .args(args)
        .stdin(Stdio::null());
    for k in FLOW_VARS {
        c.env_remove(k);
    }
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    let (o, e) = (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    );
    let mut all: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
    all.extend([SECRET, GH_REQUEST_TOKEN, ADO_ACCESS_TOKEN, IDENTITY_HEADER].map(String::from));
    if let Some(i) = issuer {
        let st = i.state.lock().unwrap();
        all.push(st.access.clone());
        all.extend(st.assertions.iter().cloned());
    }
    let key_line = "MIIEv"; // the start of every PKCS#8 RSA key's base64
    for f in walk(dir) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        for s in &all {
            assert!(!text.contains(s.as_str()), "a secret in {}", f.display());
        }
        assert!(!text.contains(key_line), "key material in {}", f.display());
    }
    for s in &all {
        assert!(!o.contains(s.as_str()), "a secret in stdout:\n{o}");
        assert!(!e.contains(s.as_str()), "a secret in stderr:\n{e}");
    }
    (out.status.code().unwrap_or(-1), o, e)
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `caac pull` from the fake Graph into `dir/state`.
fn pull<'a>(graph: &'a Fake, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["pull", "--graph-url", &graph.url, "--pace", "0"];
    v.extend_from_slice(extra);
    v
}

fn fixture(name: &str) -> String {
    root()
        .join("tests/fixtures/auth")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn pulled(dir: &Path) -> bool {
    dir.join("state/policies.json").is_file()
}

/// Graph and the issuer, the issuer handing out a token Graph accepts.
fn setup(roles: &[&str]) -> (Fake, Issuer) {
    let access = access_token("https://graph.microsoft.com", roles);
    (Fake::start(&access), Issuer::start(&access))
}

#[test]
fn client_secret_goes_as_client_secret_and_the_credential_is_named() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &[]),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", SECRET),
            (
                "CAAC_TOKEN_URL",
                &format!("{}/{{tenant}}/oauth2/v2.0/token", issuer.url),
            ),
        ],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 0, "{err}");
    assert!(pulled(dir.path()));
    assert!(
        err.contains(&format!(
            "note: Graph credential: client secret (AZURE_CLIENT_SECRET) of app {CLIENT} in tenant {TENANT}"
        )),
        "{err}"
    );
    // -q leaves the note out.
    let mut quiet = vec!["-q"];
    quiet.extend(pull(&graph, &[]));
    let (code, _, err) = run(
        dir.path(),
        &quiet,
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_SECRET", SECRET),
            (
                "CAAC_TOKEN_URL",
                &format!("{}/{{tenant}}/oauth2/v2.0/token", issuer.url),
            ),
        ],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("Graph credential"), "{err}");
}

#[test]
fn federated_token_file_is_the_client_assertion() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    let fed = federated_token(EXCHANGE, now() + 600);
    std::fs::write(file.path(), format!("{fed}\n")).unwrap();
    let path = file.path().to_string_lossy().into_owned();
    let env = [
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_CLIENT_ID", CLIENT),
        ("AZURE_FEDERATED_TOKEN_FILE", path.as_str()),
        (
            "CAAC_TOKEN_URL",
            &format!("{}/{{tenant}}/oauth2/v2.0/token", issuer.url),
        ),
    ];
    // Chosen automatically (no secret, no certificate), and explicitly.
    for extra in [&[][..], &["--auth", "federated"][..]] {
        let (code, _, err) = run(
            dir.path(),
            &pull(&graph, extra),
            &env,
            &[&fed],
            Some(&issuer),
        );
        assert_eq!(code, 0, "{err}");
        assert!(
            err.contains(
                "workload identity federation, federated token file (AZURE_FEDERATED_TOKEN_FILE)"
            ),
            "{err}"
        );
    }
    let form = &issuer.log()[0].body;
    assert!(form.contains("client_assertion="), "{form}");
    assert!(!form.contains("client_secret"), "{form}");
    assert!(pulled(dir.path()));
}

/// Entra refuses a federated token with the wrong audience; caac passes its
/// AADSTS reason on, exits 2 and asks Graph nothing.
#[test]
fn federated_token_with_a_wrong_audience_is_refused_clearly() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    let fed = federated_token("api://SomethingElse", now() + 600);
    std::fs::write(file.path(), &fed).unwrap();
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &[]),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_FEDERATED_TOKEN_FILE", &file.path().to_string_lossy()),
            ("AZURE_AUTHORITY_HOST", &issuer.url),
        ],
        &[&fed],
        Some(&issuer),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("refused the client assertion: HTTP 400 invalid_client: AADSTS700212"),
        "{err}"
    );
    assert!(err.contains("api://SomethingElse"), "{err}");
    assert!(graph.with(|s| s.log.is_empty()), "Graph was not asked");
    assert!(!pulled(dir.path()));
}

/// An expired federated token is refused before it is sent anywhere.
#[test]
fn expired_federated_token_is_refused_before_sending() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    let fed = federated_token(EXCHANGE, now() - 300);
    std::fs::write(file.path(), &fed).unwrap();
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--auth", "federated"]),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_FEDERATED_TOKEN_FILE", &file.path().to_string_lossy()),
            ("AZURE_AUTHORITY_HOST", &issuer.url),
        ],
        &[&fed],
        Some(&issuer),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the federated token file (AZURE_FEDERATED_TOKEN_FILE) expired 5 min ago"),
        "{err}"
    );
    assert!(issuer.log().is_empty(), "nothing sent");
    assert!(graph.with(|s| s.log.is_empty()));
}

#[test]
fn github_actions_oidc_token_is_requested_with_the_exchange_audience() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let request_url = format!("{}/github/token?x=1", issuer.url);
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &[]),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &request_url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GH_REQUEST_TOKEN),
            ("AZURE_AUTHORITY_HOST", &issuer.url),
        ],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("GitHub Actions OIDC token"), "{err}");
    let log = issuer.log();
    assert!(
        log[0]
            .target
            .contains("audience=api%3A%2F%2FAzureADTokenExchange"),
        "{:?}",
        log[0]
    );
    // The request token went to GitHub's URL only, not to the token endpoint.
    assert!(
        !log[1].headers.contains_key("authorization"),
        "{:?}",
        log[1]
    );
    assert!(!log[1].body.contains(GH_REQUEST_TOKEN));
    assert!(pulled(dir.path()));
}

#[test]
fn azure_pipelines_oidc_token_is_requested_for_the_service_connection() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--auth", "federated"]),
        &[
            ("AZURESUBSCRIPTION_TENANT_ID", TENANT),
            ("AZURESUBSCRIPTION_CLIENT_ID", CLIENT),
            ("SYSTEM_OIDCREQUESTURI", &format!("{}/ado/oidc", issuer.url)),
            ("SYSTEM_ACCESSTOKEN", ADO_ACCESS_TOKEN),
            ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "sc-1234"),
            ("AZURE_AUTHORITY_HOST", &issuer.url),
        ],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Azure Pipelines OIDC token"), "{err}");
    assert_eq!(issuer.log()[0].method, "POST");
    assert!(pulled(dir.path()));
    // Found without --auth too; without the service connection id, the
    // error names it.
    let env = [
        ("AZURESUBSCRIPTION_TENANT_ID", TENANT),
        ("AZURESUBSCRIPTION_CLIENT_ID", CLIENT),
        ("SYSTEM_OIDCREQUESTURI", &format!("{}/ado/oidc", issuer.url)),
        ("SYSTEM_ACCESSTOKEN", ADO_ACCESS_TOKEN),
        ("AZURE_AUTHORITY_HOST", &issuer.url),
    ];
    let (code, _, err) = run(dir.path(), &pull(&graph, &[]), &env, &[], Some(&issuer));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("needs AZURESUBSCRIPTION_SERVICE_CONNECTION_ID"),
        "{err}"
    );
    let env = [
        &env[..],
        &[("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "sc-1234")],
    ]
    .concat();
    let (code, _, err) = run(dir.path(), &pull(&graph, &[]), &env, &[], Some(&issuer));
    assert_eq!(code, 0, "{err}");
}

/// A CI request URL over plain http to another host is refused: the
/// request token is sent only over https or to loopback.
#[test]
fn ci_request_tokens_go_only_to_https_or_loopback() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &[]),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                "http://127.0.0.1:1@evil.example/x",
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", GH_REQUEST_TOKEN),
            ("AZURE_AUTHORITY_HOST", &issuer.url),
        ],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("ACTIONS_ID_TOKEN_REQUEST_URL must be https:// or a loopback address"),
        "{err}"
    );
    assert!(issuer.log().is_empty());
}

/// The certificate assertion the fake Entra verifies: PS256 signature with
/// the certificate's key, `x5t#S256`, `aud` = the token endpoint, `iss` =
/// `sub` = the client id, a GUID `jti`, at most ten minutes valid.
#[test]
fn certificate_assertion_is_signed_and_addressed_as_entra_documents() {
    for file in ["app-cert.pem", "app-cert-pkcs1.pem"] {
        let (graph, issuer) = setup(&ALL_ROLES);
        issuer.trust_certificate(Path::new(&fixture("app-cert.pem")));
        let dir = tempfile::tempdir().unwrap();
        let (code, _, err) = run(
            dir.path(),
            &pull(&graph, &[]),
            &[
                ("AZURE_TENANT_ID", TENANT),
                ("AZURE_CLIENT_ID", CLIENT),
                ("AZURE_CLIENT_CERTIFICATE_PATH", &fixture(file)),
                ("AZURE_AUTHORITY_HOST", &issuer.url),
            ],
            &[],
            Some(&issuer),
        );
        assert_eq!(code, 0, "{file}: {err}");
        assert!(
            err.contains("certificate (AZURE_CLIENT_CERTIFICATE_PATH)"),
            "{err}"
        );
        let a = issuer.state.lock().unwrap().assertions[0].clone();
        let (header, claims, _, _) = parts(&a).unwrap();
        assert_eq!(header["alg"], "PS256");
        assert_eq!(claims["aud"], issuer.token_url());
        assert!(pulled(dir.path()));
    }
}

/// The fake Entra rejects an assertion for another audience (here: a token
/// endpoint URL that is not its own), and caac says so.
#[test]
fn certificate_assertion_for_the_wrong_audience_is_refused() {
    let (graph, issuer) = setup(&ALL_ROLES);
    issuer.trust_certificate(Path::new(&fixture("app-cert.pem")));
    let dir = tempfile::tempdir().unwrap();
    // The same endpoint, spelled with a query: the assertion's `aud` is the
    // URL caac posts to, which is not the endpoint's own.
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--auth", "certificate"]),
        &[
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_CERTIFICATE_PATH", &fixture("app-cert.pem")),
            (
                "CAAC_TOKEN_URL",
                &format!("{}?tenant={{tenant}}", issuer.token_url()),
            ),
        ],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("AADSTS700016: wrong audience"), "{err}");
    assert!(graph.with(|s| s.log.is_empty()));
}

/// Unreadable certificates: missing, not PEM, key of another certificate,
/// not RSA, encrypted key, PFX password. Exit 2, one message, nothing sent.
#[test]
fn unreadable_certificates_are_refused_before_sending() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("cert.pfx");
    std::fs::write(&junk, [0x30, 0x82, 0x01, 0x00, 0xff]).unwrap();
    let enc = dir.path().join("enc.pem");
    std::fs::write(
        &enc,
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
    )
    .unwrap();
    let missing = dir.path().join("nope.pem");
    for (path, password, want) in [
        (
            missing.to_string_lossy().into_owned(),
            None,
            "cannot read the certificate",
        ),
        (
            junk.to_string_lossy().into_owned(),
            None,
            "is not PEM (a PFX/PKCS#12 file is not read)",
        ),
        (
            fixture("mismatched.pem"),
            None,
            "does not belong to its certificate",
        ),
        (fixture("ec-cert.pem"), None, "is not an RSA key"),
        (enc.to_string_lossy().into_owned(), None, "is encrypted"),
        (
            fixture("app-cert.pem"),
            Some("pw"),
            "AZURE_CLIENT_CERTIFICATE_PASSWORD is set",
        ),
    ] {
        let mut env = vec![
            ("AZURE_TENANT_ID", TENANT),
            ("AZURE_CLIENT_ID", CLIENT),
            ("AZURE_CLIENT_CERTIFICATE_PATH", path.as_str()),
            ("AZURE_AUTHORITY_HOST", issuer.url.as_str()),
        ];
        if let Some(p) = password {
            env.push(("AZURE_CLIENT_CERTIFICATE_PASSWORD", p));
        }
        let (code, _, err) = run(dir.path(), &pull(&graph, &[]), &env, &[], Some(&issuer));
        assert_eq!(code, 2, "{path}: {err}");
        assert!(err.contains(want), "{path}: {err}");
        assert_eq!(
            err.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{err}"
        );
    }
    assert!(issuer.log().is_empty(), "nothing sent");
    assert!(graph.with(|s| s.log.is_empty()));
}

#[test]
fn managed_identity_through_imds_and_the_identity_endpoint() {
    let (graph, issuer) = setup(&ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let imds = format!("{}/metadata/identity/oauth2/token", issuer.url);
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--auth", "managed-identity"]),
        &[("CAAC_TEST_IMDS_ENDPOINT", &imds)],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("managed identity (instance metadata service), system-assigned"),
        "{err}"
    );
    // App Service / Automation: found automatically.
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &[]),
        &[
            ("IDENTITY_ENDPOINT", &format!("{}/msi/token", issuer.url)),
            ("IDENTITY_HEADER", IDENTITY_HEADER),
        ],
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("managed identity (IDENTITY_ENDPOINT)"),
        "{err}"
    );
    // The test override is loopback-only.
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--auth", "managed-identity"]),
        &[("CAAC_TEST_IMDS_ENDPOINT", "http://169.254.169.254.nip.io/x")],
        &[],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("must be a loopback URL"), "{err}");
}

/// A fake `az` on PATH prints a user's token; caac uses it when asked.
fn fake_az(dir: &Path, token: &str) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let az = bin.join("az");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\n[ \"$1 $2 $3 $4\" = \"account get-access-token --resource-type ms-graph\" ] || exit 3\n\
             printf '%s' '{{\"accessToken\": \"{token}\", \"tokenType\": \"Bearer\"}}'\n"
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A user token from `az` reads; it cannot write (its scopes lack
/// Policy.ReadWrite.ConditionalAccess), and apply says so before any write.
/// A 403 from Graph to a user's token explains delegated permissions.
#[cfg(unix)]
#[test]
fn azure_cli_user_token_reads_and_is_refused_for_writes() {
    let user = jwt(
        &json!({"aud": "https://graph.microsoft.com", "exp": now() + 3600,
        "scp": "openid profile User.Read Policy.Read.All", "upn": "admin@contoso.com"}),
    );
    let graph = Fake::start(&user);
    let tools = tempfile::tempdir().unwrap();
    let path = fake_az(tools.path(), &user);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--auth", "azure-cli"]),
        &[("PATH", &path)],
        &[&user],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Azure CLI login"), "{err}");
    // Not chosen unless asked for.
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &[]),
        &[("PATH", &path)],
        &[&user],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no Graph credentials"), "{err}");
    // apply: refused before anything is sent.
    let repo = starter();
    let before = graph.with(|s| s.log.len());
    let (code, _, err) = run(
        repo.path(),
        &[
            "apply",
            "--yes",
            "--auth",
            "azure-cli",
            "--graph-url",
            &graph.url,
            "--pace",
            "0",
        ],
        &[("PATH", &path)],
        &[&user],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lacks Policy.ReadWrite.ConditionalAccess for writing"),
        "{err}"
    );
    assert!(err.contains("user's token"), "{err}");
    assert_eq!(graph.with(|s| s.log.len()), before, "nothing sent");
    // Graph's own 403 to a user's token.
    graph.with(|s| s.faults.push_back((Some("GET"), Fault::Forbidden)));
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--auth", "azure-cli", "-o", "again"]),
        &[("PATH", &path)],
        &[&user],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("a user's token: it needs the delegated permission Policy.Read.All"),
        "{err}"
    );
    assert!(err.contains("Conditional Access Administrator"), "{err}");
}

fn starter() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    for e in std::fs::read_dir(root().join("policies"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(e.path(), dir.path().join("policies").join(e.file_name())).unwrap();
    }
    let tenant = std::fs::read_to_string(root().join("tenant.yaml"))
        .unwrap()
        .replace("00000000-0000-4000-8000-", "0e1f2a3b-0000-4000-8000-");
    std::fs::write(dir.path().join("tenant.yaml"), tenant).unwrap();
    dir
}

/// An app token that may only read: pull works, apply is refused before
/// any request, naming the missing application permissions.
#[test]
fn app_token_without_write_roles_cannot_apply() {
    let token = access_token("https://graph.microsoft.com", &["Policy.Read.All"]);
    let graph = Fake::start(&token);
    let repo = starter();
    let (code, _, err) = run(
        repo.path(),
        &pull(&graph, &["-o", "state"]),
        &[("CAAC_GRAPH_TOKEN", &token)],
        &[&token],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let before = graph.with(|s| s.log.len());
    let (code, _, err) = run(
        repo.path(),
        &["apply", "--yes", "--graph-url", &graph.url, "--pace", "0"],
        &[("CAAC_GRAPH_TOKEN", &token)],
        &[&token],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the access token lacks Policy.ReadWrite.ConditionalAccess for writing"),
        "{err}"
    );
    assert!(err.contains("application permissions"), "{err}");
    assert_eq!(graph.with(|s| s.log.len()), before, "nothing sent");
    assert_eq!(graph.writes(), 0);
}

/// `pull --members` also reads group members and role assignments: an app
/// token without GroupMember.Read.All (least privileged on
/// <https://learn.microsoft.com/graph/api/group-list-transitivemembers#permissions>)
/// and RoleManagement.Read.Directory (least privileged on
/// <https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments#permissions>)
/// is refused before any request, naming both; with them, or with
/// Directory.Read.All (a higher-privileged alternative on both pages), the
/// pull proceeds and writes the members file.
#[test]
fn pull_members_needs_group_and_role_permissions_before_any_request() {
    const GROUP: &str = "0e1f2a3b-0000-4000-8000-0000000000a7";
    // Global Administrator's template id (the list-roleAssignments example).
    const ROLE: &str = "62e90394-69f5-4237-9190-012177145e10";
    const USER: &str = "0e1f2a3b-0000-4000-8000-0000000000b8";
    let seed = |graph: &Fake| {
        graph.with(|s| {
            s.policies.insert(
                "0e1f2a3b-0000-4000-8000-0000000000c9".into(),
                json!({
                    "id": "0e1f2a3b-0000-4000-8000-0000000000c9",
                    "displayName": "MFA for the pilot and admins",
                    "state": "enabled",
                    "conditions": {
                        "users": {"includeGroups": [GROUP], "includeRoles": [ROLE]},
                        "applications": {"includeApplications": ["All"]},
                        "clientAppTypes": ["all"]
                    },
                    "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
                }),
            );
            s.groups.insert(
                GROUP.into(),
                vec![json!({"@odata.type": "#microsoft.graph.user", "id": USER})],
            );
            s.role_assignments = vec![json!({"id": "r1", "roleDefinitionId": ROLE,
                "directoryScopeId": "/", "principalId": USER,
                "principal": {"@odata.type": "#microsoft.graph.user", "id": USER}})];
        });
    };
    let pull_members = |roles: &[&str]| {
        let token = access_token("https://graph.microsoft.com", roles);
        let graph = Fake::start(&token);
        seed(&graph);
        let dir = tempfile::tempdir().unwrap();
        let (code, out, err) = run(
            dir.path(),
            &pull(&graph, &["-o", "state", "--members", "members.json"]),
            &[("CAAC_GRAPH_TOKEN", &token)],
            &[&token],
            None,
        );
        let requests = graph.with(|s| s.log.len());
        let members = std::fs::read_to_string(dir.path().join("members.json")).ok();
        (
            code,
            format!("{out}{err}"),
            requests,
            members,
            pulled(dir.path()),
        )
    };

    // Only the policy permission: refused, nothing asked, nothing written.
    let (code, err, requests, members, state) = pull_members(&["Policy.Read.All"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("the access token lacks GroupMember.Read.All, RoleManagement.Read.Directory for reading Conditional Access policies and the members of the groups and roles they use (pull --members)"),
        "{err}"
    );
    assert!(err.contains("application permissions"), "{err}");
    assert_eq!(requests, 0, "nothing sent");
    assert!(members.is_none() && !state);

    // Groups but not roles: the role permission is named alone.
    let (code, err, requests, ..) = pull_members(&["Policy.Read.All", "GroupMember.Read.All"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("lacks RoleManagement.Read.Directory for"),
        "{err}"
    );
    assert!(!err.contains("lacks GroupMember"), "{err}");
    assert_eq!(requests, 0, "nothing sent");

    // The least-privileged set, and Directory.Read.All: both proceed.
    for roles in [
        &[
            "Policy.Read.All",
            "GroupMember.Read.All",
            "RoleManagement.Read.Directory",
        ][..],
        &["Policy.Read.All", "Directory.Read.All"][..],
    ] {
        let (code, err, requests, members, state) = pull_members(roles);
        assert_eq!(code, 0, "{roles:?}: {err}");
        assert!(requests > 0 && state, "{roles:?}");
        let members: Value = serde_json::from_str(&members.expect("members.json")).unwrap();
        assert_eq!(members["groups"][GROUP], json!([USER]), "{roles:?}");
        assert_eq!(members["roles"][ROLE], json!([USER]), "{roles:?}");
    }
}

/// A token for another resource, or an expired one, is refused before
/// Graph is asked.
#[test]
fn wrong_audience_or_expired_access_token_is_refused_early() {
    let graph = Fake::start("unused");
    let dir = tempfile::tempdir().unwrap();
    let arm = access_token("https://management.azure.com", &ALL_ROLES);
    let expired = jwt(
        &json!({"aud": "https://graph.microsoft.com", "exp": now() - 7200,
        "roles": ALL_ROLES}),
    );
    for (token, want) in [
        (
            &arm,
            "the access token is for `https://management.azure.com`, not Microsoft Graph",
        ),
        (&expired, "the access token expires 120 min ago"),
    ] {
        let (code, _, err) = run(
            dir.path(),
            &pull(&graph, &[]),
            &[("CAAC_GRAPH_TOKEN", token)],
            &[token],
            None,
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains(want), "{err}");
    }
    assert!(graph.with(|s| s.log.is_empty()));
}

/// `--cloud` changes the scope asked for and the audience expected
/// together (a US Government token for a public-cloud run is refused).
#[test]
fn cloud_sets_scope_and_expected_audience() {
    let token = access_token("https://dod-graph.microsoft.us", &ALL_ROLES);
    let graph = Fake::start(&token);
    let issuer = Issuer::start(&token);
    issuer.state.lock().unwrap().scope = "https://dod-graph.microsoft.us/.default".into();
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_CLIENT_ID", CLIENT),
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_AUTHORITY_HOST", issuer.url.as_str()),
    ];
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--cloud", "dod"]),
        &env,
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--cloud", "public"]),
        &env,
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid_scope"), "{err}");
}

/// `deploy.cloud` in `.caac.yaml` picks the cloud when `--cloud` is not
/// given; `--cloud` wins; a config that does not load stops pull (it might
/// have named another cloud).
#[test]
fn config_file_names_the_cloud() {
    let token = access_token("https://dod-graph.microsoft.us", &ALL_ROLES);
    let graph = Fake::start(&token);
    let issuer = Issuer::start(&token);
    issuer.state.lock().unwrap().scope = "https://dod-graph.microsoft.us/.default".into();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".caac.yaml"), "deploy:\n  cloud: dod\n").unwrap();
    let env = [
        ("AZURE_TENANT_ID", TENANT),
        ("AZURE_CLIENT_ID", CLIENT),
        ("AZURE_CLIENT_SECRET", SECRET),
        ("AZURE_AUTHORITY_HOST", issuer.url.as_str()),
    ];
    let (code, _, err) = run(dir.path(), &pull(&graph, &[]), &env, &[], Some(&issuer));
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(
        dir.path(),
        &pull(&graph, &["--cloud", "public"]),
        &env,
        &[],
        Some(&issuer),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("invalid_scope"), "{err}");
    std::fs::write(dir.path().join(".caac.yaml"), "deploy:\n  cloud: dodd\n").unwrap();
    let before = issuer.log().len();
    let (code, _, err) = run(dir.path(), &pull(&graph, &[]), &env, &[], Some(&issuer));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(".caac.yaml:2:10"), "{err}");
    assert!(err.contains("did you mean `dod`?"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert_eq!(err.matches("error").count(), 1, "one error: {err}");
    assert_eq!(issuer.log().len(), before, "nothing sent");
}

/// HTTPS_PROXY is honoured: caac asks the proxy to CONNECT to Graph's
/// host (TLS then runs end to end, so the proxy never sees the token).
/// The fake proxy refuses, so nothing leaves the machine.
#[test]
fn https_proxy_is_used_for_graph() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(String::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut r = BufReader::new(stream.try_clone().unwrap());
            let mut all = String::new();
            loop {
                let mut l = String::new();
                if r.read_line(&mut l).unwrap_or(0) == 0 || l.trim().is_empty() {
                    break;
                }
                all.push_str(&l);
            }
            log.lock().unwrap().push_str(&all);
            let mut s = stream;
            let _ = s.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let token = access_token("https://graph.microsoft.com", &ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        dir.path(),
        &["pull", "--pace", "0", "--timeout", "5"],
        &[("CAAC_GRAPH_TOKEN", &token), ("HTTPS_PROXY", &proxy)],
        &[&token],
        None,
    );
    assert_eq!(code, 2, "{err}");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.starts_with("CONNECT graph.microsoft.com:443 HTTP/1.1"),
        "{seen}"
    );
    assert!(!seen.contains(&token), "the proxy never sees the token");
}

/// An HTTPS Graph on loopback whose certificate is issued by a private root
/// (`tls-ca.pem`), as behind a corporate TLS-inspection proxy; it answers
/// every GET with an empty collection.
fn tls_graph() -> String {
    use rustls_pki_types::pem::PemObject as _;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let pem = std::fs::read(fixture("tls-server.pem")).unwrap();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
        .map(|c| c.unwrap())
        .collect();
    let key = PrivateKeyDer::from_pem_slice(&pem).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap(),
    );
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "https://127.0.0.1:{}",
        listener.local_addr().unwrap().port()
    );
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(conn) = rustls::ServerConnection::new(config) else {
                    return;
                };
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                {
                    let mut r = BufReader::new(&mut tls);
                    loop {
                        let mut l = String::new();
                        if r.read_line(&mut l).unwrap_or(0) == 0 || l.trim().is_empty() {
                            break;
                        }
                    }
                }
                let body = r#"{"value": []}"#;
                let _ = write!(
                    tls,
                    "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.flush();
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    url
}

/// The platform's certificate store is trusted as well as Mozilla's roots:
/// a root installed on the machine (here through `SSL_CERT_FILE`, which the
/// platform store honours) makes an inspected connection work; without it
/// the same server is refused.
#[test]
fn platform_certificate_store_is_trusted_too() {
    let graph = tls_graph();
    let token = access_token("https://graph.microsoft.com", &ALL_ROLES);
    let dir = tempfile::tempdir().unwrap();
    let base = [
        "pull",
        "--graph-url",
        graph.as_str(),
        "--pace",
        "0",
        "--timeout",
        "5",
    ];
    let ca = fixture("tls-ca.pem");
    let (code, _, err) = run(
        dir.path(),
        &base,
        &[("CAAC_GRAPH_TOKEN", &token), ("SSL_CERT_FILE", &ca)],
        &[&token],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(pulled(dir.path()));
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let (code, _, err) = run(
        dir.path(),
        &[&base[..], &["-o", "other"]].concat(),
        &[
            ("CAAC_GRAPH_TOKEN", &token),
            ("SSL_CERT_FILE", &empty.to_string_lossy()),
        ],
        &[&token],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("UnknownIssuer"), "{err}");
    assert!(err.contains("point SSL_CERT_FILE at it"), "{err}");
    // A certificate file that cannot be read is said once, not hidden.
    let (code, _, err) = run(
        dir.path(),
        &[&base[..], &["-o", "third"]].concat(),
        &[
            ("CAAC_GRAPH_TOKEN", &token),
            (
                "SSL_CERT_FILE",
                &dir.path().join("missing.pem").to_string_lossy(),
            ),
        ],
        &[&token],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(
        err.matches("the platform's certificate store was not read completely")
            .count(),
        1,
        "{err}"
    );
}
