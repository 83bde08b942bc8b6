//! The members file (`caac replay --members FILE`): who is in the groups
//! and directory roles the policies reference, since sign-in logs carry no
//! membership. `caac pull --members FILE` writes it
//! ([`crate::deploy::members`]).
//!
//! Contract (JSON, version 1):
//!
//! ```json
//! {
//!   "version": 1,
//!   "groups": { "<group object id>": ["<user object id>", "…"] },
//!   "roles":  { "<role template id>": ["<user object id>", "…"] }
//! }
//! ```
//!
//! A group lists its *transitive* user members, as Graph's
//! `GET /groups/{id}/transitiveMembers` returns them
//! (<https://learn.microsoft.com/graph/api/group-list-transitivemembers>):
//! Conditional Access "is applied to nested users and groups"
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups>).
//! A role lists the users with an active, tenant-wide assignment of that
//! built-in role (same page: administrative-unit-scoped and custom roles do
//! not count). Ids are compared case-insensitively. A group or role that is
//! not a key of the file is *unknown*: policies that depend on it are not
//! evaluated for users whose membership would decide them. Unknown keys are
//! errors.

use serde::Deserialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    groups: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    roles: BTreeMap<String, Vec<String>>,
}

/// Memberships by user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Members {
    /// Groups (and roles) the file covers (lower-case ids).
    pub known_groups: HashSet<String>,
    /// Roles the file covers (lower-case template ids).
    pub known_roles: HashSet<String>,
    by_user: HashMap<String, (Vec<String>, Vec<String>)>,
}

impl Members {
    /// Reads and checks `path`; errors name the file and say what to fix.
    pub fn read(path: &Path) -> Result<Members, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        Members::parse(&text)
    }

    /// Parses the JSON text.
    pub fn parse(text: &str) -> Result<Members, String> {
        let f: File = serde_json::from_str(text).map_err(|e| {
            format!(
                "{e}; expected {{\"version\": 1, \"groups\": {{id: [user ids]}}, \"roles\": {{template id: [user ids]}}}}"
            )
        })?;
        if f.version != 1 {
            return Err(format!(
                "unsupported version {} (this caac reads 1)",
                f.version
            ));
        }
        let mut m = Members::default();
        for (g, users) in f.groups {
            let g = g.to_ascii_lowercase();
            for u in users {
                m.by_user
                    .entry(u.to_ascii_lowercase())
                    .or_default()
                    .0
                    .push(g.clone());
            }
            m.known_groups.insert(g);
        }
        for (r, users) in f.roles {
            let r = r.to_ascii_lowercase();
            for u in users {
                m.by_user
                    .entry(u.to_ascii_lowercase())
                    .or_default()
                    .1
                    .push(r.clone());
            }
            m.known_roles.insert(r);
        }
        Ok(m)
    }

    /// The users the file lists in group `id` (lower case, sorted).
    pub fn group_members(&self, id: &str) -> Vec<String> {
        self.members(id, false)
    }

    /// The users the file lists in role `id` (lower case, sorted).
    pub fn role_members(&self, id: &str) -> Vec<String> {
        self.members(id, true)
    }

    fn members(&self, id: &str, role: bool) -> Vec<String> {
        let id = id.to_ascii_lowercase();
        let mut out: Vec<String> = self
            .by_user
            .iter()
            .filter(|(_, (groups, roles))| if role { roles } else { groups }.contains(&id))
            .map(|(u, _)| u.clone())
            .collect();
        out.sort();
        out
    }

    /// The user's groups and roles among those the file covers.
    pub fn of(&self, user: &str) -> (Vec<String>, Vec<String>) {
        self.by_user.get(user).cloned().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_lookup() {
        let m =
            Members::parse(r#"{"version":1,"groups":{"G1":["U1","u2"]},"roles":{"r1":["u1"]}}"#)
                .unwrap();
        assert_eq!(m.of("u1"), (vec!["g1".into()], vec!["r1".into()]));
        assert_eq!(m.of("u3"), (vec![], vec![]));
        assert!(m.known_groups.contains("g1"));
        assert_eq!(
            m.group_members("G1"),
            vec!["u1".to_owned(), "u2".to_owned()]
        );
        assert_eq!(m.role_members("r1"), vec!["u1".to_owned()]);
        assert!(m.group_members("g2").is_empty());
    }

    #[test]
    fn errors_say_what_to_write() {
        assert!(
            Members::parse(r#"{"version":2}"#)
                .unwrap_err()
                .contains("version 2")
        );
        assert!(
            Members::parse(r#"{"version":1,"group":{}}"#)
                .unwrap_err()
                .contains("unknown field")
        );
        assert!(Members::parse("[").is_err());
    }
}
