//! The `label_definitions` rule (SPEC "Audit rules"). Pure. STUB.
