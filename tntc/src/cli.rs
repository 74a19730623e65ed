//! The command-line grammar: the global flags and one variant per command, each holding the
//! arguments its module owns (`commands/<name>.rs`). Only commands that work are listed.

use clap::{Args, Parser, Subcommand};

use crate::commands;
use crate::errors::CliResult;
use crate::output::{OutputFormat, Printer};

/// Run TypeScript workflow DAGs with every node in its own WebAssembly sandbox.
///
/// A workflow is a directory with a workflow.yaml (triggers, nodes, edges, config, contract)
/// and one TypeScript file per node. Start with `tntc init my-flow`, then `tntc validate
/// my-flow` and `tntc visualize my-flow`.
#[derive(Debug, Parser)]
#[command(
    name = "tntc",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_long_help = EXIT_STATUS
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: human-readable text, or JSON for scripts.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a new workflow directory.
    ///
    /// Creates <NAME>/ with workflow.yaml, nodes/hello.ts, tests/fixtures/hello.json,
    /// .secrets.yaml.example and .gitignore. Refuses to touch an existing directory.
    Init(commands::init::InitArgs),

    /// Check a workflow.yaml and report every problem with its position.
    ///
    /// Exits 0 with a one-line summary when valid, 3 with every error otherwise.
    /// `-o json` prints {valid, errors, warnings, stages}.
    Validate(commands::validate::ValidateArgs),

    /// Draw the workflow's DAG: triggers, nodes, edges, grouped by stage.
    ///
    /// Prints Mermaid (paste into a Markdown ```mermaid block) or Graphviz DOT
    /// (`tntc visualize --format dot | dot -Tsvg > dag.svg`). `-o json` prints the graph as data.
    Visualize(commands::visualize::VisualizeArgs),

    /// Compile every node to WebAssembly and write the bundle the host runs.
    ///
    /// Validates the workflow, compiles each node's TypeScript (and its relative imports) to
    /// one Wasm module, and writes <DIR>/dist/: workflow.yaml, nodes/<id>.wasm and a manifest
    /// with the sha256 of every module and of the runtime they need. Exits 3 with every
    /// compile error when any node fails. Run the result with
    /// `tntc-host --workflow <DIR>/dist/workflow.yaml`.
    Build(commands::build::BuildArgs),

    /// Run a workflow once, locally or as deployed, and print its ExecutionResult.
    ///
    /// TARGET is a workflow directory (or its workflow.yaml): tntc compiles every node and runs
    /// the DAG in-process, each node in a fresh WebAssembly sandbox exactly as in the pod (same
    /// egress policy, same secrets cascade); node logs go to stderr as `[node] INFO message`.
    ///
    /// TARGET is the name of a deployed workflow (and no such path exists here), or --cluster
    /// is given: tntc POSTs the input to the workflow's /run through the Kubernetes API
    /// server's service proxy (no pod is started) and prints the answer.
    ///
    /// Exits 0 when every node succeeded, 1 when one failed. `-o json` prints the raw
    /// ExecutionResult.
    #[command(after_long_help = commands::run::EXAMPLES)]
    Run(commands::run::RunArgs),

    /// Serve a workflow locally and reload it whenever a file changes.
    ///
    /// Compiles and serves the workflow on the engine's HTTP API (POST /run, GET /health,
    /// GET /ready) with the same sandbox as the pod. Edits to node files, their imports,
    /// workflow.yaml or the secrets reload what changed; runs in flight finish on the old
    /// version. Errors are shown with their position and the previous version keeps serving.
    Dev(commands::dev::DevArgs),

    /// Run each node against its fixtures in the sandbox, or the whole DAG with --pipeline.
    ///
    /// Every fixture in tests/fixtures/ runs its node once, in a fresh sandbox with a mock
    /// context, and its output is compared with "expected". Prints one line per fixture,
    /// a diff, error, stack and logs under each failure, and a summary; `-o json` prints
    /// {workflow, mode, results, skipped, drift, summary}.
    #[command(after_long_help = commands::test::HELP)]
    Test(commands::test::TestArgs),

    /// Check or scaffold the workflow's local secrets (.secrets/ and .secrets.yaml).
    ///
    /// Secrets resolve as the host resolves them: `.secrets/` (one file per service) is the
    /// base, `.secrets.yaml` is merged on top, a whole service at a time; `--secrets <path>`
    /// replaces both. In the pod, /app/secrets (the Kubernetes Secret) is merged on top
    /// last: it does not exist on a development machine and is not read here.
    Secrets(commands::secrets::SecretsArgs),

    /// Set or show the defaults for registry, namespace and runtime class.
    ///
    /// With values (-r/--registry, -n/--namespace, --runtime-class) writes them to the user
    /// file ~/.tentacular/config.yaml, or with --project to ./.tentacular/config.yaml; an
    /// empty value ("") removes the key. Other keys and comments in the file are kept.
    ///
    /// Without values (or with --show) prints the effective settings and where each comes
    /// from. Highest precedence first: the -n/-r/--runtime-class flag, the workflow's
    /// deployment.namespace (namespace only, when ./workflow.yaml exists), the project file,
    /// the user file, the default (namespace "default", runtime class "gvisor", no registry).
    #[command(after_long_help = commands::configure::EXAMPLES)]
    Configure(commands::configure::ConfigureArgs),

    /// Measure how fast each node starts and runs in fresh sandboxes, and the whole DAG.
    ///
    /// Compiles the workflow like `tntc run`, then reports runtime start-up (cold: wizer and
    /// JIT into an empty cache; warm: from the cache), each node's fresh-sandbox run over
    /// --runs runs (instantiate, load, input, run, output, teardown: p50/p90/p99/max; input
    /// from tests/fixtures/<node>.json or {}; fetches answered locally), and the whole DAG.
    /// `-o json` prints the figures as data.
    Bench(commands::bench::BenchArgs),

    /// Deploy a workflow to Kubernetes (or print its objects with --dry-run).
    ///
    /// Builds the bundle when dist/ is missing or stale, then renders, for the resolved
    /// namespace, image and runtime class: ConfigMap <NAME>-code (the bundle), Deployment and
    /// Service <NAME>, one CronJob per cron trigger, NetworkPolicy <NAME>-netpol and, with
    /// local secrets (.secrets/ or .secrets.yaml), Secret <NAME>-secrets; applies them to the
    /// cluster of the kubeconfig (server-side apply, pruning what the workflow no longer has)
    /// and, on a terminal or with --wait, waits for the rollout.
    #[command(after_long_help = commands::deploy::HELP)]
    Deploy(commands::deploy::DeployArgs),

    /// Build the tntc-host container image (an OCI layout, no daemon), and push it.
    Image(commands::image::ImageCommandArgs),

    /// Show a deployed workflow: readiness, replicas, image, runtime class, pods, events.
    ///
    /// Pods show their restarts and last state, events the newest first. `-o json` prints
    /// {name, namespace, ready, replicas, available}; with --detail every field.
    Status(commands::status::StatusArgs),

    /// Print the logs of every pod of a deployed workflow ([pod] prefixed when several).
    Logs(commands::logs::LogsArgs),

    /// List the workflows deployed in a namespace (or all, with -A).
    ///
    /// Columns NAME VERSION NAMESPACE STATUS REPLICAS AGE; `-o json` prints an array.
    List(commands::list::ListArgs),

    /// Delete a deployed workflow: everything with its labels, and its -code/-secrets.
    ///
    /// Asks first on a terminal; elsewhere --yes is required. Exits 1 when nothing of the
    /// workflow was found.
    Undeploy(commands::undeploy::UndeployArgs),

    /// Inspect the cluster tntc deploys to.
    Cluster(commands::cluster::ClusterCommandArgs),

    /// Print a shell completion script.
    ///
    /// bash: `tntc completions bash > /etc/bash_completion.d/tntc`;
    /// zsh: `tntc completions zsh > "${fpath[1]}/_tntc"`;
    /// fish: `tntc completions fish > ~/.config/fish/completions/tntc.fish`.
    Completions(commands::completions::CompletionsArgs),
}

impl Command {
    /// Runs the command.
    pub fn execute(self, out: &Printer) -> CliResult {
        if out.format() == OutputFormat::Yaml && !matches!(self, Command::Deploy(_)) {
            return crate::errors::usage(
                "-o yaml is only for `tntc deploy --dry-run`, which prints Kubernetes objects\n  help: use -o json (or -o text) with this command",
            );
        }
        match self {
            Command::Init(args) => args.execute(out),
            Command::Validate(args) => args.execute(out),
            Command::Visualize(args) => args.execute(out),
            Command::Build(args) => args.execute(out),
            Command::Run(args) => args.execute(out),
            Command::Dev(args) => args.execute(out),
            Command::Test(args) => args.execute(out),
            Command::Secrets(args) => args.execute(out),
            Command::Configure(args) => args.execute(out),
            Command::Bench(args) => args.execute(out),
            Command::Deploy(args) => args.execute(out),
            Command::Image(args) => args.execute(out),
            Command::Status(args) => args.execute(out),
            Command::Logs(args) => args.execute(out),
            Command::List(args) => args.execute(out),
            Command::Undeploy(args) => args.execute(out),
            Command::Cluster(args) => args.execute(out),
            Command::Completions(args) => args.execute(<Cli as clap::CommandFactory>::command()),
        }
    }
}

const EXIT_STATUS: &str = "Exit status:
  0  success
  1  the command ran and the answer is no: a node failed (run), a fixture failed or drifted
     (test), a referenced secret is missing (secrets check), a benchmark run failed (bench)
  2  usage: the command line, or a value in it, is wrong
  3  the workflow is invalid, or a node does not compile
  4  I/O or environment: a file, directory, port or runtime is not usable";
