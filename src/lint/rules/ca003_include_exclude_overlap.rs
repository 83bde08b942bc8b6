//! CA003 `include-exclude-overlap`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA003",
    name: "include-exclude-overlap",
    severity: Severity::Warning,
    summary: "The same value is both included and excluded; exclusion wins, so the include is dead.",
    fix: "remove the value from the include list; if you meant an exception, keep it only in the exclude list",
    docs: r#"## What it checks
A value that appears in an include list and in its matching exclude list:
`users.include/exclude.users`, `.groups`, `.roles`, `applications.include/exclude`,
`locations.include/exclude`, `platforms.include/exclude` and
`clientApplications.include/exclude` (service principals). Names are compared after
resolution, so `Pilot` and its object id are the same value. An exclude of `all` (platforms)
or `All` (locations) overlaps every include of that condition.

It is a warning; it is an **error** when the overlap empties the include, i.e. every
included identity (users, groups and roles, with no guest types left), every included
resource, location, platform or service principal is also excluded: the policy then
applies to no one, nothing or nowhere.

`platforms: {include: [all], exclude: [android, iOS, windows, windowsPhone, macOS, linux]}`
is *not* reported: `all` also covers unknown platforms, and that shape is Microsoft's
"Block access for unknown or unsupported device platform" template (see CA712). The
catalogue lists it as an overlap; caac deliberately does not.

## Why it matters
Exclusion always wins over inclusion, so the included value does nothing: either the
include is dead configuration or the exclusion silently removes someone (or something)
the author meant to protect.

## Example
```yaml
users:
  include: { groups: [Pilot, Contractors] }
  exclude: { groups: [Emergency Access, Contractors] }
```

## Fix
```yaml
users:
  include: { groups: [Pilot] }
  exclude: { groups: [Emergency Access, Contractors] }
```

## References
- https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

/// One include/exclude pair of a condition.
struct Pair<'a> {
    /// Spec pointer of the include list.
    include_at: &'static str,
    include: Vec<&'a str>,
    exclude: Vec<&'a str>,
    /// An exclude value that covers every include (`all` / `All`).
    wildcard: Option<&'static str>,
    /// What the values are, for the message.
    noun: &'static str,
    /// Where the matching exclude list is written, for the message.
    exclude_key: &'static str,
}

impl Pair<'_> {
    /// Indexes of the included values that are also excluded.
    fn overlaps(&self) -> Vec<usize> {
        let all_out = self.wildcard.is_some_and(|w| self.exclude.contains(&w));
        self.include
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != "None" && (all_out || self.exclude.contains(v)))
            .map(|(i, _)| i)
            .collect()
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    let mut hits = Vec::new();

    // Users: the three lists together make up one include, so the include is
    // empty only when all of them are fully excluded and no guest types remain.
    let (inc, exc) = (p.user_include(), p.user_exclude());
    if let (Some(inc), Some(exc)) = (inc, exc) {
        let pairs = [
            Pair {
                include_at: "/users/include/users",
                include: strs(&inc.users),
                exclude: strs(&exc.users),
                wildcard: None,
                noun: "user",
                exclude_key: "users.exclude.users",
            },
            Pair {
                include_at: "/users/include/groups",
                include: strs(&inc.groups),
                exclude: strs(&exc.groups),
                wildcard: None,
                noun: "group",
                exclude_key: "users.exclude.groups",
            },
            Pair {
                include_at: "/users/include/roles",
                include: strs(&inc.roles),
                exclude: strs(&exc.roles),
                wildcard: None,
                noun: "role",
                exclude_key: "users.exclude.roles",
            },
        ];
        let found: Vec<Vec<usize>> = pairs.iter().map(Pair::overlaps).collect();
        let any = found.iter().any(|f| !f.is_empty());
        let emptied =
            any && inc.guests_or_external_users.is_none()
                && pairs.iter().zip(&found).all(|(pair, f)| {
                    pair.include.iter().filter(|v| **v != "None").count() == f.len()
                });
        for (pair, f) in pairs.iter().zip(&found) {
            push(&mut hits, pair, f, emptied, "the policy applies to no one");
        }
    }

    if let Some(a) = &p.applications {
        let pair = Pair {
            include_at: "/applications/include",
            include: strs(&a.include),
            exclude: strs(&a.exclude),
            wildcard: None,
            noun: "resource",
            exclude_key: "applications.exclude",
        };
        let emptied = a.user_actions.is_empty() && a.authentication_contexts.is_empty();
        single(&mut hits, &pair, emptied, "the policy targets no resource");
    }

    if let Some(l) = &p.locations {
        let pair = Pair {
            include_at: "/locations/include",
            include: strs(&l.include),
            exclude: strs(&l.exclude),
            wildcard: Some("All"),
            noun: "location",
            exclude_key: "locations.exclude",
        };
        single(&mut hits, &pair, true, "the policy matches no location");
    }

    if let Some(pl) = &p.platforms {
        let pair = Pair {
            include_at: "/platforms/include",
            include: pl.include.iter().map(|x| x.as_str()).collect(),
            exclude: pl.exclude.iter().map(|x| x.as_str()).collect(),
            wildcard: Some("all"),
            noun: "platform",
            exclude_key: "platforms.exclude",
        };
        single(&mut hits, &pair, true, "the policy matches no platform");
    }

    if let Some(c) = &p.client_applications {
        let pair = Pair {
            include_at: "/clientApplications/include",
            include: strs(&c.include),
            exclude: strs(&c.exclude),
            wildcard: None,
            noun: "service principal",
            exclude_key: "clientApplications.exclude",
        };
        let emptied = c.agent_ids.as_ref().is_none_or(|a| a.include.is_empty());
        single(
            &mut hits,
            &pair,
            emptied,
            "the policy applies to no workload",
        );
    }

    hits
}

/// A condition whose include is one list: emptied when every entry overlaps
/// (and `others_empty` says nothing else keeps the condition populated).
fn single(hits: &mut Vec<Hit>, pair: &Pair, others_empty: bool, empty_msg: &str) {
    let f = pair.overlaps();
    let emptied = !f.is_empty()
        && others_empty
        && pair.include.iter().filter(|v| **v != "None").count() == f.len();
    push(hits, pair, &f, emptied, empty_msg);
}

fn push(hits: &mut Vec<Hit>, pair: &Pair, found: &[usize], emptied: bool, empty_msg: &str) {
    for &i in found {
        let value = pair.include[i];
        let what = if pair.noun == "platform" || is_keyword(value) {
            format!("`{value}`")
        } else {
            format!("this {}", pair.noun)
        };
        let hit = if emptied {
            Hit::at(
                format!("{}/{i}", pair.include_at),
                format!(
                    "{what} is also excluded (`{}`) and exclusion wins: everything included is excluded, so {empty_msg}",
                    pair.exclude_key
                ),
            )
            .severity(Severity::Error)
        } else {
            Hit::at(
                format!("{}/{i}", pair.include_at),
                format!(
                    "{what} is also excluded (`{}`) and exclusion wins, so including it does nothing",
                    pair.exclude_key
                ),
            )
        };
        hits.push(hit);
    }
}

/// Keywords and enum values read well in a message; GUIDs do not (the
/// underlined source line shows the name that was written).
fn is_keyword(v: &str) -> bool {
    !(v.len() == 36 && v.chars().filter(|c| *c == '-').count() == 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::run_json;
    use serde_json::json;

    fn run(p: serde_json::Value) -> Vec<Hit> {
        run_json(check, p, &crate::lint::config::Config::default())
    }

    #[test]
    fn users_are_emptied_only_when_every_list_is_excluded() {
        let g = "22222222-2222-4222-8222-222222222222";
        let h = run(json!({"displayName": "x",
            "users": {"include": {"groups": [g]}, "exclude": {"groups": [g]}}}));
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].severity, Some(Severity::Error));
        assert_eq!(h[0].pointer, "/users/include/groups/0");
        let h = run(json!({"displayName": "x",
            "users": {"include": {"groups": [g], "roles": ["62e90394-69f5-4237-9190-012177145e10"]},
                      "exclude": {"groups": [g]}}}));
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].severity, None);
    }

    #[test]
    fn unknown_platform_block_is_not_an_overlap() {
        let h = run(json!({"displayName": "x", "platforms": {"include": ["all"],
            "exclude": ["android", "iOS", "windows", "windowsPhone", "macOS", "linux"]}}));
        assert!(h.is_empty());
        let h = run(
            json!({"displayName": "x", "platforms": {"include": ["windows", "iOS"],
            "exclude": ["all"]}}),
        );
        assert_eq!(h.len(), 2);
        assert!(h.iter().all(|x| x.severity == Some(Severity::Error)));
    }

    #[test]
    fn partial_resource_overlap_is_a_warning() {
        let exo = "00000002-0000-0ff1-ce00-000000000000";
        let spo = "00000003-0000-0ff1-ce00-000000000000";
        let h = run(json!({"displayName": "x",
            "applications": {"include": [exo, spo], "exclude": [spo]}}));
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].pointer, "/applications/include/1");
        assert_eq!(h[0].severity, None);
    }
}
