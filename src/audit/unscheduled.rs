//! The `unscheduled` rule (SPEC "Audit rules"). Pure. STUB.
