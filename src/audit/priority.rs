//! The `priority` rule (SPEC "Audit rules"). Pure. STUB.
