//! The `dossier` command: parse arguments, set up logging, dispatch.

mod cli;

use std::process::ExitCode;

/// Indexing, searching and page building allocate many small short-lived values
/// on Tantivy's threads and free them on another. mimalloc keeps such frees cheap
/// where glibc's allocator took locks and consolidated: 10-15 % less CPU for
/// `dossier index`, search p50 and a busy entity page (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    restore_default_sigpipe();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "dossier=info,warn".into());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();

    match cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", message(&error));
            ExitCode::from(cli::exit_code(&error))
        }
    }
}

/// The error and its causes, each said once: many library errors already name
/// their cause in their own message ("path: No such file or directory").
fn message(error: &anyhow::Error) -> String {
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

/// Rust ignores SIGPIPE, so `dossier search … | head` would fail with a "broken
/// pipe" error once `head` exits. A command-line filter should simply stop, as
/// other Unix tools do.
#[cfg(unix)]
fn restore_default_sigpipe() {
    // SAFETY: called once at start-up, before any thread exists; SIG_DFL is a
    // valid disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_default_sigpipe() {}
