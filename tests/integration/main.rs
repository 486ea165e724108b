//! Integration tests: the real binary against the simulated GitLab over loopback.
//! One test binary (one link step), one file per area.

mod audit;
mod cli;
mod report;
mod rotation;
mod support;

mod doctor;
mod faults;
