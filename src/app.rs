//! One fn per command. STUB.
