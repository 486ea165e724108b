//! What wowctl prints for people, on stdout. A closed pipe (`wowctl run | head`)
//! or a full disk ends the output, never the run: the report must still be written
//! and the exit status still reflect the work (Rust's `println!` would panic).

use std::io::Write;

/// Writes `text` as it is; write errors are dropped on purpose (see above).
pub fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// `println!` that never panics.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::print(&format!("{}\n", format_args!($($arg)*)))
    };
}
