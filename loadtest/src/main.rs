//! `loadtest`: parse the command line, start one tokio runtime of
//! `--threads` threads, run the rehearsal, print its table, and turn the
//! verdict into the exit status (0 pass, 1 fail, 2 usage or other errors).

use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use loadtest::cli::{Cli, Command, QueriesArgs, RunArgs};

// Every request allocates and frees a few small buffers; mimalloc keeps
// that off the profile (glibc's malloc trimmed and re-faulted pages).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // clap exits with status 2 on a usage error, as the contract wants.
    let cli = Cli::parse();
    let outcome = match &cli.command {
        Command::Run(args) => run(args),
        Command::Queries(args) => queries(args),
    };
    match outcome {
        Ok(status) => ExitCode::from(status),
        Err(error) => {
            eprintln!("loadtest: error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn queries(args: &QueriesArgs) -> anyhow::Result<u8> {
    let lines = match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let lines = loadtest::write_queries(args, &mut std::io::BufWriter::new(file))?;
            eprintln!(
                "loadtest: {lines} request paths written to {}",
                path.display()
            );
            lines
        }
        None => loadtest::write_queries(args, &mut std::io::stdout().lock())?,
    };
    debug_assert!(lines == args.traffic.queries);
    Ok(0)
}

fn run(args: &RunArgs) -> anyhow::Result<u8> {
    let config = args.to_config()?;
    let runtime = if args.threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(args.threads)
            .enable_all()
            .build()
    }
    .context("cannot start the tokio runtime")?;
    let report = runtime.block_on(loadtest::rehearse(&config))?;
    print!("{}", loadtest::report::table::render(&report));
    for (what, path) in [("json", &config.json), ("html", &config.html)] {
        if let Some(path) = path {
            println!("{what}: {}", path.display());
        }
    }
    Ok(loadtest::exit_status(&report))
}
