//! CA407 `tp-companion-policies-missing` (set rule).
//!
//! Contract: for every active Token Protection policy, one finding per
//! missing companion (block unknown platforms; require a compliant device on
//! the known ones). The companions count when active if the Token Protection
//! policy is report-only, and only when enabled if it is enforced (its
//! effective state, after the rollout stage): Microsoft's tip asks for the
//! companions to "secure your environment against potential policy bypass",
//! which a report-only policy does not
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection>).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule, SetHit};
use crate::model::{BuiltInControl, Operator, Platform, Policy, State};

pub static RULE: Rule = Rule {
    id: "CA407",
    name: "tp-companion-policies-missing",
    severity: Severity::Warning,
    summary: "An active Token Protection policy lacks its companion policies: block unknown platforms, and require a compliant device on the known ones.",
    fix: "add an active policy that blocks all platforms except the known ones, and one that requires a compliant device on those known platforms",
    docs: r#"## What it checks
When the set holds an active (enabled or report-only) policy with
`session.tokenProtection: true`, it must also hold active policies that

1. **block unknown platforms**: `platforms.include: [all]`, `platforms.exclude` listing
   the known platforms, and `grant.builtInControls: [block]` (Microsoft template
   `4e39a309-931e-4cb1-a371-e2beea168002`); and
2. **require a compliant device on the known platforms**: `compliantDevice` required
   (alone, with `AND`, or as `compliantDevice OR domainJoinedDevice`), on a platform scope
   that covers every platform the block policy lets through (no platform condition, `all`,
   or an include list naming each of them). Without a block policy, the known platforms
   are `android`, `iOS`, `windows`, `macOS` and `linux`.

Once a Token Protection policy is **enforced** (`state: enabled`, or a `rollout:` stage of
`pilot` or `enforced`, e.g. after `caac promote`), its companions must be enforced too: a
report-only companion blocks nothing, so the bypass the companions close is open while
the Token Protection policy is live. A report-only Token Protection policy may have
report-only companions.

Each missing companion is reported at the `tokenProtection` key of every active Token
Protection policy. The companions' user and resource scopes are not compared with the
Token Protection policy's; keep them at least as wide.

## Why it matters
Token Protection only covers some platforms, and the device platform is reported by the
client, so an attacker replaying a stolen token can simply claim another platform. Microsoft's
Token Protection page says to "secure your environment against potential policy bypass when
an attacker might appear to come from a different platform" by also configuring "Block access
from unknown platforms" and "Require device compliance for all known platforms"
(https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection, the
tip under "Create a Conditional Access policy"). Only an enforced companion secures anything.

## Example
A set with only the Token Protection policy:
```yaml
displayName: CA410-TokenProtection
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms: { include: [windows] }
clientAppTypes: [mobileAppsAndDesktopClients]
session:
  tokenProtection: true
```

## Fix
Add the two companions beside it:
```yaml
displayName: CA411-TokenProtection-BlockUnknownPlatforms
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms:
  include: [all]
  exclude: [android, iOS, windows, macOS, linux]
grant:
  builtInControls: [block]
```
```yaml
displayName: CA412-TokenProtection-RequireCompliantDevice
users:
  include: { groups: [Token Protection Pilot] }
  exclude: { groups: [Emergency Access] }
applications:
  include: [Office 365 Exchange Online, Office 365 SharePoint Online]
platforms:
  include: [android, iOS, windows, macOS, linux]
grant:
  builtInControls: [compliantDevice]
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-token-protection
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-windows
- https://learn.microsoft.com/entra/identity/conditional-access/deployment-guide-token-protection-apple
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-policy-common
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

/// The known platforms when no block policy names them.
const KNOWN: [Platform; 5] = [
    Platform::Android,
    Platform::IOS,
    Platform::Windows,
    Platform::MacOS,
    Platform::Linux,
];

/// Companion 1: include `all` platforms, exclude named ones, block. Returns the
/// platforms it lets through (its exclusions).
fn blocks_unknown_platforms(p: &Policy, counts: fn(State) -> bool) -> Option<Vec<Platform>> {
    let pl = p.platforms.as_ref()?;
    let shape = counts(p.state)
        && p.blocks()
        && pl.include.contains(&Platform::All)
        && !pl.exclude.is_empty()
        && !pl.exclude.contains(&Platform::All);
    shape.then(|| pl.exclude.clone())
}

/// Companion 2's grant: a compliant device is required (a hybrid-joined device
/// is accepted as the only alternative).
fn requires_compliant_device(p: &Policy, counts: fn(State) -> bool) -> bool {
    let Some(g) = &p.grant else {
        return false;
    };
    let controls = &g.built_in_controls;
    if !counts(p.state) || p.blocks() || !controls.contains(&BuiltInControl::CompliantDevice) {
        return false;
    }
    g.operator == Operator::And
        || (controls.iter().all(|c| {
            matches!(
                c,
                BuiltInControl::CompliantDevice | BuiltInControl::DomainJoinedDevice
            )
        }) && g.authentication_strength.is_none()
            && g.terms_of_use.is_empty()
            && g.custom_authentication_factors.is_empty())
}

/// The platforms of `wanted` that `p`'s platform condition leaves out.
fn uncovered(p: &Policy, wanted: &[Platform]) -> Vec<Platform> {
    let Some(pl) = &p.platforms else {
        return Vec::new();
    };
    wanted
        .iter()
        .copied()
        .filter(|w| {
            pl.exclude.contains(w)
                || !(pl.include.contains(&Platform::All) || pl.include.contains(w))
        })
        .collect()
}

fn names(ps: &[Platform]) -> String {
    ps.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
}

/// Which companion states count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// The Token Protection policy is report-only: active companions count.
    Active,
    /// It is enforced: only enabled companions count.
    Enforced,
}

impl Need {
    fn counts(self) -> fn(State) -> bool {
        match self {
            Need::Active => State::is_active,
            Need::Enforced => |s| s == State::Enabled,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Need::Active => "active",
            Need::Enforced => "enabled",
        }
    }
}

fn check(set: &[Context]) -> Vec<SetHit> {
    let tp: Vec<(usize, Need)> = set
        .iter()
        .enumerate()
        .filter(|(_, c)| c.policy.token_protection() && c.policy.state.is_active())
        .map(|(i, c)| {
            let need = if c.policy.state == State::Enabled {
                Need::Enforced
            } else {
                Need::Active
            };
            (i, need)
        })
        .collect();
    if tp.is_empty() {
        return Vec::new();
    }
    let mut cache: Vec<(Need, Vec<String>)> = Vec::new();
    let mut out = Vec::new();
    for (i, need) in tp {
        if !cache.iter().any(|(n, _)| *n == need) {
            cache.push((need, messages(set, need)));
        }
        let (_, messages) = cache.iter().find(|(n, _)| *n == need).expect("cached");
        out.extend(
            messages
                .iter()
                .map(|m| (Some(i), Hit::at_key("/session/tokenProtection", m.clone()))),
        );
    }
    out
}

/// The missing companions, one message each, for a Token Protection policy
/// that needs `need`.
fn messages(set: &[Context], need: Need) -> Vec<String> {
    let counts = need.counts();
    let blockers: Vec<Vec<Platform>> = set
        .iter()
        .filter_map(|c| blocks_unknown_platforms(c.policy, counts))
        .collect();
    let compliant: Vec<&Policy> = set
        .iter()
        .map(|c| c.policy)
        .filter(|p| requires_compliant_device(p, counts))
        .collect();
    // The known platforms: those some block policy lets through, else the default five.
    let known_sets: Vec<Vec<Platform>> = if blockers.is_empty() {
        vec![KNOWN.to_vec()]
    } else {
        blockers.clone()
    };
    // Companion 2 must cover every platform one block policy lets through.
    let mut gap: Option<Vec<Platform>> = None;
    let covered = known_sets.iter().any(|known| {
        compliant.iter().any(|p| {
            let left = uncovered(p, known);
            if !left.is_empty() && gap.as_ref().is_none_or(|g| left.len() < g.len()) {
                gap = Some(left.clone());
            }
            left.is_empty()
        })
    });
    // For an enforced Token Protection policy, name the report-only
    // companions that would do once enforced.
    let report_only = |f: &dyn Fn(&Policy) -> bool| -> String {
        let names: Vec<String> = set
            .iter()
            .map(|c| c.policy)
            .filter(|p| need == Need::Enforced && p.state == State::ReportOnly && f(p))
            .map(|p| format!("`{}`", p.display_name))
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!(
                " ({} only report-only: enforce {} as well, since the Token Protection policy is enforced)",
                names.join(", "),
                if names.len() == 1 { "it" } else { "them" }
            )
        }
    };
    let word = need.word();
    let mut messages = Vec::new();
    if blockers.is_empty() {
        messages.push(format!(
            "no {word} policy blocks unknown device platforms{}; add one that includes `all` \
             platforms, excludes the known ones and blocks, since the platform can be faked",
            report_only(&|p| blocks_unknown_platforms(p, State::is_active).is_some())
        ));
    }
    if !covered {
        let pending = report_only(&|p| requires_compliant_device(p, State::is_active));
        messages.push(match gap {
            Some(left) => format!(
                "no {word} policy requires a compliant device on every known platform (missing: \
                 {}){pending}; extend the compliant-device policy to them, since the platform can be \
                 faked",
                names(&left)
            ),
            None => format!(
                "no {word} policy requires a compliant device on the known platforms ({}){pending}; add \
                 one, since the platform can be faked",
                names(&known_sets[0])
            ),
        });
    }
    messages
}

#[cfg(test)]
mod tests {
    use crate::lint::config::Config;
    use crate::model::Policy;
    use crate::test_support::{from_json, with_set};
    use serde_json::json;

    fn policy(name: &str, v: serde_json::Value) -> Policy {
        let mut v = v;
        v["displayName"] = name.into();
        v["users"] = json!({ "include": { "groups": ["22222222-2222-4222-8222-222222222222"] } });
        v["applications"] = json!({ "include": ["All"] });
        from_json(v)
    }

    fn run(policies: &[Policy]) -> Vec<(Option<usize>, String)> {
        with_set(policies, &Config::default(), super::check)
            .into_iter()
            .map(|(i, h)| (i, h.message))
            .collect()
    }

    fn tp() -> Policy {
        policy(
            "tp",
            json!({ "platforms": { "include": ["windows"] }, "session": { "tokenProtection": true } }),
        )
    }

    fn block(exclude: &[&str]) -> Policy {
        policy(
            "block",
            json!({ "platforms": { "include": ["all"], "exclude": exclude },
                    "grant": { "builtInControls": ["block"] } }),
        )
    }

    fn compliant(platforms: Option<&[&str]>, grant: serde_json::Value) -> Policy {
        let mut v = json!({ "grant": grant });
        if let Some(p) = platforms {
            v["platforms"] = json!({ "include": p });
        }
        policy("compliant", v)
    }

    const FIVE: &[&str] = &["android", "iOS", "windows", "macOS", "linux"];

    #[test]
    fn starter_shape_passes() {
        let c = compliant(
            Some(FIVE),
            json!({ "builtInControls": ["compliantDevice"] }),
        );
        assert!(run(&[tp(), block(FIVE), c]).is_empty());
    }

    #[test]
    fn compliant_everywhere_without_platform_condition_passes() {
        let c = compliant(
            None,
            json!({ "builtInControls": ["compliantDevice", "domainJoinedDevice"] }),
        );
        assert!(run(&[tp(), block(FIVE), c]).is_empty());
    }

    #[test]
    fn no_tp_or_disabled_tp_no_finding() {
        assert!(run(&[block(FIVE)]).is_empty());
        let mut t = tp();
        t.state = crate::model::State::Disabled;
        assert!(run(&[t]).is_empty());
    }

    #[test]
    fn both_missing_two_findings_at_the_tp_policy() {
        let hits = run(&[tp()]);
        assert_eq!(hits.len(), 2);
        assert!(hits.iter().all(|(i, _)| *i == Some(0)));
    }

    #[test]
    fn mfa_alternative_is_not_a_compliant_requirement() {
        let c = compliant(
            Some(FIVE),
            json!({ "builtInControls": ["compliantDevice", "mfa"] }),
        );
        let hits = run(&[tp(), block(FIVE), c]);
        assert_eq!(hits.len(), 1, "{hits:?}");
        let c = compliant(
            Some(FIVE),
            json!({ "operator": "AND", "builtInControls": ["compliantDevice", "mfa"] }),
        );
        assert!(run(&[tp(), block(FIVE), c]).is_empty());
    }

    #[test]
    fn compliant_policy_must_cover_what_the_block_lets_through() {
        // Microsoft's template also exempts windowsPhone from the block.
        let six = [
            "android",
            "iOS",
            "windows",
            "macOS",
            "linux",
            "windowsPhone",
        ];
        let c = compliant(
            Some(FIVE),
            json!({ "builtInControls": ["compliantDevice"] }),
        );
        let hits = run(&[tp(), block(&six), c]);
        assert_eq!(hits.len(), 1);
        assert!(hits[0].1.contains("missing: windowsPhone"), "{}", hits[0].1);
    }

    fn enabled(mut p: Policy) -> Policy {
        p.state = crate::model::State::Enabled;
        p
    }

    #[test]
    fn an_enforced_tp_policy_needs_enforced_companions() {
        let c = || {
            compliant(
                Some(FIVE),
                json!({ "builtInControls": ["compliantDevice"] }),
            )
        };
        // Report-only Token Protection: report-only companions do.
        assert!(run(&[tp(), block(FIVE), c()]).is_empty());
        // Enforced: report-only companions no longer count, and are named.
        let hits = run(&[enabled(tp()), block(FIVE), c()]);
        assert_eq!(hits.len(), 2, "{hits:?}");
        assert!(
            hits[0]
                .1
                .starts_with("no enabled policy blocks unknown device platforms (`block` only report-only: enforce it as well"),
            "{}",
            hits[0].1
        );
        assert!(
            hits[1]
                .1
                .contains("no enabled policy requires a compliant device")
                && hits[1].1.contains("`compliant` only report-only"),
            "{}",
            hits[1].1
        );
        // One companion enforced: only the other is reported.
        let hits = run(&[enabled(tp()), enabled(block(FIVE)), c()]);
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(hits[0].1.contains("compliant device"), "{}", hits[0].1);
        // Both enforced: fine.
        assert!(run(&[enabled(tp()), enabled(block(FIVE)), enabled(c())]).is_empty());
        // A report-only TP policy beside an enforced one: each judged by its own state.
        let hits = run(&[tp(), enabled(tp()), block(FIVE), c()]);
        assert!(hits.iter().all(|(i, _)| *i == Some(1)), "{hits:?}");
    }

    #[test]
    fn the_rollout_stage_decides_whether_tp_is_enforced() {
        // `promote` moves the stage; `resolve` turns it into the effective
        // state the rule sees (pilot → enabled for the pilot group).
        let mut t = tp();
        t.rollout = Some(crate::model::Rollout {
            stage: crate::model::Stage::Pilot,
            pilot_group: Some("22222222-2222-4222-8222-222222222222".into()),
            report_only_since: Some("2020-01-01".into()),
            pilot_since: Some("2020-01-15".into()),
            min_dwell_days: None,
        });
        let (resolved, ds) = crate::resolve::resolve(&t, None);
        assert!(ds.is_empty(), "{ds:?}");
        let c = compliant(
            Some(FIVE),
            json!({ "builtInControls": ["compliantDevice"] }),
        );
        assert_eq!(run(&[resolved, block(FIVE), c]).len(), 2);
    }
}
