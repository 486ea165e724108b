//! Dry run from `CI_PIPELINE_SOURCE` (SPEC "Modes"). Pure. STUB.
