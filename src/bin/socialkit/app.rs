//! The command tree (clap derive) and the dispatch.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use socialkit::Result;

use crate::config::Context;
use crate::{campaign, channels, inbox_cmd, listen_cmd, publish};

const EXAMPLES: &str = "\
Examples:
  socialkit init
  socialkit channel add sandbox://acme?seed=42 --id acme
  socialkit post \"Our anvil is here\" --to acme --at \"2026-12-24 09:00 Europe/Berlin\"
  socialkit queue
  socialkit worker
  socialkit run examples/campaign.toml --report report.html
  socialkit demo                      # the campaign loop on sandbox channels, writes report.html
  socialkit --json queue | jq '.[].state'

Settings come from flags, then SOCIALKIT_* environment variables, then the config file
(--config, SOCIALKIT_CONFIG or ./socialkit.toml). Exit codes: 0 ok, 1 unexpected, 2 usage,
3 invalid input, 4 not found, 5 not authorised, 6 temporary (rate limit, network),
7 configuration or store, 8 conflict with the current state, 9 not supported.";

/// Social media management from the command line: channels, posts, approvals, the worker,
/// the inbox, listening, campaigns and reports.
#[derive(Debug, Parser)]
#[command(name = "socialkit", version, about, after_help = EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Machine-readable JSON on stdout (no tables, no progress bars).
    #[arg(long, global = true)]
    pub json: bool,
    /// The store: `sqlite:PATH` or `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (built with
    /// the feature `postgres`); the URL's password is never printed.
    #[arg(long, global = true, env = "SOCIALKIT_STORE")]
    pub store: Option<String>,
    /// The workspace (an agency's client).
    #[arg(long, global = true, env = "SOCIALKIT_WORKSPACE")]
    pub workspace: Option<String>,
    /// Who you are in the workspace (audit log, roles).
    #[arg(long, global = true, env = "SOCIALKIT_USER")]
    pub user: Option<String>,
    /// The config file (default: ./socialkit.toml if it exists).
    #[arg(long, global = true, env = "SOCIALKIT_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Creates the store, the workspace with you as its owner, and socialkit.toml.
    #[command(
        after_help = "Example:\n  socialkit init --store sqlite:acme.db --workspace acme --user olga"
    )]
    Init {
        /// A name for people.
        #[arg(long)]
        name: Option<String>,
    },
    /// Connects, lists and removes channels.
    #[command(subcommand)]
    Channel(ChannelCmd),
    /// Queues a post to channels: now, at a time, or for approval.
    #[command(
        after_help = "Examples:\n  socialkit post \"Our anvil is here\" --to acme,acme-masto\n  socialkit post \"Sale!\" --to acme --media sale.png --alt \"A red anvil\" --at \"2026-12-24 09:00 Europe/Berlin\"\n  socialkit post \"Part one\" --thread \"Part two\" --to acme --submit-for-approval"
    )]
    Post(PostArgs),
    /// Lists deliveries with their state and reason.
    #[command(
        after_help = "Examples:\n  socialkit queue\n  socialkit queue --state failed --channel acme"
    )]
    Queue {
        /// Only these states (scheduled, in_review, published, failed …).
        #[arg(long, value_delimiter = ',')]
        state: Vec<String>,
        /// Only this channel.
        #[arg(long)]
        channel: Option<String>,
        /// Only this post.
        #[arg(long)]
        post: Option<String>,
        /// At most this many (newest last).
        #[arg(long, default_value_t = 200)]
        limit: usize,
    },
    /// Approves a post in review: it is scheduled.
    Approve {
        /// The post's id (see `socialkit queue`).
        post: String,
        /// Why (the audit log keeps it).
        #[arg(long, default_value = "approved")]
        reason: String,
    },
    /// Sends a post in review back for changes (or cancels it with --cancel).
    Reject {
        /// The post's id.
        post: String,
        /// Why (the audit log keeps it; the author sees it).
        #[arg(long, default_value = "changes requested")]
        reason: String,
        /// Cancel the post instead of asking for changes.
        #[arg(long)]
        cancel: bool,
    },
    /// Publishes due posts until Ctrl-C (finishing in-flight work), with a live status line.
    #[command(
        after_help = "Examples:\n  socialkit worker\n  socialkit worker --once     # publish what is due now, then exit"
    )]
    Worker {
        /// Publish what is due now and exit.
        #[arg(long)]
        once: bool,
    },
    /// The unified inbox.
    #[command(subcommand)]
    Inbox(InboxCmd),
    /// Runs listening queries over the channels' search: volume, sentiment, anomalies.
    #[command(
        after_help = "Example:\n  socialkit listen '\"free shipping\" OR #acme' --days 7 --bucket-hours 6"
    )]
    Listen(listen_cmd::ListenArgs),
    /// Plans a campaign from its goals (no publishing).
    #[command(after_help = "Example:\n  socialkit plan examples/campaign.toml")]
    Plan {
        /// The campaign file.
        campaign: PathBuf,
    },
    /// Runs a campaign on sandbox channels in simulated time: plan, publish, measure, grade.
    #[command(
        after_help = "Example:\n  socialkit run examples/campaign.toml --report report.html --lang de"
    )]
    Run(campaign::RunArgs),
    /// The campaign loop on the bundled example, writing report.html (offline).
    Demo {
        /// Where to write the HTML report.
        #[arg(long, default_value = "report.html")]
        out: PathBuf,
        /// Report language: en or de.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Writes a campaign report from a `run` stored in the store: HTML, CSV or JSON.
    #[command(
        after_help = "Examples:\n  socialkit report --campaign spring-range --format html --out report.html\n  socialkit report --campaign spring-range --format csv --table posts\n  socialkit report --campaign spring-range --format text --lang de"
    )]
    Report(campaign::ReportArgs),
    /// Prints shell completions.
    #[command(
        after_help = "Example:\n  socialkit completions bash > /etc/bash_completion.d/socialkit"
    )]
    Completions {
        /// The shell.
        shell: Shell,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

// Parsed once per process: the size of the `Add` variant's flags costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum ChannelCmd {
    /// Connects a channel by its URL (`sandbox://acme`, `mastodon://TOKEN@host` …).
    #[command(
        after_help = "Examples:\n  socialkit channel add sandbox://acme?seed=42 --id acme\n  socialkit channel add 'mastodon://TOKEN@mastodon.social' --id masto\n  socialkit channel add --connect mastodon --instance mastodon.social   # opens the authorization in a browser\n  SOCIALKIT_APP_PASSWORD=xxxx-xxxx-xxxx-xxxx socialkit channel add --connect bluesky --handle acme.bsky.social\n  SOCIALKIT_X_CLIENT_ID=… socialkit channel add --connect x --port 8765\n  SOCIALKIT_LINKEDIN_CLIENT_ID=… SOCIALKIT_LINKEDIN_CLIENT_SECRET=… socialkit channel add --connect linkedin\n  socialkit channel add --connect linkedin --organization                 # lists the organizations you administer\n  socialkit channel add --connect linkedin --account urn:li:organization:2414183\n  SOCIALKIT_REDDIT_CLIENT_ID=… socialkit channel add --connect reddit --user-agent 'web:acme-social:1.0 (by /u/acme)' --subreddit acme\n  SOCIALKIT_META_APP_ID=… SOCIALKIT_META_APP_SECRET=… socialkit channel add --connect facebook   # lists your Pages when there are several\n  socialkit channel add --connect facebook --account 1234567890           # the Page with this id\n  socialkit channel add --connect instagram --account 17841400000000001   # the Instagram account linked to a Page\n  SOCIALKIT_THREADS_APP_ID=… SOCIALKIT_THREADS_APP_SECRET=… socialkit channel add --connect threads\n\nOAuth flows (mastodon, x, linkedin, reddit, facebook, instagram, threads) print the authorization URL and wait for the browser's redirect to http://127.0.0.1:PORT/callback: register that redirect URI with your app (fix the port with --port). The channel is stored only when the flow completes, the granted scopes suffice and the platform answers who the account is; refresh tokens and expiry are kept so the engine renews the token. Facebook and Instagram use your Meta app (Facebook Login; the Page token is stored), Threads its own Threads app id and secret (the long-lived token and its expiry are stored; it is renewed before it runs out). A permission the channel needs but the user did not grant stops the flow (exit code 5) and names it.\n\nCredentials are sealed in the store's vault with the key in SOCIALKIT_VAULT_KEYS or the key file (default: the store's path + .keys, written by `socialkit init`)."
    )]
    Add(crate::channels::AddArgs),
    /// Lists the channels with their health.
    List {
        /// Ask each platform who the account is (a network call per channel).
        #[arg(long)]
        check: bool,
    },
    /// Disconnects a channel (its credentials are deleted; its history stays).
    Remove {
        /// The channel's id.
        id: String,
    },
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// The text.
    pub text: String,
    /// Channels, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub to: Vec<String>,
    /// Media files (png, jpg, gif, webp, mp4), in order; repeat for several.
    #[arg(long)]
    pub media: Vec<PathBuf>,
    /// Alt text of each media file, in the same order.
    #[arg(long)]
    pub alt: Vec<String>,
    /// When: "YYYY-MM-DD HH:MM Zone/Name" or RFC 3339 (default: now).
    #[arg(long)]
    pub at: Option<String>,
    /// Further parts of a thread, in order.
    #[arg(long)]
    pub thread: Vec<String>,
    /// Store it for review instead of scheduling it.
    #[arg(long)]
    pub submit_for_approval: bool,
    /// A campaign label.
    #[arg(long)]
    pub campaign: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum InboxCmd {
    /// Reads new interactions from every channel.
    Sync,
    /// Lists items, filtered or by a saved view.
    #[command(
        after_help = "Examples:\n  socialkit inbox list --state new --intent question\n  socialkit inbox list --view urgent\n  socialkit inbox list --query refund --save-view refunds"
    )]
    List(inbox_cmd::ListArgs),
    /// Shows one item.
    Show {
        /// The item's key (`channel/platform/id`, see `inbox list`).
        key: String,
    },
    /// Replies to an item through the outbox (sent exactly once by the worker).
    Reply {
        /// The item's key.
        key: String,
        /// The reply.
        text: String,
    },
    /// Assigns an item to a member.
    Assign {
        /// The item's key.
        key: String,
        /// The member.
        member: String,
    },
    /// Marks an item resolved.
    Resolve {
        /// The item's key.
        key: String,
    },
    /// Lists the saved views with their counts.
    Views,
}

/// Runs the command.
pub async fn run(cli: Cli) -> Result<()> {
    let global = cli.global;
    match cli.command {
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let shell = match shell {
                Shell::Bash => clap_complete::Shell::Bash,
                Shell::Zsh => clap_complete::Shell::Zsh,
                Shell::Fish => clap_complete::Shell::Fish,
            };
            clap_complete::generate(shell, &mut cmd, "socialkit", &mut std::io::stdout());
            Ok(())
        }
        Command::Init { name } => {
            let ctx = Context::resolve(&global)?;
            channels::init(&ctx, name.as_deref()).await
        }
        Command::Plan { campaign: path } => {
            let ctx = Context::resolve(&global)?;
            campaign::plan_cmd(&ctx, &path)
        }
        Command::Run(args) => {
            let ctx = Context::resolve(&global)?;
            campaign::run_cmd(&ctx, args).await
        }
        Command::Demo { out, lang } => {
            let ctx = Context::resolve(&global)?;
            campaign::demo(&ctx, out, &lang).await
        }
        Command::Report(args) => {
            let ctx = Context::resolve(&global)?;
            campaign::report_cmd(&ctx, args).await
        }
        Command::Channel(ChannelCmd::Add(args)) => channels::add(&open(&global).await?, args).await,
        Command::Channel(ChannelCmd::List { check }) => {
            channels::list(&open(&global).await?, check).await
        }
        Command::Channel(ChannelCmd::Remove { id }) => {
            channels::remove(&open(&global).await?, &id).await
        }
        Command::Post(args) => publish::post(&open(&global).await?, args).await,
        Command::Queue {
            state,
            channel,
            post,
            limit,
        } => publish::queue(&open(&global).await?, &state, channel, post, limit).await,
        Command::Approve { post, reason } => {
            publish::approve(&open(&global).await?, &post, &reason).await
        }
        Command::Reject {
            post,
            reason,
            cancel,
        } => publish::reject(&open(&global).await?, &post, &reason, cancel).await,
        Command::Worker { once } => publish::worker(&open(&global).await?, once).await,
        Command::Inbox(cmd) => inbox_cmd::run(&open(&global).await?, cmd).await,
        Command::Listen(args) => listen_cmd::run(&open(&global).await?, args).await,
    }
}

/// The settings, the store, the engine and the channels.
async fn open(global: &Global) -> Result<crate::config::App> {
    Context::resolve(global)?.open().await
}
