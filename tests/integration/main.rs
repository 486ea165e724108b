//! Integration tests: the real binary against the simulated GitLab over loopback.
//! One test binary (one link step), one file per area.

mod audit;
mod cli;
mod doctor;
mod failures;
mod faults;
mod preflight;
mod publish;
mod report;
mod report_read;
mod resume;
mod rotation;
mod server_data;
mod stop;
mod support;
