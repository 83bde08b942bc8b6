//! A stateful fake Microsoft Graph on loopback for the deploy tests: CA
//! policies, named locations and authentication strengths in memory, paging
//! with `@odata.nextLink`, a token endpoint, and injected faults (429 with
//! Retry-After, 500, slow answers, bodies caac cannot read, expired tokens,
//! a write refused with Graph's error body, a hang after N writes so a test
//! can kill `caac apply` half-way).
//!
//! One thread per connection, one request per connection (`Connection: close`).
//!
//! PATCH behaves as Graph documents it: "Existing properties that aren't
//! included in the request body maintain their previous values"
//! (<https://learn.microsoft.com/graph/api/conditionalaccesspolicy-update>),
//! with OData's merge rules for what the body does carry: "Collection
//! properties and primitive properties provided in the payload ... MUST
//! replace the value", "Complex properties are updated by applying PATCH
//! semantics recursively", and an explicit `null` clears
//! (<https://docs.oasis-open.org/odata/odata/v4.01/odata-v4.01-part1-protocol.html#sec_UpdateanEntity>).

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// An injected fault, consumed by the next request that matches its method
/// (`"GET"`) or its method and path prefix (`"GET /beta/identity/..."`).
#[derive(Debug, Clone)]
pub enum Fault {
    /// 429 with `Retry-After: n`.
    TooMany(u64),
    /// 500 (the request is not processed).
    ServerError,
    /// Process the request, then wait this long before answering (a timeout
    /// on the client; a POST has then happened although caac did not hear so).
    Slow(Duration),
    /// 200 with an HTML body.
    Garbage,
    /// 200 with JSON of the wrong shape.
    WrongShape,
    /// 404, as Graph answers a read right after a create (eventual consistency).
    NotFound,
    /// 403, as Graph answers an app registration without the permission.
    Forbidden,
    /// 503 with `Retry-After: n` (the request is not processed), as Graph
    /// answers while it is busy (<https://learn.microsoft.com/graph/errors>).
    Unavailable(u64),
    /// A write Graph refuses: this status (400: "Can't process the request
    /// because it's malformed or incorrect") with Graph's error body
    /// `{"error": {"code", "message", "innerError"}}`
    /// (<https://learn.microsoft.com/graph/errors>); nothing is stored.
    Rejected(u16, &'static str, &'static str),
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub body: Option<Value>,
    pub prefer: Option<String>,
    pub authorization: Option<String>,
}

/// The server's state.
#[derive(Debug, Default)]
pub struct State {
    pub token: String,
    pub policies: BTreeMap<String, Value>,
    pub named_locations: Vec<Value>,
    pub strengths: Vec<Value>,
    pub page_size: usize,
    pub faults: VecDeque<(Option<&'static str>, Fault)>,
    pub log: Vec<Seen>,
    /// Writes (POST/PATCH/DELETE) processed.
    pub writes: usize,
    /// After this many writes, process further writes but never answer.
    pub hang_after_writes: Option<usize>,
    pub next_id: u64,
    /// Answer reads with every list reversed and GUIDs upper-cased: Graph
    /// treats these lists as sets and GUIDs case-insensitively, so caac must too.
    pub scramble: bool,
    /// Origin written into `@odata.nextLink` instead of the server's own (a
    /// hostile or broken server pointing caac elsewhere).
    pub next_link_base: Option<String>,
    /// Group id → direct members (`{"@odata.type": "#microsoft.graph.user"|"…group", "id"}`);
    /// `transitiveMembers` flattens nested groups, as Graph does
    /// (<https://learn.microsoft.com/graph/api/group-list-transitivemembers>).
    pub groups: BTreeMap<String, Vec<Value>>,
    /// Directory role assignments (`roleDefinitionId`, `directoryScopeId`,
    /// `principalId`, `principal`); `principal` is returned only with
    /// `$expand=principal`
    /// (<https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments>).
    pub role_assignments: Vec<Value>,
}

/// Transitive members of `id` (nested groups flattened, each once).
fn transitive(groups: &BTreeMap<String, Vec<Value>>, id: &str) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut todo = vec![id.to_ascii_lowercase()];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(g) = todo.pop() {
        if !seen.insert(g.clone()) {
            continue;
        }
        for m in groups.get(&g).into_iter().flatten() {
            if !out.contains(m) {
                out.push(m.clone());
            }
            if m["@odata.type"] == "#microsoft.graph.group" {
                todo.push(m["id"].as_str().unwrap_or_default().to_ascii_lowercase());
            }
        }
    }
    out
}

/// A page whose `@odata.nextLink` keeps the query (`$filter`, `$expand`).
fn page_with_query(
    items: &[Value],
    skip: usize,
    size: usize,
    base: &str,
    path: &str,
    query: &str,
) -> Value {
    let end = (skip + size).min(items.len());
    let mut v = json!({"value": items[skip.min(items.len())..end]});
    if end < items.len() {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|kv| !kv.is_empty() && !kv.starts_with("$skiptoken="))
            .collect();
        v["@odata.nextLink"] = format!("{base}{path}?{}&$skiptoken={end}", kept.join("&")).into();
    }
    v
}

/// A running fake.
pub struct Fake {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

impl Fake {
    pub fn start(token: &str) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            page_size: 100,
            next_id: 1,
            ..State::default()
        }));
        let (s, u) = (state.clone(), url.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, u) = (s.clone(), u.clone());
                std::thread::spawn(move || handle(stream, &s, &u));
            }
        });
        Fake { url, state }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Policies by display name (sorted), as stored.
    pub fn policies(&self) -> Vec<Value> {
        let mut v: Vec<Value> = self.with(|s| s.policies.values().cloned().collect());
        v.sort_by_key(|p| p["displayName"].as_str().unwrap_or_default().to_owned());
        v
    }

    pub fn writes(&self) -> usize {
        self.with(|s| s.writes)
    }
}

const LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";
const STRENGTHS: &str = "/identity/conditionalAccess/authenticationStrength/policies";

impl State {
    fn new_id(&mut self) -> String {
        let id = format!("{:08x}-0000-4000-8000-{:012x}", self.next_id, self.next_id);
        self.next_id += 1;
        id
    }

    /// The policies (display names) whose body names `id`.
    fn users_of(&self, id: &str) -> Vec<String> {
        fn mentions(v: &Value, id: &str) -> bool {
            match v {
                Value::String(s) => s.eq_ignore_ascii_case(id),
                Value::Array(a) => a.iter().any(|x| mentions(x, id)),
                Value::Object(m) => m.values().any(|x| mentions(x, id)),
                _ => false,
            }
        }
        self.policies
            .values()
            .filter(|p| mentions(p, id))
            .map(|p| p["displayName"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

/// GET, PATCH, DELETE of one named location or strength, and a strength's
/// `updateAllowedCombinations` action.
/// - PATCH keeps what its body leaves out and merges nested values
///   ([`merge_patch`]); a named location's PATCH must carry its
///   `@odata.type` (https://learn.microsoft.com/graph/api/ipnamedlocation-update);
///   a strength's PATCH cannot change `allowedCombinations`: "You cannot
///   update the allowed auth method combinations using this request"
///   (https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-update),
///   which the action does, answering an `updateAllowedCombinationsResult`
///   (https://learn.microsoft.com/graph/api/authenticationstrengthpolicy-updateallowedcombinations).
/// - A built-in strength cannot be changed or deleted ("You can't update a
///   built-in authenticationStrengthPolicy object",
///   https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy).
/// - DELETE of an object a policy still uses is refused with 400. The Learn
///   delete pages (https://learn.microsoft.com/graph/api/namedlocation-delete)
///   do not describe this answer; the fake refuses so that a caac that
///   deleted in the wrong order would fail here, as the portal refuses it.
fn object(s: &mut State, method: &str, rest: &str, body: &str) -> (u16, String) {
    let locations = rest.starts_with(LOCATIONS);
    let mut parts = rest
        .strip_prefix(if locations { LOCATIONS } else { STRENGTHS })
        .unwrap_or_default()
        .trim_start_matches('/')
        .split('/');
    let id = parts.next().unwrap_or_default().to_ascii_lowercase();
    let action = parts.next();
    let list = if locations {
        &mut s.named_locations
    } else {
        &mut s.strengths
    };
    let Some(at) = list.iter().position(|o| {
        o["id"]
            .as_str()
            .is_some_and(|i| i.eq_ignore_ascii_case(&id))
    }) else {
        return (404, error("ResourceNotFound", "Object not found"));
    };
    let builtin = list[at]["policyType"] == "builtIn";
    match (method, action) {
        ("GET", None) => (200, list[at].to_string()),
        (_, _) if builtin && method != "GET" => (
            400,
            error(
                "BadRequest",
                "A built-in authentication strength cannot be changed",
            ),
        ),
        ("PATCH", None) => match serde_json::from_str::<Map<String, Value>>(body) {
            Ok(patch) if locations && !patch.contains_key("@odata.type") => (
                400,
                error(
                    "BadRequest",
                    "The @odata.type of the named location is required",
                ),
            ),
            Ok(patch) if !locations && patch.contains_key("allowedCombinations") => (
                400,
                error(
                    "BadRequest",
                    "allowedCombinations is updated with the updateAllowedCombinations action",
                ),
            ),
            Ok(patch) => {
                merge_patch(list[at].as_object_mut().unwrap(), patch);
                list[at]["modifiedDateTime"] = "2026-11-28T00:00:00Z".into();
                (204, String::new())
            }
            Err(_) => (400, error("BadRequest", "Invalid body")),
        },
        ("POST", Some("updateAllowedCombinations")) if !locations => {
            match serde_json::from_str::<Value>(body) {
                Ok(v) if v["allowedCombinations"].is_array() => {
                    let previous = list[at]["allowedCombinations"].clone();
                    list[at]["allowedCombinations"] = v["allowedCombinations"].clone();
                    let result = json!({
                        "@odata.type": "#microsoft.graph.updateAllowedCombinationsResult",
                        "previousCombinations": previous,
                        "currentCombinations": v["allowedCombinations"],
                        "conditionalAccessReferences": [],
                        "additionalInformation": null
                    });
                    (200, result.to_string())
                }
                _ => (400, error("BadRequest", "Invalid body")),
            }
        }
        ("DELETE", None) => {
            let users = s.users_of(&id);
            if !users.is_empty() {
                return (
                    400,
                    error(
                        "BadRequest",
                        &format!("The object is used by policies: {}", users.join(", ")),
                    ),
                );
            }
            let list = if locations {
                &mut s.named_locations
            } else {
                &mut s.strengths
            };
            list.remove(at);
            (204, String::new())
        }
        _ => (405, error("MethodNotAllowed", "")),
    }
}

fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &str) {
    let reason = match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        204 => "No Content",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut head = format!(
        "HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body.as_bytes());
    let _ = stream.flush();
}

fn error(code: &str, message: &str) -> String {
    json!({"error": {"code": code, "message": message, "innerError": {"request-id": "00000000-0000-0000-0000-000000000000"}}}).to_string()
}

/// What Graph adds to a stored policy when it is read: nulls for unset
/// blocks, `AND` collapsed to `OR` for a single requirement, ids.
fn as_graph(p: &Value, scramble: bool) -> Value {
    let mut p = if scramble { scrambled(p) } else { p.clone() };
    let o = p.as_object_mut().unwrap();
    o.entry("sessionControls").or_insert(Value::Null);
    o.entry("grantControls").or_insert(Value::Null);
    o.insert("modifiedDateTime".into(), Value::Null);
    if let Some(Value::Object(c)) = o.get_mut("conditions") {
        for k in ["platforms", "locations", "devices", "clientApplications"] {
            c.entry(k).or_insert(Value::Null);
        }
        c.entry("signInRiskLevels").or_insert(json!([]));
        c.entry("userRiskLevels").or_insert(json!([]));
    }
    if let Some(Value::Object(g)) = o.get_mut("grantControls") {
        let n = g
            .get("builtInControls")
            .and_then(Value::as_array)
            .map_or(0, Vec::len)
            + usize::from(
                g.get("authenticationStrength")
                    .is_some_and(|v| !v.is_null()),
            );
        if n <= 1 {
            g.insert("operator".into(), "OR".into());
        }
        g.entry("termsOfUse").or_insert(json!([]));
        g.entry("customAuthenticationFactors").or_insert(json!([]));
    }
    p
}

fn scrambled(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), scrambled(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().rev().map(scrambled).collect()),
        Value::String(s) if s.len() == 36 && s.matches('-').count() == 4 => {
            Value::String(s.to_ascii_uppercase())
        }
        other => other.clone(),
    }
}

fn page(items: &[Value], skip: usize, size: usize, base: &str, path: &str) -> Value {
    let end = (skip + size).min(items.len());
    let mut v = json!({
        "@odata.context": format!("{base}/beta/$metadata#identity/conditionalAccess/policies"),
        "value": items[skip.min(items.len())..end],
    });
    if end < items.len() {
        v["@odata.nextLink"] = format!("{base}{path}?$skiptoken={end}").into();
    }
    v
}

/// Method, target, headers and body of one request.
pub(crate) type RawRequest = (String, String, BTreeMap<String, String>, Vec<u8>);

/// One HTTP/1.1 request as the loopback fakes see it: request line, headers
/// (names lower-cased) and the body of `Content-Length` bytes. `None` when
/// the connection closed before a request line.
pub(crate) fn read_request(stream: &TcpStream) -> Option<RawRequest> {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let mut headers = BTreeMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    let _ = reader.read_exact(&mut body);
    Some((method, target, headers, body))
}

fn handle(mut stream: TcpStream, state: &Arc<Mutex<State>>, base: &str) {
    let Some((method, target, headers, body)) = read_request(&stream) else {
        return;
    };
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let path = path.to_owned();
    let skip: usize = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("$skiptoken="))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);

    let mut s = state.lock().unwrap();
    s.log.push(Seen {
        method: method.clone(),
        path: target.clone(),
        body: serde_json::from_str(&body_text).ok(),
        prefer: headers.get("prefer").cloned(),
        authorization: headers.get("authorization").cloned(),
    });
    if path == "/token" {
        let token = s.token.clone();
        drop(s);
        if body_text.contains("client_secret=")
            && body_text.contains("grant_type=client_credentials")
        {
            respond(
                &mut stream,
                200,
                &[],
                &json!({"token_type": "Bearer", "expires_in": 3599, "access_token": token})
                    .to_string(),
            );
        } else {
            respond(
                &mut stream,
                400,
                &[],
                &json!({"error": "invalid_request"}).to_string(),
            );
        }
        return;
    }
    let fault = s
        .faults
        .iter()
        .position(|(m, _)| {
            m.is_none_or(|m| m == method || format!("{method} {path}").starts_with(m))
        })
        .and_then(|i| s.faults.remove(i))
        .map(|(_, f)| f);
    match &fault {
        Some(Fault::TooMany(n)) => {
            drop(s);
            return respond(
                &mut stream,
                429,
                &[("Retry-After", n.to_string())],
                &error("TooManyRequests", "Too many requests"),
            );
        }
        Some(Fault::Unavailable(n)) => {
            drop(s);
            return respond(
                &mut stream,
                503,
                &[("Retry-After", n.to_string())],
                &error("ServiceUnavailable", "The service is busy"),
            );
        }
        Some(Fault::Rejected(status, code, message)) => {
            let (status, body) = (*status, error(code, message));
            drop(s);
            return respond(&mut stream, status, &[], &body);
        }
        Some(Fault::ServerError) => {
            drop(s);
            return respond(
                &mut stream,
                500,
                &[],
                &error("InternalServerError", "Something went wrong"),
            );
        }
        Some(Fault::Garbage) => {
            drop(s);
            return respond(
                &mut stream,
                200,
                &[],
                "<html><body>Sign in to continue</body></html>",
            );
        }
        Some(Fault::Forbidden) => {
            drop(s);
            return respond(
                &mut stream,
                403,
                &[],
                &error(
                    "Authorization_RequestDenied",
                    "Insufficient privileges to complete the operation.",
                ),
            );
        }
        Some(Fault::NotFound) => {
            drop(s);
            return respond(
                &mut stream,
                404,
                &[],
                &error("ResourceNotFound", "Policy not found"),
            );
        }
        Some(Fault::WrongShape) => {
            drop(s);
            return respond(&mut stream, 200, &[], "{\"policies\": 3}");
        }
        _ => {}
    }
    if headers.get("authorization") != Some(&format!("Bearer {}", s.token)) {
        drop(s);
        return respond(
            &mut stream,
            401,
            &[],
            &error(
                "InvalidAuthenticationToken",
                "Lifetime validation failed, the token is expired.",
            ),
        );
    }
    let base = s.next_link_base.clone().unwrap_or_else(|| base.to_owned());
    let base = base.as_str();
    let rest = path
        .strip_prefix("/v1.0")
        .or_else(|| path.strip_prefix("/beta"))
        .unwrap_or("");
    // v1.0's strength collection and beta's older path are one collection
    // (https://learn.microsoft.com/graph/api/resources/authenticationstrengthpolicy).
    let rest = match rest.strip_prefix("/policies/authenticationStrengthPolicies") {
        Some(tail) => format!("{STRENGTHS}{tail}"),
        None => rest.to_owned(),
    };
    let rest = rest.as_str();
    let is_write = matches!(method.as_str(), "POST" | "PATCH" | "DELETE");
    let (status, out): (u16, String) = match (method.as_str(), rest) {
        ("GET", "/identity/conditionalAccess/policies") => {
            let items: Vec<Value> = s
                .policies
                .values()
                .map(|p| as_graph(p, s.scramble))
                .collect();
            (
                200,
                page(&items, skip, s.page_size, base, &path).to_string(),
            )
        }
        ("GET", LOCATIONS) => (
            200,
            page(&s.named_locations, skip, s.page_size, base, &path).to_string(),
        ),
        ("GET", STRENGTHS) => (
            200,
            page(&s.strengths, skip, s.page_size, base, &path).to_string(),
        ),
        ("POST", "/identity/conditionalAccess/policies") => {
            match serde_json::from_str::<Value>(&body_text) {
                Ok(Value::Object(mut m)) => {
                    let id = format!("{:08x}-0000-4000-8000-{:012x}", s.next_id, s.next_id);
                    s.next_id += 1;
                    m.insert("id".into(), id.clone().into());
                    m.insert("createdDateTime".into(), "2026-11-27T00:00:00Z".into());
                    let v = Value::Object(m);
                    s.policies.insert(id, v.clone());
                    (201, as_graph(&v, s.scramble).to_string())
                }
                _ => (400, error("BadRequest", "Invalid body")),
            }
        }
        (m, r) if r.starts_with("/identity/conditionalAccess/policies/") => {
            let scramble = s.scramble;
            // Object ids are case-insensitive.
            let id = r
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            match (m, s.policies.get_mut(&id)) {
                (_, None) => (404, error("ResourceNotFound", "Policy not found")),
                ("GET", Some(p)) => (200, as_graph(p, scramble).to_string()),
                ("PATCH", Some(p)) => {
                    match serde_json::from_str::<Map<String, Value>>(&body_text) {
                        Ok(patch) => {
                            merge_patch(p.as_object_mut().unwrap(), patch);
                            (204, String::new())
                        }
                        Err(_) => (400, error("BadRequest", "Invalid body")),
                    }
                }
                ("DELETE", Some(_)) => {
                    s.policies.remove(&id);
                    (204, String::new())
                }
                _ => (405, error("MethodNotAllowed", "")),
            }
        }
        ("GET", r)
            if r.starts_with("/groups/")
                && r.ends_with("/transitiveMembers/microsoft.graph.user") =>
        {
            let id = r.split('/').nth(2).unwrap_or_default().to_ascii_lowercase();
            if s.groups.contains_key(&id) {
                let users: Vec<Value> = transitive(&s.groups, &id)
                    .into_iter()
                    .filter(|m| m["@odata.type"] == "#microsoft.graph.user")
                    .map(|m| json!({"id": m["id"]}))
                    .collect();
                (
                    200,
                    page_with_query(&users, skip, s.page_size, base, &path, query).to_string(),
                )
            } else {
                (404, error("Request_ResourceNotFound", "no such group"))
            }
        }
        ("GET", "/roleManagement/directory/roleAssignments") => {
            // Clients percent-encode the quotes (`%27`); Graph decodes them.
            let decoded = query.replace("%27", "'");
            let wanted = decoded
                .split('&')
                .find_map(|kv| kv.strip_prefix("$filter=roleDefinitionId%20eq%20'"))
                .map(|v| v.trim_end_matches('\'').to_ascii_lowercase());
            let expand = decoded.split('&').any(|kv| kv == "$expand=principal");
            let items: Vec<Value> = s
                .role_assignments
                .iter()
                .filter(|a| {
                    wanted.as_deref().is_none_or(|w| {
                        a["roleDefinitionId"]
                            .as_str()
                            .unwrap_or_default()
                            .eq_ignore_ascii_case(w)
                    })
                })
                .map(|a| {
                    let mut a = a.clone();
                    if !expand {
                        a.as_object_mut().unwrap().remove("principal");
                    }
                    a
                })
                .collect();
            (
                200,
                page_with_query(&items, skip, s.page_size, base, &path, query).to_string(),
            )
        }
        ("POST", LOCATIONS) => match serde_json::from_str::<Value>(&body_text) {
            // A named location is created with its `@odata.type`
            // (https://learn.microsoft.com/graph/api/conditionalaccessroot-post-namedlocations).
            Ok(Value::Object(mut m)) if m.get("@odata.type").is_some_and(Value::is_string) => {
                let id = s.new_id();
                m.insert("id".into(), id.into());
                m.insert("createdDateTime".into(), "2026-11-27T00:00:00Z".into());
                m.insert("modifiedDateTime".into(), Value::Null);
                let v = Value::Object(m);
                s.named_locations.push(v.clone());
                (201, v.to_string())
            }
            _ => (400, error("BadRequest", "Invalid body")),
        },
        ("POST", STRENGTHS) => match serde_json::from_str::<Value>(&body_text) {
            Ok(Value::Object(mut m)) => {
                let id = s.new_id();
                m.insert("id".into(), id.into());
                m.insert("policyType".into(), "custom".into());
                m.insert("requirementsSatisfied".into(), "mfa".into());
                m.insert("createdDateTime".into(), "2026-11-27T00:00:00Z".into());
                m.insert("modifiedDateTime".into(), "2026-11-27T00:00:00Z".into());
                m.entry("description").or_insert(Value::Null);
                m.entry("combinationConfigurations").or_insert(json!([]));
                let v = Value::Object(m);
                s.strengths.push(v.clone());
                (201, v.to_string())
            }
            _ => (400, error("BadRequest", "Invalid body")),
        },
        (m, r)
            if r.starts_with(&format!("{LOCATIONS}/"))
                || r.starts_with(&format!("{STRENGTHS}/")) =>
        {
            object(&mut s, m, r, &body_text)
        }
        _ => (404, error("ResourceNotFound", "no such path")),
    };
    if is_write && status < 300 {
        s.writes += 1;
        if s.hang_after_writes.is_some_and(|n| s.writes > n) {
            // The write happened; the answer never comes (the client is killed).
            drop(s);
            std::thread::sleep(Duration::from_secs(60));
            return;
        }
    }
    drop(s);
    if let Some(Fault::Slow(d)) = fault {
        std::thread::sleep(d);
    }
    respond(&mut stream, status, &[], &out);
}

/// Graph's PATCH (see the module comment): properties the body leaves out
/// are kept; a nested complex value is merged recursively; a collection or
/// primitive replaces; `null` clears. `authenticationStrength` is a
/// navigation property (CSDL `NavigationProperty ... ContainsTarget`), not a
/// complex value: the body's reference replaces the old one. A complex value
/// of another `@odata.type` (the abstract `externalTenants`) replaces too:
/// its properties belong to the old type.
pub fn merge_patch(target: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (k, v) in patch {
        match v {
            Value::Null => {
                target.remove(&k);
            }
            Value::Object(p) if k != "authenticationStrength" => {
                let merged = match target.remove(&k) {
                    Some(Value::Object(mut t))
                        if t.get("@odata.type") == p.get("@odata.type")
                            || !p.contains_key("@odata.type") =>
                    {
                        merge_patch(&mut t, p);
                        t
                    }
                    _ => {
                        let mut t = Map::new();
                        merge_patch(&mut t, p);
                        t
                    }
                };
                target.insert(k, Value::Object(merged));
            }
            other => {
                target.insert(k, other);
            }
        }
    }
}

/// The fake's PATCH keeps, merges, replaces and clears as Graph documents.
#[test]
fn fake_patch_merges_like_graph() {
    let mut stored = json!({
        "displayName": "x", "state": "enabled", "description": "kept",
        "conditions": {
            "users": {"includeUsers": ["All"], "excludeGroups": ["g1", "g2"], "excludeUsers": ["u1"]},
            "platforms": {"includePlatforms": ["all"]},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"], "authenticationStrength": {"id": "s1", "displayName": "S1"}},
        "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 4}, "persistentBrowser": {"isEnabled": true, "mode": "never"}}
    });
    let Value::Object(patch) = json!({
        "state": "disabled",
        "conditions": {"users": {"excludeGroups": ["g1"]}, "platforms": null},
        "grantControls": {"authenticationStrength": {"id": "s2"}, "builtInControls": []},
        "sessionControls": {"persistentBrowser": null, "signInFrequency": {"value": 8}}
    }) else {
        unreachable!()
    };
    merge_patch(stored.as_object_mut().unwrap(), patch);
    assert_eq!(
        stored,
        json!({
            "displayName": "x", "state": "disabled", "description": "kept",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeGroups": ["g1"], "excludeUsers": ["u1"]},
                "clientAppTypes": ["all"]
            },
            "grantControls": {"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "s2"}},
            "sessionControls": {"signInFrequency": {"isEnabled": true, "type": "hours", "value": 8}}
        })
    );
}

/// The fake's objects: PATCH of a location keeps what it leaves out and
/// needs its `@odata.type`; a strength's PATCH cannot carry
/// `allowedCombinations` (the action replaces them); a built-in strength is
/// never changed; DELETE of a location a policy uses is refused.
#[test]
fn fake_objects_behave_like_graph() {
    let mut s = State::default();
    let nl = "11111111-2222-4333-8444-555555555555";
    s.named_locations.push(json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "id": nl, "displayName": "HQ", "isTrusted": true, "ipRanges": [{"cidrAddress": "203.0.113.0/24"}]}));
    s.strengths.push(json!({"id": "s1", "displayName": "S", "policyType": "custom", "allowedCombinations": ["fido2"]}));
    s.strengths.push(json!({"id": "b1", "displayName": "B", "policyType": "builtIn", "allowedCombinations": ["fido2"]}));
    s.policies.insert("p1".into(), json!({"id": "p1", "displayName": "P", "conditions": {"locations": {"excludeLocations": [nl.to_uppercase()]}}}));
    let loc = format!("{LOCATIONS}/{nl}");
    assert_eq!(
        object(&mut s, "PATCH", &loc, r#"{"displayName": "HQ2"}"#).0,
        400
    );
    assert_eq!(
        object(
            &mut s,
            "PATCH",
            &loc,
            r##"{"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "HQ2"}"##
        )
        .0,
        204
    );
    assert_eq!(s.named_locations[0]["isTrusted"], true, "kept");
    assert_eq!(s.named_locations[0]["displayName"], "HQ2");
    let (status, body) = object(&mut s, "DELETE", &loc, "");
    assert_eq!(status, 400, "in use by P");
    assert!(body.contains("P"), "{body}");
    let st = format!("{STRENGTHS}/s1");
    assert_eq!(
        object(&mut s, "PATCH", &st, r#"{"allowedCombinations": ["sms"]}"#).0,
        400
    );
    assert_eq!(
        object(
            &mut s,
            "POST",
            &format!("{st}/updateAllowedCombinations"),
            r#"{"allowedCombinations": ["sms"]}"#
        )
        .0,
        200
    );
    assert_eq!(s.strengths[0]["allowedCombinations"], json!(["sms"]));
    assert_eq!(
        object(&mut s, "DELETE", &format!("{STRENGTHS}/b1"), "").0,
        400
    );
    s.policies.clear();
    assert_eq!(object(&mut s, "DELETE", &loc, "").0, 204);
    assert!(s.named_locations.is_empty());
}
