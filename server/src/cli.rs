//! `tessera` command line: serve, and tenant administration.

use std::{io::IsTerminal, process::ExitCode};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use tessera_backend::{
    clock::Clock,
    keys::{KeyId, Secret},
    platform::{NewAdmin, StartError},
    settings::{Key, Overrides, CROSSING_WARNING},
    tenancy::{directory::Editor, Slug},
    Config, Platform,
};

use crate::startup::Application;

#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    about = "Multi-tenant workspaces with isolated sessions"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Create, list, migrate and delete tenants.
    #[command(subcommand)]
    Tenant(TenantCommand),
    /// The key ring that seals cookies and hashes session ids and bridge tokens.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// List the keys in force (numbers only; never a secret).
    List,
    /// Add a new primary key; cookies and tokens sealed with the older ones keep working.
    Rotate,
    /// Remove a key for good: whatever it sealed stops working (those users sign in again).
    Retire { id: String },
    /// Print a new random key, for TESSERA_SECRET_KEYS (as <number>:<key>).
    Generate {
        /// The number to give it (one more than the highest in use).
        #[arg(long, default_value_t = 1)]
        number: u32,
    },
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// Create a tenant with its own database, optionally with a first admin.
    Create(CreateArgs),
    /// List tenants.
    List,
    /// Run pending tenant migrations.
    Migrate(MigrateArgs),
    /// Show a tenant's session settings; --set key=value (or key=null to
    /// return to the default) changes them.
    Settings {
        slug: String,
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
    },
    /// Delete a tenant and its database.
    Delete {
        slug: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
struct CreateArgs {
    slug: String,
    /// Display name (defaults to the slug).
    #[arg(long)]
    name: Option<String>,
    #[arg(long, requires = "admin_password")]
    admin_email: Option<String>,
    /// Also read from TESSERA_ADMIN_PASSWORD, which keeps it out of `ps`.
    #[arg(
        long,
        env = "TESSERA_ADMIN_PASSWORD",
        hide_env_values = true,
        requires = "admin_email"
    )]
    admin_password: Option<String>,
    #[arg(long, default_value = "Admin")]
    admin_name: String,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct MigrateArgs {
    /// Migrate one tenant.
    #[arg(long)]
    tenant: Option<String>,
    /// Migrate every tenant.
    #[arg(long)]
    all: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::from_env().context("invalid configuration")?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Tenant(command) => {
            let platform = open(config).await?;
            let outcome = tenant(&platform, command).await;
            platform.close().await;
            outcome
        }
        Command::Keys(command) => keys(config, command).await,
    }
}

async fn open(config: Config) -> Result<Platform, StartError> {
    Platform::open(config, Clock::system()).await
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let mut leptos_options = leptos::prelude::get_configuration(None)
        .context("cannot read the Leptos configuration (LEPTOS_* variables)")?
        .leptos_options;
    leptos_options.site_addr = config.site_addr;
    let domain = config.domain.as_str().to_owned();
    let app = Application::build(config, leptos_options, Clock::system()).await?;
    tracing::info!(
        "serving http://{domain}:{} (tenants at http://<slug>.{domain}:{})",
        app.port(),
        app.port()
    );
    app.run_until_stopped().await?;
    Ok(ExitCode::SUCCESS)
}

async fn keys(config: Config, command: KeysCommand) -> anyhow::Result<ExitCode> {
    match command {
        // Needs no storage: the key goes into the environment, not anywhere here.
        KeysCommand::Generate { number } => println!(
            "{}:{}",
            KeyId::new(number.max(1)),
            Secret::generate().encode()
        ),
        KeysCommand::List => {
            for key in open(config).await?.keys.list().await? {
                println!(
                    "key {}{}",
                    key.id,
                    if key.primary { " (primary)" } else { "" }
                );
            }
        }
        KeysCommand::Rotate => {
            let id = open(config).await?.keys.rotate().await?;
            println!("key {id} is the primary now; older keys keep verifying until retired (running servers pick it up within a second)");
        }
        KeysCommand::Retire { id } => {
            let id: KeyId = id.parse()?;
            let resealed = open(config).await?.retire_key(id).await?;
            println!(
                "retired key {id}: sessions and bridge tokens it sealed no longer work; {} second-factor secrets sealed again with the primary key",
                resealed.moved
            );
            if resealed.unreadable > 0 {
                println!(
                    "{} damaged second-factor secrets were left as they were: those people use a recovery code and set up TOTP again",
                    resealed.unreadable
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn slug(input: &str) -> anyhow::Result<Slug> {
    Slug::parse(input).with_context(|| format!("invalid workspace name {input:?}"))
}

async fn tenant(platform: &Platform, command: TenantCommand) -> anyhow::Result<ExitCode> {
    match command {
        TenantCommand::Create(args) => {
            let slug = slug(&args.slug)?;
            let name = args.name.unwrap_or_else(|| args.slug.clone());
            let admin = args
                .admin_email
                .zip(args.admin_password)
                .map(|(email, password)| NewAdmin {
                    email,
                    password,
                    name: args.admin_name,
                });
            let (tenant, admin) = platform.provision(&slug, &name, admin).await?;
            println!(
                "created tenant {} (\"{}\", id {})",
                tenant.slug, tenant.name, tenant.id
            );
            if let Some(admin) = admin {
                println!("admin: {} (user id {})", admin.email, admin.id);
            }
        }
        TenantCommand::List => {
            let tenants = platform.directory.list().await?;
            if tenants.is_empty() {
                println!("no tenants yet; create one with `tessera tenant create <slug>`");
            }
            for t in tenants {
                println!("{:<6} {:<24} {}", t.id, t.slug, t.name);
            }
        }
        TenantCommand::Migrate(args) => return migrate(platform, args).await,
        TenantCommand::Settings { slug: input, set } => {
            settings(platform, &slug(&input)?, &set).await?
        }
        TenantCommand::Delete { slug: input, yes } => {
            // A workspace stored before A-labels were refused can still go.
            let slug = Slug::stored(&input)
                .with_context(|| format!("invalid workspace name {input:?}"))?;
            if !yes && !confirm(&slug)? {
                println!("not deleted");
                return Ok(ExitCode::FAILURE);
            }
            platform.delete_tenant(&slug).await?;
            println!("deleted tenant {slug}: its database, sessions and devices");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn settings(platform: &Platform, slug: &Slug, assignments: &[String]) -> anyhow::Result<()> {
    let changes = assignments
        .iter()
        .map(|a| Overrides::parse_assignment(a).map_err(anyhow::Error::msg))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if !changes.is_empty() {
        platform
            .save_settings(slug, &changes, Editor::Operator)
            .await?;
        println!("saved; the next request to {slug} uses them");
    }
    let (effective, overrides) = platform.directory.settings(slug).await?;
    println!("session settings of {slug}:");
    for &key in Key::ALL {
        let source = if overrides.get(key).is_some() {
            "tenant"
        } else {
            "default"
        };
        println!("  {:<26} {:<14} ({source})", key.name(), effective.get(key));
    }
    if effective.lets_sessions_cross_tenants() {
        println!("WARNING: {CROSSING_WARNING}");
    }
    Ok(())
}

/// Asks the operator to type the slug; refuses outright when nobody can answer.
fn confirm(slug: &Slug) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!("deleting {slug} destroys its data; pass --yes to confirm when not running interactively");
    }
    eprint!("This deletes tenant {slug} and all of its data. Type the name to confirm: ");
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == slug.as_str())
}

async fn migrate(platform: &Platform, args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let tenants = match args.tenant {
        Some(input) => vec![platform.directory.get(&slug(&input)?).await?],
        None => platform.directory.list().await?,
    };
    let total = tenants.len();
    // The bar draws only on a terminal; the per-tenant lines always print.
    let bar = indicatif::ProgressBar::new(total as u64).with_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut failures = Vec::new();
    for (i, tenant) in tenants.iter().enumerate() {
        bar.set_message(tenant.slug.to_string());
        let line = match platform.directory.migrate(tenant).await {
            Ok(()) => format!("[{}/{total}] {} ok", i + 1, tenant.slug),
            Err(e) => {
                failures.push(tenant.slug.to_string());
                format!("[{}/{total}] {} FAILED: {e}", i + 1, tenant.slug)
            }
        };
        bar.suspend(|| eprintln!("{line}"));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let failed = failures.len();
    println!(
        "migrated {} of {total} tenants; {failed} failed",
        total - failed
    );
    if !failures.is_empty() {
        println!("failed: {}", failures.join(", "));
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
