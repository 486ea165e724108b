//! Read-only snapshot of what GitLab holds. STUB.
