//! The simulated GitLab. STUB.
