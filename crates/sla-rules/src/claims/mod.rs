//! Claims: the request a widget files, the rules' check before a server accepts one, and
//! the workflow a filed claim goes through (docs/DATA_CONTRACT.md, "claims"). Both sides
//! call these modules; the HTTP codes of the claims API are [`crate::wire`]'s.

mod check;
mod request;
mod workflow;

pub use check::*;
pub use request::*;
pub use workflow::*;
