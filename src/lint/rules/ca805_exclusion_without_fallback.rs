//! CA805 `exclusion-without-fallback` (set rule).

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule, SetHit};
use crate::model::{BuiltInControl, Policy, State, UserSet};

pub static RULE: Rule = Rule {
    id: "CA805",
    name: "exclusion-without-fallback",
    severity: Severity::Warning,
    summary: "A user, group or role excluded from an enforced policy is not covered by any other enforced policy.",
    fix: "add an enabled fallback policy that includes the excluded identity with a comparable control (block, MFA, compliant device, …)",
    docs: r#"## What it checks
For every **enabled** (enforced) policy with a *protective grant*, each user, group and role
in its `users.exclude` must be covered by at least one **other enabled** policy that
- includes the same identity explicitly (the same user, group or role id) or includes
  `All` users,
- does not exclude that identity itself, and
- also has a protective grant.

A *protective grant* (caac's definition of "comparable control") is any of: `block`, `mfa`
or an authentication strength, `compliantDevice`, `domainJoinedDevice`,
`approvedApplication`, `compliantApplication`. Any protective grant counts as a fallback
for any other — an exclusion from a block policy is covered by an MFA policy for the same
group. Other conditions (apps, platforms, locations, risk) of the fallback are not
compared, and policies whose only controls are session controls or terms of use are not
checked, so the rule errs on the side of silence.

Exempt on purpose:
- the break-glass users and groups (`breakGlass:` in tenant.yaml or `--break-glass`) —
  they are excluded precisely so that *nothing* applies to them;
- the Directory Synchronization Accounts role (`d29b2b05-…`), which Microsoft's templates
  exclude because sync accounts cannot do MFA;
- the keywords `GuestsOrExternalUsers` / `None` / `All`.

caac sees ids, not memberships: a user excluded by id but included in a fallback only
through a group counts as uncovered. Excluded apps, locations and platforms (also listed by
the catalogue and Maester MT.1036) are not checked; such exclusions are usually the point
of the policy (e.g. "block outside HQ").

## Why it matters
Every exclusion removes that policy's protection for the excluded identities. If no other
enforced policy picks them up, the exception is a silent gap — often an exception group
that was meant to be temporary. Maester MT.1036 checks the same: every excluded object
should have a fallback include in another policy.

## Example
```yaml
# ca001.yaml
displayName: CA001-Global-BaseProtection-AllApps-AnyPlatform-MFA
state: enabled
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access, Contractors] }   # Contractors: no fallback
applications: { include: [All] }
grant: { builtInControls: [mfa] }
```

## Fix
Keep the exception, and add a fallback for it:
```yaml
# ca002.yaml
displayName: CA002-Externals-BaseProtection-AllApps-AnyPlatform-Compliant
state: enabled
users:
  include: { groups: [Contractors] }
  exclude: { groups: [Emergency Access] }
applications: { include: [All] }
grant: { builtInControls: [compliantDevice] }
```

## References
- https://maester.dev/docs/tests/MT.1036
- https://learn.microsoft.com/entra/identity/conditional-access/plan-conditional-access
"#,
    needs: Needs::CompleteSet,
    check: Check::Set(check),
};

/// Directory Synchronization Accounts: excluded on purpose by Microsoft's templates.
const DIRSYNC_ROLE: &str = "d29b2b05-8046-44ba-8758-1e26182fcf32";

/// Which identity list of a [`UserSet`] an exclusion comes from.
#[derive(Clone, Copy)]
enum Ident {
    User,
    Group,
    Role,
}

impl Ident {
    fn list(self, set: &UserSet) -> &[String] {
        match self {
            Ident::User => &set.users,
            Ident::Group => &set.groups,
            Ident::Role => &set.roles,
        }
    }

    fn key(self) -> &'static str {
        match self {
            Ident::User => "users",
            Ident::Group => "groups",
            Ident::Role => "roles",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Ident::User => "user",
            Ident::Group => "group",
            Ident::Role => "role",
        }
    }
}

/// The grant enforces something comparable: block, MFA/strength, device or app.
fn protective(p: &Policy) -> bool {
    p.blocks()
        || p.requires_mfa()
        || p.built_in_controls().iter().any(|c| {
            matches!(
                c,
                BuiltInControl::CompliantDevice
                    | BuiltInControl::DomainJoinedDevice
                    | BuiltInControl::ApprovedApplication
                    | BuiltInControl::CompliantApplication
            )
        })
}

fn enforced_and_protective(p: &Policy) -> bool {
    p.state == State::Enabled && protective(p)
}

fn contains(list: &[String], id: &str) -> bool {
    list.iter().any(|v| v.eq_ignore_ascii_case(id))
}

/// `q` is an enforced, protective policy that applies to identity `id`.
fn covers(q: &Policy, kind: Ident, id: &str) -> bool {
    if !enforced_and_protective(q) {
        return false;
    }
    let included = q
        .user_include()
        .is_some_and(|inc| contains(&inc.users, "All") || contains(kind.list(inc), id));
    let excluded = q
        .user_exclude()
        .is_some_and(|exc| contains(kind.list(exc), id));
    included && !excluded
}

fn exempt(ctx: &Context, kind: Ident, id: &str) -> bool {
    match kind {
        Ident::User => {
            crate::catalog::keyword(crate::catalog::Kind::User, id).is_some()
                || contains(&ctx.break_glass.users, id)
        }
        Ident::Group => contains(&ctx.break_glass.groups, id),
        Ident::Role => id.eq_ignore_ascii_case(DIRSYNC_ROLE),
    }
}

/// `name` (`id`) when the tenant file or the role catalog names the id, else `id`.
fn label(ctx: &Context, kind: Ident, id: &str) -> String {
    let name = match kind {
        Ident::User => ctx.tenant.and_then(|t| name_of(&t.users, id)),
        Ident::Group => ctx.tenant.and_then(|t| name_of(&t.groups, id)),
        Ident::Role => crate::catalog::find_by_id(crate::catalog::Kind::Role, id).map(|e| e.name),
    };
    match name {
        Some(n) => format!("`{n}` ({id})"),
        None => format!("`{id}`"),
    }
}

fn name_of<'a>(names: &'a crate::model::Names, id: &str) -> Option<&'a str> {
    names
        .iter()
        .find(|(_, v)| v.eq_ignore_ascii_case(id))
        .map(|(n, _)| n.as_str())
}

fn check(set: &[Context]) -> Vec<SetHit> {
    let mut hits = Vec::new();
    for (i, ctx) in set.iter().enumerate() {
        let p = ctx.policy;
        if !enforced_and_protective(p) {
            continue;
        }
        let Some(exclude) = p.user_exclude() else {
            continue;
        };
        for kind in [Ident::User, Ident::Group, Ident::Role] {
            for (k, id) in kind.list(exclude).iter().enumerate() {
                if exempt(ctx, kind, id) {
                    continue;
                }
                let covered = set
                    .iter()
                    .enumerate()
                    .any(|(j, other)| j != i && covers(other.policy, kind, id));
                if !covered {
                    hits.push((
                        Some(i),
                        Hit::at(
                            format!("/users/exclude/{}/{k}", kind.key()),
                            format!(
                                "excluded {} {} is not covered by any other enabled policy (explicitly or via All users) with a block, MFA, device or app grant; add a fallback policy for this exception",
                                kind.noun(),
                                label(ctx, kind, id)
                            ),
                        ),
                    ));
                }
            }
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::config::Config;
    use crate::test_support::with_set;

    const G: &str = "33333333-3333-4333-8333-333333333333";

    fn policy(yaml_like: (&str, State, &[&str], &[&str], Vec<BuiltInControl>)) -> Policy {
        let (name, state, inc_users, exc_groups, controls) = yaml_like;
        let to = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        Policy {
            display_name: name.into(),
            state,
            users: Some(crate::model::Users {
                include: Some(UserSet {
                    users: to(inc_users),
                    ..UserSet::default()
                }),
                exclude: Some(UserSet {
                    groups: to(exc_groups),
                    ..UserSet::default()
                }),
            }),
            grant: Some(crate::model::Grant {
                built_in_controls: controls,
                ..Default::default()
            }),
            ..Policy::default()
        }
    }

    fn run(policies: &[Policy]) -> Vec<SetHit> {
        with_set(policies, &Config::default(), check)
    }

    #[test]
    fn fallback_must_be_enabled_protective_and_not_exclude_the_identity() {
        let a = policy((
            "A",
            State::Enabled,
            &["All"],
            &[G],
            vec![BuiltInControl::Mfa],
        ));
        assert_eq!(run(std::slice::from_ref(&a)).len(), 1);
        // Report-only or session-only fallbacks do not count.
        let ro = policy((
            "B",
            State::ReportOnly,
            &["All"],
            &[],
            vec![BuiltInControl::Block],
        ));
        assert_eq!(run(&[a.clone(), ro]).len(), 1);
        let none = policy(("B", State::Enabled, &["All"], &[], vec![]));
        assert_eq!(run(&[a.clone(), none]).len(), 1);
        // A fallback that excludes the group as well does not cover it.
        let also = policy((
            "B",
            State::Enabled,
            &["All"],
            &[G],
            vec![BuiltInControl::Block],
        ));
        assert_eq!(run(&[a.clone(), also]).len(), 2);
        // An enabled All-users policy with any protective grant does.
        let ok = policy((
            "B",
            State::Enabled,
            &["All"],
            &[],
            vec![BuiltInControl::CompliantDevice],
        ));
        assert!(run(&[a, ok]).is_empty());
    }

    #[test]
    fn report_only_excluding_policies_are_not_checked() {
        let a = policy((
            "A",
            State::ReportOnly,
            &["All"],
            &[G],
            vec![BuiltInControl::Mfa],
        ));
        assert!(run(&[a]).is_empty());
    }
}
