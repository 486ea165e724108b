//! The `handoff` rule (SPEC "Audit rules"). Pure. STUB.
