//! The job log: GitLab collapsible sections, colour, the closing summary. STUB.
