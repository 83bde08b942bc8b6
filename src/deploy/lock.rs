//! The lock file `caac.lock`: which live policy each spec manages.
//!
//! Contract: JSON, committed next to the specs, keys sorted, one trailing
//! newline, written atomically ([`crate::emit::write_file`]) after every
//! successful write to Graph, so a run killed at any point leaves a lock that
//! names every policy it created:
//!
//! ```json
//! {
//!   "version": 1,
//!   "policies": {
//!     "policies/CA001-Block-legacy-auth.yaml": {
//!       "id": "7c2a…",
//!       "displayName": "CA001 - Block legacy auth"
//!     }
//!   }
//! }
//! ```
//!
//! The key is the spec's path as given on the command line (with `#/pointer`
//! for one policy inside a Graph export); `displayName` is informational.
//! Named location and authentication strength specs that `caac apply`
//! manages are recorded the same way under `namedLocations` and
//! `authenticationStrengths` (spec file → id), so a spec without `id:` keeps
//! meaning the object caac created for it.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The default lock file name.
pub const DEFAULT: &str = "caac.lock";

/// The lock file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Lock {
    /// Format version (1).
    pub version: u32,
    /// Spec key → live policy.
    #[serde(default)]
    pub policies: BTreeMap<String, Entry>,
    /// Named location spec file → live named location.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub named_locations: BTreeMap<String, Entry>,
    /// Authentication strength spec file → live strength.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub authentication_strengths: BTreeMap<String, Entry>,
}

/// One managed policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Entry {
    /// The live policy's object id (lowercase).
    pub id: String,
    /// The display name when it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl Lock {
    /// Reads `path`; a missing file is an empty lock.
    pub fn read(path: &Path) -> Result<Lock, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Lock {
                    version: 1,
                    ..Lock::default()
                });
            }
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let lock: Lock = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a caac lock file: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if lock.version != 1 {
            return Err(format!(
                "{}: lock file version {} is not supported (expected 1)",
                path.display(),
                lock.version
            ));
        }
        Ok(lock)
    }

    /// Writes the lock atomically.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let v = serde_json::to_value(self).map_err(|e| e.to_string())?;
        crate::emit::write_file(path, crate::emit::pretty(&v).as_bytes())
            .map_err(|e| format!("cannot write the lock file: {e}"))
    }

    /// The spec key that records `id`, if any.
    pub fn key_of(&self, id: &str) -> Option<&str> {
        self.policies
            .iter()
            .find(|(_, e)| e.id.eq_ignore_ascii_case(id))
            .map(|(k, _)| k.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_is_sorted_and_stable() {
        let mut l = Lock {
            version: 1,
            ..Lock::default()
        };
        for k in ["b.yaml", "a.yaml"] {
            l.policies.insert(
                k.into(),
                Entry {
                    id: format!("id-{k}"),
                    display_name: None,
                },
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("caac.lock");
        l.write(&p).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.find("a.yaml").unwrap() < text.find("b.yaml").unwrap());
        assert_eq!(Lock::read(&p).unwrap(), l);
        assert_eq!(l.key_of("ID-A.YAML"), Some("a.yaml"));
    }

    #[test]
    fn bad_lock_names_position() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("caac.lock");
        std::fs::write(&p, "{\"version\": 1,\n \"x\": 2}").unwrap();
        assert!(Lock::read(&p).unwrap_err().contains(":2:"));
    }
}
