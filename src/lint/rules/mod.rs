//! The registry: one file per rule, listed here in id order. Ids and names are
//! the public namespace of `shared/reference/rules.md`; never rename one.

use super::Rule;

mod ca001_empty_user_scope;
mod ca002_empty_resource_scope;
mod ca005_block_with_grant_controls;
mod ca008_no_controls;
mod ca016_mixed_target_types;
mod ca101_break_glass_not_excluded;
mod ca301_sif_invalid;
mod ca802_duplicate_display_name;

/// Every rule, in id order.
pub static RULES: &[&Rule] = &[
    &ca001_empty_user_scope::RULE,
    &ca002_empty_resource_scope::RULE,
    &ca005_block_with_grant_controls::RULE,
    &ca008_no_controls::RULE,
    &ca016_mixed_target_types::RULE,
    &ca101_break_glass_not_excluded::RULE,
    &ca301_sif_invalid::RULE,
    &ca802_duplicate_display_name::RULE,
];
