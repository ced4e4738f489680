//! `voter-lookup`: parse the command line and the settings, start logging
//! and the runtime, hand over to [`voter_lookup::app`].

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use voter_lookup::config::{Cli, Command, LogFormat, ServerArgs, read_file};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let server_args: &ServerArgs = match &cli.command {
        Command::Serve(args) => &args.server,
        Command::Demo(args) => &args.server,
        Command::Key(command) => return print(voter_lookup::privacy::commands::key(command)),
        Command::Audit(args) => return print(voter_lookup::privacy::commands::audit(args)),
        Command::Weather(args) => return weather(args),
    };
    let resolved = read_file(server_args.config.as_deref())
        .and_then(|file| server_args.to_config(&file).map(|config| (file, config)));
    let (file, config) = match resolved {
        Ok(resolved) => resolved,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    init_tracing(config.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(config.workers.get())
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    let outcome = runtime.block_on(async move {
        match cli.command {
            Command::Serve(args) => voter_lookup::app::serve(args, file, config).await,
            Command::Demo(args) => voter_lookup::app::demo(args, file, config).await,
            Command::Key(_) | Command::Audit(_) | Command::Weather(_) => {
                unreachable!("answered before the runtime")
            }
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a command's text, or its error.
fn print(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Prints the météo report (or where it went); its exit code says the
/// verdict, 2 when no report could be made.
fn weather(args: &voter_lookup::config::WeatherArgs) -> ExitCode {
    use voter_lookup::status::weather;
    match weather::command(args) {
        Ok(done) => {
            print!("{}", done.stdout);
            ExitCode::from(done.exit_code)
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(weather::EXIT_UNUSABLE)
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("VOTER_LOOKUP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let json = match format {
        LogFormat::Json => true,
        LogFormat::Text => false,
        LogFormat::Auto => !std::io::stderr().is_terminal(),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
