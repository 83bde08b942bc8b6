//! `caac pull --members FILE`: the members file `caac replay --members`
//! reads ([`crate::signins::members`], format there), for every group and
//! directory role the pulled policies reference in `conditions.users`.
//!
//! Contract: a group's users are its transitive user members,
//! `GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user?$select=id`
//! (<https://learn.microsoft.com/graph/api/group-list-transitivemembers>):
//! Conditional Access "is applied to nested users and groups"
//! (<https://learn.microsoft.com/entra/identity/conditional-access/concept-conditional-access-users-groups>).
//! A role's users are the principals of its active assignments,
//! `GET /v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq '{id}'&$expand=principal`
//! (<https://learn.microsoft.com/graph/api/rbacapplication-list-roleassignments>,
//! whose example filters on a built-in role's template id), kept only when
//! `directoryScopeId` is `/`: Conditional Access does not support "users
//! assigned a directory role scoped to an administrative unit" (users-groups
//! page). A user principal counts; a role-assignable group counts with its
//! transitive user members (assignments go to "users, role-assignable
//! groups, and service principals",
//! <https://learn.microsoft.com/graph/api/resources/unifiedroleassignment>);
//! service principals do not (user sign-ins only). Ids that are not GUIDs
//! are refused before anything is sent. Lists are sorted, so the file is
//! deterministic.

use super::client::{Client, GraphError};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The group and role ids `conditions.users` of the Graph policies name.
pub fn referenced(policies: &[Value]) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut groups = BTreeSet::new();
    let mut roles = BTreeSet::new();
    for p in policies {
        let users = &p["conditions"]["users"];
        let ids = |key: &str| {
            users[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
        };
        groups.extend(ids("includeGroups"));
        groups.extend(ids("excludeGroups"));
        roles.extend(ids("includeRoles"));
        roles.extend(ids("excludeRoles"));
    }
    (groups, roles)
}

fn group_users(
    client: &mut Client,
    id: &str,
    cache: &mut BTreeMap<String, BTreeSet<String>>,
) -> Result<BTreeSet<String>, GraphError> {
    if let Some(u) = cache.get(id) {
        return Ok(u.clone());
    }
    let items = client.list(&format!(
        "/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user?$select=id"
    ))?;
    let users: BTreeSet<String> = items
        .iter()
        .filter_map(|u| u["id"].as_str())
        .map(str::to_ascii_lowercase)
        .collect();
    cache.insert(id.to_owned(), users.clone());
    Ok(users)
}

/// Fetches the members file for `policies` (Graph JSON).
pub fn fetch(client: &mut Client, policies: &[Value]) -> Result<Value, String> {
    let (groups, roles) = referenced(policies);
    if let Some(bad) = groups.iter().chain(&roles).find(|i| !is_guid(i)) {
        return Err(format!(
            "a policy names `{bad}` as a group or role: not an object id; nothing was written"
        ));
    }
    let mut cache = BTreeMap::new();
    let mut out_groups = serde_json::Map::new();
    for g in &groups {
        let users = group_users(client, g, &mut cache).map_err(|e| e.to_string())?;
        out_groups.insert(g.clone(), json!(users));
    }
    let mut out_roles = serde_json::Map::new();
    for r in &roles {
        let items = client
            .list(&format!(
                "/v1.0/roleManagement/directory/roleAssignments?$filter=roleDefinitionId%20eq%20'{r}'&$expand=principal"
            ))
            .map_err(|e| e.to_string())?;
        let mut users = BTreeSet::new();
        for a in &items {
            if a["directoryScopeId"].as_str() != Some("/") {
                continue;
            }
            let principal = &a["principal"];
            let Some(pid) = principal["id"]
                .as_str()
                .or_else(|| a["principalId"].as_str())
                .map(str::to_ascii_lowercase)
            else {
                continue;
            };
            match principal["@odata.type"].as_str() {
                Some("#microsoft.graph.user") => {
                    users.insert(pid);
                }
                Some("#microsoft.graph.group") if is_guid(&pid) => {
                    users.extend(group_users(client, &pid, &mut cache).map_err(|e| e.to_string())?);
                }
                _ => {}
            }
        }
        out_roles.insert(r.clone(), json!(users));
    }
    Ok(json!({"version": 1, "groups": out_groups, "roles": out_roles}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referenced_ids() {
        let p = json!([{"conditions": {"users": {"includeGroups": ["G1"], "excludeGroups": ["g2"],
                                                   "includeRoles": ["r1"], "includeUsers": ["All"]}}}]);
        let (g, r) = referenced(p.as_array().unwrap());
        assert_eq!(g.into_iter().collect::<Vec<_>>(), ["g1", "g2"]);
        assert_eq!(r.into_iter().collect::<Vec<_>>(), ["r1"]);
        assert!(is_guid("00000000-0000-4000-8000-0000000070b1"));
        assert!(!is_guid("../../me"));
    }
}
