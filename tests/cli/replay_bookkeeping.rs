//! `caac replay`'s bookkeeping (`caac::signins::replay::Replayer`, issue 16)
//! against a straightforward reference: the per-record code the replay had
//! before its totals were kept in per-index counters and hash maps — one
//! `PolicySet::verdict` per side (the per-policy unknown logic evaluated
//! from scratch for every record), name-keyed `BTreeMap`s updated per
//! record and policy, one `BTreeSet` of lacking facts per record.
//!
//! Both must give the same report, byte for byte, in every format (text,
//! markdown, JSON with the per-sign-in objects kept and streamed), over the
//! fixture logs and thousands of pseudo-random records (fixed seed): users
//! by UPN, by id only and service principals, managed identities and
//! unknown client apps (skipped), registered devices, hidden risk, device
//! code flow, guests, addresses in and out of the tenant's named
//! locations, and `appliedConditionalAccessPolicies` entries matched by id
//! (in odd case), by display name, or not at all — with duplicate display
//! names and duplicate ids among the policies, with and without a members
//! file and a base. The set is the starter set, the replay fixtures' set,
//! and with `CAAC_CORPUS` the real corpus.

use super::common::corpus;
use super::requests::{Rng, load};
use caac::model::Policy;
use caac::signins::Record;
use caac::signins::members::Members;
use caac::signins::replay::{
    Change, Disagreement, MAX_CHANGE_GROUPS_LISTED, MAX_DISAGREEMENTS_LISTED, PolicySet, Replayer,
    Report, SignIns, Spool, Status, Verdict, entra_applied, whatif_request,
};
use caac::whatif::{Identity, PolicyRef, Reason, ReasonSet, SignIn};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The reference: `Replayer::record` as it was, on the public API.
struct Reference<'a> {
    head: PolicySet<'a>,
    base: Option<PolicySet<'a>>,
    head_ids: Vec<Option<String>>,
    members: Option<&'a Members>,
    keep: bool,
    report: Report,
}

fn platform_name(r: &Record, s: &SignIn) -> String {
    match s.platform {
        Some(p) => caac::model::Wire::wire(p).to_owned(),
        None if matches!(s.identity, Identity::ServicePrincipal { .. }) => "workload".into(),
        None => format!(
            "unknown ({})",
            r.operating_system.as_deref().unwrap_or("not logged")
        ),
    }
}

fn describe(reasons: ReasonSet) -> String {
    reasons
        .iter()
        .map(Reason::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Reference<'_> {
    fn skip(&mut self, at: &str, kind: &str, message: &str) {
        *self.report.skipped.entry(kind.to_owned()).or_default() += 1;
        if self.report.skipped_examples.len() < 100 {
            self.report
                .skipped_examples
                .push(format!("{at}: {message}"));
        }
    }

    fn record(&mut self, at: &str, record: &Record) {
        let (mut sign_in, missing) = match record.sign_in() {
            Ok(x) => x,
            Err(e) => {
                let kind = if e.starts_with(caac::signins::replay::skip::UNKNOWN_CLIENT_APP) {
                    caac::signins::replay::skip::UNKNOWN_CLIENT_APP
                } else if e == caac::signins::MANAGED_IDENTITY {
                    "managed identity (not covered by Conditional Access)"
                } else {
                    caac::signins::replay::skip::MISSING_FIELD
                };
                self.skip(at, kind, &format!("sign-in {}: {e}", record.id));
                return;
            }
        };
        if let (
            Some(m),
            Identity::User {
                id, groups, roles, ..
            },
        ) = (self.members, &mut sign_in.identity)
        {
            (*groups, *roles) = m.of(id);
        }
        let known = self.members.map(|m| (&m.known_groups, &m.known_roles));
        let head = self.head.verdict(&sign_in, missing, known);
        let base = self
            .base
            .as_mut()
            .map(|b| b.verdict(&sign_in, missing, known));
        let rep = &mut self.report;
        rep.evaluated += 1;
        let mut lacking: BTreeSet<&'static str> = BTreeSet::new();
        for v in std::iter::once(&head).chain(base.as_ref()) {
            for s in &v.statuses {
                if let Status::Unknown(w) = s {
                    lacking.extend(w.iter().copied());
                }
            }
        }
        for l in &lacking {
            *rep.unknown.entry(l).or_default() += 1;
        }
        *rep.head.entry(head.access).or_default() += 1;
        let change = base.as_ref().and_then(|b| {
            *rep.base.entry(b.access).or_default() += 1;
            Change::of(b.access, head.access)
        });
        if let Some(c) = change {
            *rep.changes.entry(c).or_default() += 1;
            if c != Change::Undetermined {
                let req = whatif_request(&sign_in);
                let key = (c, req.to_string());
                // The documented limit (`MAX_CHANGE_GROUPS_LISTED`), added
                // after this reference was written.
                if rep.change_groups.contains_key(&key)
                    || rep.change_groups.len() < MAX_CHANGE_GROUPS_LISTED
                {
                    rep.change_groups
                        .entry(key)
                        .or_insert_with(|| (0, record.id.clone(), req))
                        .0 += 1;
                }
            }
        }
        let user = record.who();
        let app = record
            .app_name
            .clone()
            .or_else(|| record.app_id.clone())
            .unwrap_or_else(|| "(no app)".into());
        let platform = platform_name(record, &sign_in);
        for (map, key) in [
            (&mut rep.by_user, user),
            (&mut rep.by_app, app),
            (&mut rep.by_platform, platform),
        ] {
            let c = map.entry(key).or_default();
            c.sign_ins += 1;
            *c.head.entry(head.access).or_default() += 1;
            if let Some(ch) = change {
                *c.changes.entry(ch).or_default() += 1;
            }
        }
        for (i, s) in head.statuses.iter().enumerate() {
            let e = rep
                .by_policy
                .entry(self.head.refs[i].name.to_owned())
                .or_default();
            match s {
                Status::Applies => e.0 += 1,
                Status::Unknown(_) => e.1 += 1,
                Status::NotApplies(_) => {}
            }
        }
        for a in &record.applied {
            let by_id = a.id.as_ref().and_then(|id| {
                self.head_ids
                    .iter()
                    .position(|x| x.as_deref().is_some_and(|x| x.eq_ignore_ascii_case(id)))
            });
            let idx = by_id.or_else(|| {
                let name = a.display_name.as_deref()?;
                let i = self.head.refs.iter().position(|r| r.name == name)?;
                rep.warnings.insert(format!(
                    "policy \"{name}\" matched to the sign-in logs by display name (no id in the spec or caac.lock): a renamed or duplicate name would mismatch"
                ));
                Some(i)
            });
            let Some(i) = idx else {
                *rep.not_compared
                    .entry("policy not in the repository")
                    .or_default() += 1;
                continue;
            };
            let Some(entra) = entra_applied(&a.result) else {
                *rep.not_compared
                    .entry("Entra result not comparable")
                    .or_default() += 1;
                continue;
            };
            let (caac, decided_by) = match &head.statuses[i] {
                Status::Applies => (true, "every condition matches".to_owned()),
                Status::NotApplies(r) => (false, describe(*r)),
                Status::Unknown(_) => {
                    *rep.not_compared.entry("caac verdict unknown").or_default() += 1;
                    continue;
                }
            };
            rep.compared += 1;
            if caac == entra {
                rep.agreed += 1;
            } else if rep.disagreements.len() < MAX_DISAGREEMENTS_LISTED {
                // The documented limit (`MAX_DISAGREEMENTS_LISTED`), added
                // after this reference was written.
                rep.disagreements.push(Disagreement {
                    sign_in: record.id.clone(),
                    at: at.to_owned(),
                    policy: self.head.refs[i].name.to_owned(),
                    entra: a.result.clone(),
                    caac_applies: caac,
                    decided_by,
                });
            }
        }
        if self.keep {
            let side = |v: &Verdict, set: &PolicySet| {
                let mut applies = Vec::new();
                let mut unknown = Vec::new();
                for (i, s) in v.statuses.iter().enumerate() {
                    match s {
                        Status::Applies => applies.push(json!(set.refs[i].name)),
                        Status::Unknown(w) => {
                            unknown.push(json!({"policy": set.refs[i].name, "missing": w}));
                        }
                        Status::NotApplies(_) => {}
                    }
                }
                json!({"access": v.access.as_str(), "applies": applies, "unknown": unknown})
            };
            let mut o = json!({
                "id": record.id,
                "at": at,
                "user": record.who(),
                "app": record.app_id,
                "resource": record.resource_id,
                "clientApp": sign_in.client_app.as_str(),
                "platform": platform_name(record, &sign_in),
                "interactive": record.interactive,
                "head": side(&head, &self.head),
            });
            if let (Some(b), Some(set)) = (&base, &self.base) {
                o["base"] = side(b, set);
                o["change"] = change.map_or(Value::Null, |c| json!(c.as_str()));
            }
            rep.sign_ins.push(o);
        }
    }
}

/// The ids a set names, to draw records from.
#[derive(Default)]
struct Ids {
    users: Vec<String>,
    groups: Vec<String>,
    apps: Vec<String>,
    sps: Vec<String>,
    tenants: Vec<String>,
}

fn ids(policies: &[&Policy]) -> Ids {
    let mut v = Ids::default();
    let guid = |s: &String| s.len() == 36;
    for p in policies {
        if let Some(u) = &p.users {
            for set in [&u.include, &u.exclude].into_iter().flatten() {
                v.users
                    .extend(set.users.iter().filter(|x| guid(x)).cloned());
                v.groups.extend(set.groups.iter().cloned());
                if let Some(g) = &set.guests_or_external_users {
                    v.tenants
                        .extend(g.tenants.iter().filter(|x| guid(x)).cloned());
                }
            }
        }
        if let Some(c) = &p.client_applications {
            v.sps.extend(
                c.include
                    .iter()
                    .chain(&c.exclude)
                    .filter(|x| guid(x))
                    .cloned(),
            );
        }
        if let Some(a) = &p.applications {
            v.apps.extend(
                a.include
                    .iter()
                    .chain(&a.exclude)
                    .filter(|x| guid(x))
                    .cloned(),
            );
        }
    }
    for i in 0..6 {
        let id = format!("0000000{i}-aaaa-4bbb-8ccc-dddddddddddd");
        v.users.push(id.clone());
        v.groups.push(id.clone());
        v.sps.push(id.clone());
        v.tenants.push(id);
    }
    for a in [
        "00000003-0000-0000-c000-000000000000",
        "00000002-0000-0ff1-ce00-000000000000",
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "c44b4083-3bb0-49c1-b47d-974e53cbdf3c",
    ] {
        v.apps.push(a.to_owned());
    }
    v
}

fn pick<'v>(rng: &mut Rng, v: &'v [&'v str]) -> &'v str {
    v[rng.below(v.len())]
}

/// A pseudo-random Graph `signIn` record (the fields caac reads).
fn random_record(
    rng: &mut Rng,
    k: usize,
    ids: &Ids,
    names: &[&str],
    head_ids: &[Option<String>],
) -> Value {
    let user = ids.users[rng.below(ids.users.len())].clone();
    let mut r = json!({"id": format!("rnd{k}")});
    let sp = rng.chance(8);
    if sp {
        r["servicePrincipalId"] = json!(ids.sps[rng.below(ids.sps.len())]);
        r["signInEventTypes"] = json!(if rng.chance(15) {
            "managedIdentity"
        } else {
            "servicePrincipal"
        });
    } else {
        r["userId"] = json!(user);
        if rng.chance(70) {
            r["userPrincipalName"] = json!(format!("u{}@contoso.com", rng.below(40)));
        }
        if rng.chance(10) {
            r["userType"] = json!("guest");
            r["homeTenantId"] = json!(ids.tenants[rng.below(ids.tenants.len())]);
            if rng.chance(50) {
                r["crossTenantAccessType"] = json!("b2bCollaboration");
            }
        }
    }
    let app = ids.apps[rng.below(ids.apps.len())].clone();
    if rng.chance(90) {
        r["appId"] = json!(app);
    }
    if rng.chance(70) {
        r["appDisplayName"] = json!(pick(rng, &["Microsoft Office", "Azure Portal", "Teams"]));
    }
    if rng.chance(95) {
        r["resourceId"] = json!(ids.apps[rng.below(ids.apps.len())]);
    }
    if rng.chance(97) {
        r["clientAppUsed"] = json!(pick(
            rng,
            &[
                "Browser",
                "Mobile Apps and Desktop clients",
                "Exchange ActiveSync",
                "IMAP4",
                "Authenticated SMTP",
                "Teletype",
            ]
        ));
    }
    let mut device = json!({});
    if rng.chance(90) {
        device["operatingSystem"] = json!(pick(
            rng,
            &[
                "Windows 10",
                "Windows",
                "iOS 17",
                "Android",
                "MacOs",
                "Linux",
                "Plan 9",
                ""
            ]
        ));
    }
    if rng.chance(30) {
        device["deviceId"] = json!(format!("d{}", rng.below(5)));
        device["trustType"] = json!(pick(
            rng,
            &[
                "Azure AD joined",
                "Hybrid Azure AD joined",
                "Azure AD registered"
            ]
        ));
        device["isCompliant"] = json!(rng.chance(50));
        device["isManaged"] = json!(rng.chance(50));
    }
    r["deviceDetail"] = device;
    if rng.chance(90) {
        r["ipAddress"] = json!(pick(
            rng,
            &[
                "203.0.113.7",
                "198.51.100.1",
                "192.0.2.44",
                "8.8.8.8",
                "2001:db8::1"
            ]
        ));
    }
    if rng.chance(80) {
        r["location"] = json!({"countryOrRegion": pick(rng, &["NL", "US", "CN", "GB"])});
    }
    if rng.chance(90) {
        r["riskLevelDuringSignIn"] = json!(pick(rng, &["none", "low", "medium", "high", "hidden"]));
    }
    if rng.chance(90) {
        r["authenticationProtocol"] = json!(pick(rng, &["none", "deviceCode", "ropc"]));
    }
    if rng.chance(80) {
        r["isInteractive"] = json!(rng.chance(50));
    }
    let mut applied = Vec::new();
    for _ in 0..rng.below(8) {
        let i = rng.below(names.len());
        let result = pick(
            rng,
            &[
                "success",
                "failure",
                "notApplied",
                "notApplied",
                "reportOnlySuccess",
                "reportOnlyNotApplied",
                "notEnabled",
                "unknown",
                "unknownFutureValue",
            ],
        );
        let mut a = json!({"result": result});
        match rng.below(4) {
            0 => {
                let id = head_ids[i]
                    .clone()
                    .unwrap_or_else(|| "00000000-0000-4000-8000-00000000ffff".into());
                a["id"] = json!(if rng.chance(30) {
                    id.to_ascii_uppercase()
                } else {
                    id
                });
            }
            1 => a["displayName"] = json!(names[i]),
            2 => {
                a["id"] = json!("00000000-0000-4000-8000-00000000fffe");
                a["displayName"] = json!(names[i]);
            }
            _ => a["displayName"] = json!("not in the repository"),
        }
        applied.push(a);
    }
    r["appliedConditionalAccessPolicies"] = json!(applied);
    r
}

/// A members file covering half the groups the set names (and a few it
/// does not), each with a few of the users.
fn members(ids: &Ids, rng: &mut Rng) -> Members {
    let mut groups = serde_json::Map::new();
    for g in ids.groups.iter().step_by(2) {
        let users: Vec<&String> = (0..3)
            .map(|_| &ids.users[rng.below(ids.users.len())])
            .collect();
        groups.insert(g.clone(), json!(users));
    }
    Members::parse(&json!({"version": 1, "groups": groups, "roles": {}}).to_string()).unwrap()
}

fn refs<'p>(ps: &'p [(String, Policy)], names: Option<&[&'p str]>) -> Vec<PolicyRef<'p>> {
    ps.iter()
        .enumerate()
        .map(|(i, (n, p))| PolicyRef {
            name: names.map_or(n.as_str(), |ns| ns[i]),
            policy: p,
        })
        .collect()
}

/// Every format of `report`, the JSON as streamed from `spool` too.
fn outputs(report: &Report, spool: Option<Spool>) -> Vec<String> {
    let mut json = Vec::new();
    report.write_json(spool, &mut json).unwrap();
    vec![
        report.human(),
        report.markdown(),
        String::from_utf8(json).unwrap(),
    ]
}

/// Replays the fixture logs and `count` random records through both and
/// compares every output.
fn differential(
    label: &str,
    paths: &[PathBuf],
    base: &[PathBuf],
    tenant: Option<PathBuf>,
    count: usize,
    enable: bool,
    verdicts: usize,
) {
    let (mut policies, tenant) = load(paths, tenant.clone());
    if enable {
        // Enforced, so that their grants (per sign-in shape: legacy
        // clients, device code flow, token protection) decide access.
        for (_, p) in &mut policies {
            p.state = caac::model::State::Enabled;
        }
    }
    let (base_policies, _) = load(base, None);
    assert!(!policies.is_empty() && !base_policies.is_empty(), "{label}");
    // Duplicate display names (every third policy takes its predecessor's)
    // and live ids (some missing, two policies sharing one).
    let names: Vec<&str> = (0..policies.len())
        .map(|i| policies[if i % 3 == 2 { i - 1 } else { i }].0.as_str())
        .collect();
    let head_ids: Vec<Option<String>> = (0..policies.len())
        .map(|i| match i % 4 {
            0 => None,
            3 => Some(format!("00000000-0000-4000-8000-{:012x}", i - 1)),
            _ => Some(format!("00000000-0000-4000-8000-{i:012x}")),
        })
        .collect();
    let plain: Vec<&Policy> = policies.iter().map(|(_, p)| p).collect();
    let ids = ids(&plain);
    let mut rng = Rng::new(0x5eed_0016_b00c);
    let members = members(&ids, &mut rng);
    let fixtures = root().join("tests/fixtures/signins");
    let mut records: Vec<(String, Result<Record, String>)> = Vec::new();
    for f in [
        "graph-signins.json",
        "la-signins.csv",
        "disagree.ndjson",
        "tp-signins.json",
        "tp-unsupported.json",
    ] {
        caac::signins::read::read(&fixtures.join(f), &mut |e| {
            if let caac::signins::read::Event::Record { line, fields } = e {
                records.push((format!("{f}:{line}"), Record::from_fields(&fields)));
            }
        })
        .unwrap();
    }
    for k in 0..count {
        let v = random_record(&mut rng, k, &ids, &names, &head_ids);
        records.push((
            format!("random:{k}"),
            Record::from_fields(v.as_object().unwrap()),
        ));
    }
    let mut checked = 0;
    let mut accesses = BTreeSet::new();
    for with_members in [false, true] {
        for with_base in [false, true] {
            let members = with_members.then_some(&members);
            let set = || PolicySet::new(refs(&policies, Some(&names)), tenant.as_ref());
            let base_set =
                || with_base.then(|| PolicySet::new(refs(&base_policies, None), tenant.as_ref()));
            let mut reference = Reference {
                head: set(),
                base: base_set(),
                head_ids: head_ids.clone(),
                members,
                keep: true,
                report: Report {
                    with_base,
                    ..Report::default()
                },
            };
            let mut kept =
                Replayer::new(set(), base_set(), head_ids.clone(), members, SignIns::Keep);
            let mut streamed = Replayer::new(
                set(),
                base_set(),
                head_ids.clone(),
                members,
                SignIns::Stream(Spool::new().unwrap()),
            );
            let mut dropped =
                Replayer::new(set(), base_set(), head_ids.clone(), members, SignIns::Drop);
            for (at, r) in &records {
                match r {
                    Ok(r) => {
                        reference.record(at, r);
                        kept.record(at, r);
                        streamed.record(at, r);
                        dropped.record(at, r);
                    }
                    Err(e) => {
                        reference.skip(at, "unreadable record", e);
                        kept.skip(at, "unreadable record", e);
                        streamed.skip(at, "unreadable record", e);
                        dropped.skip(at, "unreadable record", e);
                    }
                }
            }
            let want = outputs(&reference.report, None);
            let case = format!("{label}, members {with_members}, base {with_base}");
            let (kept, _) = kept.finish();
            let (streamed, spool) = streamed.finish();
            let SignIns::Stream(spool) = spool else {
                panic!("{case}: the spool is gone")
            };
            let (dropped, _) = dropped.finish();
            for (how, got) in [
                ("kept", outputs(&kept, None)),
                ("streamed", outputs(&streamed, Some(spool))),
            ] {
                for (w, g) in want.iter().zip(&got) {
                    if w != g {
                        let line = w.lines().zip(g.lines()).position(|(a, b)| a != b);
                        panic!(
                            "{case}, {how}: differs from the reference at line {line:?}: {:?} vs {:?}",
                            line.and_then(|l| w.lines().nth(l)),
                            line.and_then(|l| g.lines().nth(l)),
                        );
                    }
                }
            }
            assert_eq!(dropped.human(), want[0], "{case}, dropped");
            assert_eq!(dropped.markdown(), want[1], "{case}, dropped");
            // The comparison covered every kind of total.
            let r = &reference.report;
            assert!(
                r.evaluated > (count as u64) / 2,
                "{case}: {} evaluated",
                r.evaluated
            );
            assert!(r.skipped_total() > 0, "{case}");
            assert!(r.head.len() >= 2, "{case}: {:?}", r.head);
            accesses.extend(r.head.keys().copied());
            assert!(!r.unknown.is_empty(), "{case}");
            assert!(r.compared > 0 && r.agreed < r.compared, "{case}");
            assert_eq!(r.not_compared.len(), 3, "{case}: {:?}", r.not_compared);
            assert!(!r.warnings.is_empty(), "{case}");
            assert!(
                r.by_policy.len() < policies.len(),
                "{case}: duplicate names"
            );
            if with_base {
                assert!(!r.changes.is_empty(), "{case}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
    // The head verdicts seen (the KQL set's insider-risk policy leaves
    // every user sign-in unknown or allowed).
    assert!(accesses.len() >= verdicts, "{label}: {accesses:?}");
    println!(
        "{label}: {} records × 4 configurations agree",
        records.len()
    );
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn replay_bookkeeping_matches_reference_on_fixture_set() {
    let fixtures = root().join("tests/fixtures/signins");
    differential(
        "replay fixtures",
        &[fixtures.join("policies")],
        &[fixtures.join("base/policies")],
        Some(fixtures.join("tenant.yaml")),
        3_000,
        false,
        3,
    );
}

/// The KQL fixtures' set reads every kind of condition (guest types,
/// locations, flows, device filters, user, insider and service principal
/// risk, token protection); enabled here.
#[test]
fn replay_bookkeeping_matches_reference_on_every_condition_kind() {
    let fixtures = root().join("tests/fixtures/signins");
    differential(
        "kql fixtures",
        &[fixtures.join("kql/policies")],
        &[fixtures.join("policies")],
        Some(fixtures.join("kql/tenant.yaml")),
        3_000,
        true,
        2,
    );
}

/// The starter set is report-only: enabled here.
#[test]
fn replay_bookkeeping_matches_reference_on_starter_set() {
    let fixtures = root().join("tests/fixtures/signins");
    differential(
        "starter set",
        &[root().join("policies")],
        &[fixtures.join("policies")],
        Some(root().join("tenant.yaml")),
        3_000,
        true,
        3,
    );
}

#[test]
fn replay_bookkeeping_matches_reference_on_corpus() {
    let Some(dir) = corpus("replay_bookkeeping_matches_reference_on_corpus") else {
        return;
    };
    differential(
        "corpus",
        &[dir],
        &[root().join("policies")],
        None,
        600,
        false,
        3,
    );
}
