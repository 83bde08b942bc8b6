//! CA004 `special-value-mixed`.

use crate::diag::Severity;
use crate::lint::{Check, Context, Hit, Needs, Rule};
use crate::model::Platform;

pub static RULE: Rule = Rule {
    id: "CA004",
    name: "special-value-mixed",
    severity: Severity::Warning,
    summary: "A special value such as `All` or `None` shares a list with specific entries.",
    fix: "keep only the special value, or only the explicit entries",
    docs: r#"## What it checks
A special value written in the same list as other entries:
- `users.include.users` with `All` or `None` plus anything else;
- `applications.include` with `All` or `None` plus app ids, `Office365` or `MicrosoftAdminPortals`;
- `platforms.include` with `all` plus named platforms;
- `locations.include` with `All` plus named locations (or `AllTrusted`).

## Why it matters
Graph documents these as alternative forms ("can be one of the following"): `All`
already covers every entry beside it and `None` contradicts them. Mixing them is at best
redundant and its semantics are undocumented — and it usually means someone meant to
narrow the scope and did not.

## Example
```yaml
users:
  include: { users: [All, alice@contoso.com] }
  exclude: { groups: [Emergency Access] }
platforms: { include: [all, windows] }
```

## Fix
```yaml
users:
  include: { users: [All] }
  exclude: { groups: [Emergency Access] }
platforms: { include: [windows] }
```

## References
- https://learn.microsoft.com/graph/api/resources/conditionalaccessusers
- https://learn.microsoft.com/graph/api/resources/conditionalaccessapplications
- https://learn.microsoft.com/graph/api/resources/conditionalaccessplatforms
- https://learn.microsoft.com/graph/api/resources/conditionalaccesslocations
"#,
    needs: Needs::Nothing,
    check: Check::Policy(check),
};

fn check(ctx: &Context) -> Vec<Hit> {
    let p = ctx.policy;
    let mut hits = Vec::new();
    if let Some(inc) = p.user_include() {
        mixed(
            &mut hits,
            "/users/include/users",
            &inc.users,
            &["All", "None"],
        );
    }
    if let Some(a) = &p.applications {
        mixed(
            &mut hits,
            "/applications/include",
            &a.include,
            &["All", "None"],
        );
    }
    if let Some(l) = &p.locations {
        mixed(&mut hits, "/locations/include", &l.include, &["All"]);
    }
    if let Some(pl) = &p.platforms
        && pl.include.len() > 1
        && let Some(i) = pl.include.iter().position(|x| *x == Platform::All)
    {
        hits.push(Hit::at(
            format!("/platforms/include/{i}"),
            "`all` already covers every platform listed beside it; keep only `all` or only the named platforms",
        ));
    }
    hits
}

fn mixed(hits: &mut Vec<Hit>, at: &str, list: &[String], specials: &[&str]) {
    if list.len() < 2 {
        return;
    }
    let Some((i, v)) = list
        .iter()
        .enumerate()
        .find(|(_, v)| specials.contains(&v.as_str()))
    else {
        return;
    };
    let msg = if v == "None" {
        "`None` is listed with other entries it contradicts; keep only the explicit entries (or only `None`)"
            .to_owned()
    } else {
        format!(
            "`{v}` already covers every entry listed beside it; keep only `{v}` or only the explicit entries"
        )
    };
    hits.push(Hit::at(format!("{at}/{i}"), msg));
}
