//! Hostile inputs (issue 5 catalogue); see loader_errors.rs for the spec loader cases.
