//! The `stray_milestones` rule (SPEC "Audit rules"). Pure. STUB.
