//! The registry: one file per rule, listed here in id order. Ids and names are
//! public (the rule catalogue's namespace, shared with the Graph-validity
//! constraints of [`crate::validity`]); never rename one.

use super::Rule;

mod ca001_empty_user_scope;
mod ca002_empty_resource_scope;
mod ca003_include_exclude_overlap;
mod ca004_special_value_mixed;
mod ca006_block_with_session_controls;
mod ca017_report_only_user_action;
mod ca027_location_range_host_bits;
mod ca028_location_range_overlap;
mod ca101_break_glass_not_excluded;
mod ca102_block_all_users_no_exclusion;
mod ca103_all_users_no_exclusion;
mod ca104_dirsync_not_excluded;
mod ca105_excessive_exclusions;
mod ca111_exclusion_expired;
mod ca112_exclusion_undocumented;
mod ca201_enabled_without_report_only;
mod ca205_disabled_policy;
mod ca207_report_only_stale;
mod ca208_pilot_without_group;
mod ca302_sif_everytime_scope;
mod ca306_app_enforced_restrictions_unsupported_app;
mod ca310_sif_unusual_value;
mod ca401_tp_unsupported_resource;
mod ca402_tp_office365_or_all;
mod ca403_tp_platform;
mod ca404_tp_client_app_types;
mod ca405_tp_includes_guests;
mod ca406_tp_broad_scope;
mod ca407_tp_companion_policies_missing;
mod ca501_legacy_guest_keyword;
mod ca602_workload_mixed_with_users;
mod ca701_legacy_auth_not_blocked;
mod ca702_all_users_mfa_missing;
mod ca703_admins_phishing_resistant_missing;
mod ca704_admins_mfa_missing;
mod ca705_device_code_flow_unrestricted;
mod ca707_user_risk_policy_missing;
mod ca708_signin_risk_policy_missing;
mod ca709_risk_conditions_combined;
mod ca712_unknown_platforms_not_blocked;
mod ca714_no_all_resources_baseline;
mod ca718_policy_count_limit;
mod ca801_naming_convention;
mod ca802_duplicate_display_name;
mod ca805_exclusion_without_fallback;
mod ca901_unknown_named_location;
mod ca902_unknown_or_deleted_group;
mod ca903_unknown_user;
mod ca904_unsupported_role;
mod ca906_unknown_reference;
mod ca911_unused_location_or_strength;
mod ca912_trusted_location_broad_range;
mod ca913_unknown_countries_in_block_exclusion;
mod helpers;

/// Every rule, in id order.
pub static RULES: &[&Rule] = &[
    &ca001_empty_user_scope::RULE,
    &ca002_empty_resource_scope::RULE,
    &ca003_include_exclude_overlap::RULE,
    &ca004_special_value_mixed::RULE,
    &ca006_block_with_session_controls::RULE,
    &ca017_report_only_user_action::RULE,
    &ca027_location_range_host_bits::RULE,
    &ca028_location_range_overlap::RULE,
    &ca101_break_glass_not_excluded::RULE,
    &ca102_block_all_users_no_exclusion::RULE,
    &ca103_all_users_no_exclusion::RULE,
    &ca104_dirsync_not_excluded::RULE,
    &ca105_excessive_exclusions::RULE,
    &ca111_exclusion_expired::RULE,
    &ca112_exclusion_undocumented::RULE,
    &ca201_enabled_without_report_only::RULE,
    &ca205_disabled_policy::RULE,
    &ca207_report_only_stale::RULE,
    &ca208_pilot_without_group::RULE,
    &ca302_sif_everytime_scope::RULE,
    &ca306_app_enforced_restrictions_unsupported_app::RULE,
    &ca310_sif_unusual_value::RULE,
    &ca401_tp_unsupported_resource::RULE,
    &ca402_tp_office365_or_all::RULE,
    &ca403_tp_platform::RULE,
    &ca404_tp_client_app_types::RULE,
    &ca405_tp_includes_guests::RULE,
    &ca406_tp_broad_scope::RULE,
    &ca407_tp_companion_policies_missing::RULE,
    &ca501_legacy_guest_keyword::RULE,
    &ca602_workload_mixed_with_users::RULE,
    &ca701_legacy_auth_not_blocked::RULE,
    &ca702_all_users_mfa_missing::RULE,
    &ca703_admins_phishing_resistant_missing::RULE,
    &ca704_admins_mfa_missing::RULE,
    &ca705_device_code_flow_unrestricted::RULE,
    &ca707_user_risk_policy_missing::RULE,
    &ca708_signin_risk_policy_missing::RULE,
    &ca709_risk_conditions_combined::RULE,
    &ca712_unknown_platforms_not_blocked::RULE,
    &ca714_no_all_resources_baseline::RULE,
    &ca718_policy_count_limit::RULE,
    &ca801_naming_convention::RULE,
    &ca802_duplicate_display_name::RULE,
    &ca805_exclusion_without_fallback::RULE,
    &ca901_unknown_named_location::RULE,
    &ca902_unknown_or_deleted_group::RULE,
    &ca903_unknown_user::RULE,
    &ca904_unsupported_role::RULE,
    &ca906_unknown_reference::RULE,
    &ca911_unused_location_or_strength::RULE,
    &ca912_trusted_location_broad_range::RULE,
    &ca913_unknown_countries_in_block_exclusion::RULE,
];
