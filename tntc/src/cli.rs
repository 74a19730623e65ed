//! The command-line grammar (clap derive). Only commands that work are listed here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Run TypeScript workflow DAGs with every node in its own WebAssembly sandbox.
///
/// A workflow is a directory with a workflow.yaml (triggers, nodes, edges, config, contract)
/// and one TypeScript file per node. Start with `tntc init my-flow`, then `tntc validate
/// my-flow` and `tntc visualize my-flow`.
#[derive(Debug, Parser)]
#[command(name = "tntc", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Container registry for images.
    #[arg(short = 'r', long, global = true, value_name = "REGISTRY")]
    pub registry: Option<String>,

    /// Output format: human-readable text, or JSON for scripts.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// For people.
    Text,
    /// One JSON document on stdout, for scripts.
    Json,
    /// A YAML stream on stdout (only `tntc deploy --dry-run`, which prints Kubernetes objects).
    Yaml,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scaffold a new workflow directory.
    ///
    /// Creates <NAME>/ with workflow.yaml, nodes/hello.ts, tests/fixtures/hello.json,
    /// .secrets.yaml.example and .gitignore. Refuses to touch an existing directory.
    Init {
        /// Workflow name, kebab-case (lowercase letters, digits, single dashes): "my-flow".
        name: String,
    },

    /// Check a workflow.yaml and report every problem with its position.
    ///
    /// Exits 0 with a one-line summary when valid, 1 with every error otherwise.
    /// `-o json` prints {valid, errors, warnings, stages}.
    Validate {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },

    /// Draw the workflow's DAG: triggers, nodes, edges, grouped by stage.
    ///
    /// Prints Mermaid (paste into a Markdown ```mermaid block) or Graphviz DOT
    /// (`tntc visualize --format dot | dot -Tsvg > dag.svg`). `-o json` prints the graph as data.
    Visualize {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,

        /// Diagram language.
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },

    /// Compile every node to WebAssembly and write the bundle the host runs.
    ///
    /// Validates the workflow, compiles each node's TypeScript (and its relative imports) to
    /// one Wasm module, and writes <DIR>/dist/: workflow.yaml, nodes/<id>.wasm and a manifest
    /// with the sha256 of every module and of the runtime they need. Exits 1 with every
    /// compile error when any node fails. Run the result with
    /// `tntc-host --workflow <DIR>/dist/workflow.yaml`.
    Build {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,

        /// Where to write the bundle [default: <DIR>/dist].
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },

    /// Run a workflow once, locally or as deployed, and print its ExecutionResult.
    ///
    /// TARGET is a workflow directory (or its workflow.yaml): tntc compiles every node and runs
    /// the DAG in-process, each node in a fresh WebAssembly sandbox exactly as in the pod (same
    /// egress policy, same secrets cascade); node logs go to stderr as `[node] INFO message`.
    ///
    /// TARGET is the name of a deployed workflow (and no such directory exists here), or
    /// --cluster is given: tntc POSTs the input to the workflow's /run through the Kubernetes
    /// API server's service proxy (no pod is started) and prints the answer.
    ///
    /// Exits 0 when every node succeeded, 1 otherwise. `-o json` prints the raw ExecutionResult.
    #[command(after_long_help = crate::commands::run::EXAMPLES)]
    Run(crate::commands::run::RunArgs),

    /// Serve a workflow locally and reload it whenever a file changes.
    ///
    /// Compiles and serves the workflow on the engine's HTTP API (POST /run, GET /health,
    /// GET /ready) with the same sandbox as the pod. Edits to node files, their imports,
    /// workflow.yaml or the secrets reload what changed; runs in flight finish on the old
    /// version. Errors are shown with their position and the previous version keeps serving.
    Dev {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,

        /// TCP port to serve on.
        #[arg(long, default_value_t = 8080)]
        port: u16,

        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1", value_name = "ADDR")]
        listen: std::net::IpAddr,

        #[command(flatten)]
        local: LocalArgs,
    },

    /// Run each node against its fixtures in the sandbox, or the whole DAG with --pipeline.
    ///
    /// Every fixture in tests/fixtures/ runs its node once, in a fresh sandbox with a mock
    /// context, and its output is compared with "expected". Prints one line per fixture,
    /// a diff, error, stack and logs under each failure, and a summary; `-o json` prints
    /// {workflow, mode, results, skipped, drift, summary}.
    #[command(after_long_help = crate::commands::test::HELP)]
    Test {
        /// Workflow directory (or its workflow.yaml), optionally followed by /<NODE> to test
        /// one node.
        #[arg(default_value = ".", value_name = "DIR[/NODE]")]
        target: PathBuf,

        /// Run the whole DAG once: the root's fixture input in, each leaf's fixture
        /// "expected" out.
        #[arg(long)]
        pipeline: bool,

        /// Show the logs of passing fixtures too.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Check or scaffold the workflow's local secrets (.secrets/ and .secrets.yaml).
    ///
    /// Secrets resolve as the host resolves them: `.secrets/` (one file per service) is the
    /// base, `.secrets.yaml` is merged on top, a whole service at a time; `--secrets <path>`
    /// replaces both. In the pod, /app/secrets (the Kubernetes Secret) is merged on top
    /// last: it does not exist on a development machine and is not read here.
    Secrets {
        /// What to do.
        #[command(subcommand)]
        command: SecretsCommand,
    },

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
    #[command(after_long_help = CONFIGURE_EXAMPLES)]
    Configure(ConfigureArgs),

    /// Measure how fast each node starts and runs in fresh sandboxes, and the whole DAG.
    ///
    /// Compiles the workflow like `tntc run`, then reports runtime start-up (cold: wizer and
    /// JIT into an empty cache; warm: from the cache), each node's fresh-sandbox run over
    /// --runs runs (instantiate, load, input, run, output, teardown: p50/p90/p99/max; input
    /// from tests/fixtures/<node>.json or {}; fetches answered locally), and the whole DAG.
    /// `-o json` prints the figures as data.
    Bench(crate::commands::bench::BenchArgs),

    /// Deploy a workflow to Kubernetes (or print its objects with --dry-run).
    ///
    /// Builds the bundle when dist/ is missing or stale, then renders, for the resolved
    /// namespace, image and runtime class: ConfigMap <NAME>-code (the bundle), Deployment and
    /// Service <NAME>, one CronJob per cron trigger, NetworkPolicy <NAME>-netpol and, with
    /// local secrets (.secrets/ or .secrets.yaml), Secret <NAME>-secrets; applies them to the
    /// cluster of the kubeconfig (server-side apply, pruning what the workflow no longer has)
    /// and, on a terminal or with --wait, waits for the rollout.
    #[command(after_long_help = crate::commands::deploy::HELP)]
    Deploy(crate::commands::deploy::DeployArgs),

    /// Show a deployed workflow: readiness, replicas, image, runtime class, pods, events.
    ///
    /// Pods show their restarts and last state, events the newest first. `-o json` prints
    /// {name, namespace, ready, replicas, available}; with --detail every field.
    Status(crate::commands::status::StatusArgs),

    /// Print the logs of every pod of a deployed workflow ([pod] prefixed when several).
    Logs(crate::commands::logs::LogsArgs),

    /// List the workflows deployed in a namespace (or all, with -A).
    ///
    /// Columns NAME VERSION NAMESPACE STATUS REPLICAS AGE; `-o json` prints an array.
    List(crate::commands::list::ListArgs),

    /// Delete a deployed workflow: everything with its labels, and its -code/-secrets.
    ///
    /// Asks first on a terminal; elsewhere --yes is required. Exits 1 when nothing of the
    /// workflow was found.
    Undeploy(crate::commands::undeploy::UndeployArgs),

    /// Inspect the cluster tntc deploys to.
    Cluster(crate::commands::cluster::ClusterCommandArgs),

    /// Print a shell completion script.
    ///
    /// bash: `tntc completions bash > /etc/bash_completion.d/tntc`;
    /// zsh: `tntc completions zsh > "${fpath[1]}/_tntc"`;
    /// fish: `tntc completions fish > ~/.config/fish/completions/tntc.fish`.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// Options of the commands that run workflows locally.
#[derive(Debug, Args)]
pub struct LocalArgs {
    /// Secrets file (YAML) or directory; replaces the local cascade (.secrets/, .secrets.yaml).
    #[arg(long, value_name = "PATH")]
    pub secrets: Option<PathBuf>,

    /// Extra CA certificates (PEM) to trust for node fetches, besides the system roots.
    #[arg(long, value_name = "PEM")]
    pub extra_ca: Option<PathBuf>,
}

impl LocalArgs {
    /// As the local host's options.
    pub fn options(&self) -> crate::local::LocalOptions {
        crate::local::LocalOptions {
            secrets: self.secrets.clone(),
            extra_ca: self.extra_ca.clone(),
        }
    }
}

/// Diagram languages for `visualize`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid `graph TD`.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

/// `tntc secrets ...`.
#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Report every secret the contract references: present, empty or missing, and from
    /// which file. Never prints a value (only its length).
    ///
    /// A referenced secret is a dependency's `auth.secret: <service>.<key>`. Also lists the
    /// services legacy `ctx.fetch("<service>", ...)` calls use (their token/api_key become
    /// auth headers) and services no dependency references. Exits 1 when a referenced secret
    /// is missing or empty, or a secrets file is broken (reported with file:line:column).
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,

        /// Check this YAML file or directory instead of .secrets/ and .secrets.yaml, as
        /// `tntc-host --secrets` would read it.
        #[arg(long, value_name = "PATH")]
        secrets: Option<PathBuf>,
    },

    /// Write .secrets.yaml with an empty value for every referenced secret, mode 0600, and
    /// make sure .gitignore lists .secrets.yaml and .secrets/.
    ///
    /// Services already provided by .secrets/ are left out (an entry in .secrets.yaml would
    /// replace the whole service). Refuses to touch an existing .secrets.yaml unless --force.
    #[command(after_long_help = INIT_EXAMPLES)]
    Init {
        /// Workflow directory, or its workflow.yaml.
        #[arg(default_value = ".")]
        dir: PathBuf,

        /// Rewrite an existing .secrets.yaml: every value it has is kept (also of services no
        /// dependency references), missing keys are added empty; comments are not kept.
        #[arg(long)]
        force: bool,
    },
}

/// `tntc configure` (the registry flag is the global -r).
#[derive(Debug, Args)]
pub struct ConfigureArgs {
    /// Default Kubernetes namespace of the commands that deploy and inspect workflows.
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Kubernetes RuntimeClass of the workflow pods [default: gvisor].
    #[arg(long, value_name = "NAME")]
    pub runtime_class: Option<String>,

    /// Write ./.tentacular/config.yaml (this project) instead of ~/.tentacular/config.yaml.
    #[arg(long, conflicts_with = "show")]
    pub project: bool,

    /// Only print the effective settings; -n/-r/--runtime-class then act as overrides, as
    /// they do for the other commands, and nothing is written.
    #[arg(long)]
    pub show: bool,
}

const CHECK_EXAMPLES: &str = "Examples:
  tntc secrets check                          # the workflow in the current directory
  tntc secrets check my-flow --secrets prod/  # what tntc-host --secrets prod/ would see
  tntc secrets check -o json | jq '.references[] | select(.status != \"ok\")'";

const INIT_EXAMPLES: &str = "Examples:
  tntc secrets init my-flow          # then fill in my-flow/.secrets.yaml
  tntc secrets init my-flow --force  # after adding a dependency: adds its key, keeps the rest";

const CONFIGURE_EXAMPLES: &str = "Examples:
  tntc configure -r ghcr.io/acme -n team-a   # defaults for every project (~/.tentacular)
  tntc configure --project -n team-b         # this project only (./.tentacular)
  tntc configure -n \"\"                       # remove the namespace default
  tntc configure                             # what applies here, and where it comes from
  tntc configure --show -n staging -o json   # what `-n staging` would resolve to";
