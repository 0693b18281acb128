//! `socialkit`: the command line of the socialkit library (feature `cli`).
//!
//! Every command takes `--json` (machine-readable output on stdout, nothing else there),
//! reads its settings from flags, `SOCIALKIT_*` environment variables and a config file (in
//! that order), and exits with a code that says what went wrong (see [`exit`]).

mod app;
mod campaign;
mod channels;
mod config;
mod connect;
mod connect_meta;
mod connect_oauth;
mod exit;
mod inbox_cmd;
mod listen_cmd;
mod output;
mod publish;

use std::process::ExitCode;

use clap::Parser;

use app::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.global.json;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::UNEXPECTED);
        }
    };
    match runtime.block_on(app::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            exit::report(&e, json);
            ExitCode::from(exit::code(&e))
        }
    }
}
