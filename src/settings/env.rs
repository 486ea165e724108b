//! `WOW_*` and GitLab CI variables, read from a map. Pure. STUB.
