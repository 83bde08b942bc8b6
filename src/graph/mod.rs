//! Graph's `conditionalAccessPolicy` JSON shape, both ways: [`compile`] turns
//! the policy model into Graph request bodies (and checks them against the
//! schemas generated from Microsoft's CSDL metadata), [`read`] turns Graph
//! JSON (exports, `GET` answers) back into the same model with a pointer map
//! into the input.
//!
//! Contract: one module owns the mapping between the model and Graph's
//! property names, so a property is added in one place each way
//! (<https://learn.microsoft.com/graph/api/resources/conditionalaccesspolicy>).

pub mod compile;
pub mod read;
