//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A command-line client for Centrifugo, built on the ceaseless library.
#[derive(Debug, Parser)]
#[command(name = "ceaseless", version, about, long_about = None)]
pub struct Cli {
    /// Options shared by every subcommand.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every subcommand (they may also follow the subcommand).
#[derive(Debug, Args)]
pub struct Global {
    /// The server's WebSocket endpoint.
    #[arg(
        long,
        global = true,
        env = "CEASELESS_URL",
        default_value = "ws://127.0.0.1:8000/connection/websocket"
    )]
    pub url: String,

    /// The connection token (JWT). Prefer --token-env: arguments are visible to other local users.
    #[arg(long, global = true, hide_env_values = true, conflicts_with = "token_env")]
    pub token: Option<String>,

    /// Read the connection token from this environment variable.
    #[arg(long, global = true, value_name = "VAR")]
    pub token_env: Option<String>,

    /// Transport to use; repeat it for a fallback order (e.g. --transport websocket --transport sse).
    #[arg(long = "transport", global = true, value_enum, value_name = "KIND")]
    pub transports: Vec<TransportArg>,

    /// The wire encoding.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Json)]
    pub format: FormatArg,

    /// Trust this PEM CA certificate (in addition to the built-in roots) for wss:// endpoints.
    #[arg(long, global = true, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,

    /// How results are printed: for people, or one JSON object per line.
    #[arg(long, global = true, value_enum, default_value_t = OutputArg::Human)]
    pub output: OutputArg,

    /// How long to wait for the first connection and for each reply, in seconds.
    #[arg(long, global = true, default_value_t = 10.0, value_name = "SECONDS")]
    pub timeout: f64,

    /// Log the client's internals to stderr (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Subscribe to channels and print their publications, resuming across reconnects.
    Listen(ListenArgs),
    /// Publish one payload (or one per line with --lines) into a channel.
    Publish(PublishArgs),
    /// Print a channel's history.
    History(HistoryArgs),
    /// Print who is in a channel (or only the counts, with --stats).
    Presence(PresenceArgs),
}

/// `ceaseless listen`.
#[derive(Debug, Args)]
pub struct ListenArgs {
    /// The channels to subscribe to.
    #[arg(required = true)]
    pub channels: Vec<String>,

    /// Start after this stream position (`offset:epoch`), replaying what came since (one channel only).
    #[arg(long, value_name = "OFFSET:EPOCH")]
    pub since: Option<String>,

    /// Keep each channel's position in this JSON file: a restarted listen resumes where it stopped.
    #[arg(long, value_name = "FILE")]
    pub positions: Option<PathBuf>,

    /// Exit after this many publications (across all channels).
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    /// Exit after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub duration: Option<f64>,

    /// Also print joins and leaves.
    #[arg(long)]
    pub join_leave: bool,
}

/// `ceaseless publish`.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The channel.
    pub channel: String,

    /// The payload (JSON with --format json). Read from standard input when absent.
    pub data: Option<String>,

    /// Publish every non-empty line of standard input as its own payload.
    #[arg(long, conflicts_with = "data")]
    pub lines: bool,
}

/// `ceaseless history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The channel.
    pub channel: String,

    /// How many publications: 0 for only the stream position, -1 for all the server keeps.
    #[arg(long, default_value_t = 10, allow_negative_numbers = true)]
    pub limit: i32,

    /// Only publications after this position (`offset:epoch`), or before it with --reverse.
    #[arg(long, value_name = "OFFSET:EPOCH")]
    pub since: Option<String>,

    /// Newest first.
    #[arg(long)]
    pub reverse: bool,
}

/// `ceaseless presence`.
#[derive(Debug, Args)]
pub struct PresenceArgs {
    /// The channel.
    pub channel: String,

    /// Print only the number of clients and users.
    #[arg(long)]
    pub stats: bool,
}

/// `--transport` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TransportArg {
    /// WebSocket.
    Websocket,
    /// HTTP-streaming emulation.
    #[value(name = "http_stream", alias = "http-stream")]
    HttpStream,
    /// Server-sent events emulation (JSON only).
    Sse,
}

/// `--format` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// JSON frames; payloads must be JSON.
    Json,
    /// Protobuf frames; payloads are opaque bytes.
    Protobuf,
}

/// `--output` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputArg {
    /// Lines for people.
    Human,
    /// One JSON object per line.
    Json,
}
