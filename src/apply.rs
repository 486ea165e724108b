//! The only writer. STUB.
