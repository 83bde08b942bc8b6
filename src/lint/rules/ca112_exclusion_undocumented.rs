//! CA112 `exclusion-undocumented` (a caac addition beyond the research catalogue).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};

pub static RULE: Rule = Rule {
    id: "CA112",
    name: "exclusion-undocumented",
    severity: Severity::Warning,
    summary: "A policy that records its exclusions (`exclusions:`) excludes someone without an owner and a reason.",
    fix: "add an `exclusions:` entry with `owner` and `reason` for the principal",
    docs: r#"## What it checks
In a policy that has an `exclusions:` block, every user, group and role in `users.exclude`
must have an entry there with both `owner` and `reason`. Break-glass accounts and groups
(from `breakGlass:` in tenant.yaml or `--break-glass`) are exempt: they are meant to be
excluded everywhere. Policies without an `exclusions:` block are not checked, so adopting
exclusion governance is opt-in, one policy at a time; turn the rule off or make it an
error with `rules: { CA112: off | error }` in `.caac.yaml`.

This rule is a caac addition: the rule catalogue caac started from has no
id for it, so it takes a free number in the lockout/exclusion range.

## Why it matters
An exclusion nobody owns is never reviewed and never removed. Microsoft recommends
reviewing Conditional Access exclusions regularly; a named owner and a reason are what a
reviewer needs.

## Example
```yaml
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access, Contractors] }
exclusions:
  - principal: Contractors
    expires: 2026-12-31
```

## Fix
```yaml
exclusions:
  - principal: Contractors
    owner: it-security@contoso.com
    reason: contractors sign in through the partner tenant's MFA
    expires: 2026-12-31
```

## References
- https://learn.microsoft.com/entra/id-governance/conditional-access-exclusion
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    if p.exclusions.is_empty() {
        return Vec::new();
    }
    let Some(exclude) = p.user_exclude() else {
        return Vec::new();
    };
    let bg = |list: &[String], id: &str| list.iter().any(|v| v.eq_ignore_ascii_case(id));
    let mut hits = Vec::new();
    for (key, list) in [
        ("users", &exclude.users),
        ("groups", &exclude.groups),
        ("roles", &exclude.roles),
    ] {
        for (k, id) in list.iter().enumerate() {
            let exempt = match key {
                "users" => {
                    bg(&ctx.break_glass.users, id)
                        || crate::catalog::keyword(crate::catalog::Kind::User, id).is_some()
                }
                "groups" => bg(&ctx.break_glass.groups, id),
                _ => false,
            };
            if exempt {
                continue;
            }
            let note = crate::rollout::note_for(p, id);
            let missing: Vec<&str> = [
                ("owner", note.and_then(|n| n.owner.as_deref())),
                ("reason", note.and_then(|n| n.reason.as_deref())),
            ]
            .into_iter()
            .filter(|(_, v)| v.is_none_or(|v| v.trim().is_empty()))
            .map(|(name, _)| name)
            .collect();
            if !missing.is_empty() {
                hits.push(Hit::at(
                    format!("/users/exclude/{key}/{k}"),
                    format!(
                        "this exclusion has no {} in `exclusions:`; record who owns it and why",
                        missing.join(" and ")
                    ),
                ));
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::test_support::run_json;
    use serde_json::json;

    #[test]
    fn opt_in_and_owner_and_reason_required() {
        let c = Config::default();
        let none = json!({"displayName": "x", "users": {"include": {"users": ["All"]}, "exclude": {"groups": ["g1", "g2"]}}});
        assert!(run_json(check, none, &c).is_empty());
        let some = json!({"displayName": "x", "users": {"include": {"users": ["All"]}, "exclude": {"groups": ["g1", "g2"]}},
            "exclusions": [{"principal": "g1", "owner": "o", "reason": "r"}, {"principal": "g2", "owner": "o"}]});
        let h = run_json(check, some, &c);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].pointer, "/users/exclude/groups/1");
        assert!(h[0].message.contains("no reason"));
    }
}
