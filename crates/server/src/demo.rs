//! `notoneless demo` and `serve --demo`: the demo county of `notoneless-demo` (four
//! townships, a dozen schools, 2,000 children on watch, six weeks of facts with a violation of
//! every kind planted), built into an empty database as of today, and what to look at printed.

use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::Duration;
use notoneless_demo::DemoCounty;
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::Store;
use notoneless_store::clock::mark_for_training;

use crate::config::StoreArgs;
use crate::serve_cmd::ClockArgs;
use crate::store_cmd::open_on;

/// `notoneless demo`'s flags.
#[derive(clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub clock: ClockArgs,
}

/// Prints a line for the operator; a closed stdout must not bring the server down.
fn say(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// The demo county comes with its own school calendar: a `--calendar` file is refused with
/// it (recorded first, it would stand in the way of the demo's).
pub fn refuse_calendar_file(args: &StoreArgs) -> Result<()> {
    if args.calendar.is_some() {
        let refused = Message::new(Msg::CalendarFileWithDemo);
        anyhow::bail!("{}\n{}", refused.text(Lang::Zh), refused.text(Lang::En));
    }
    Ok(())
}

/// Builds the demo county into the store's database if it holds no organisation yet,
/// marking it for training first (its facts are recorded at the times the demo enters them;
/// a database that holds real data is refused).
pub async fn seed_if_empty(store: &Store, base: &str, lang: Lang) -> Result<()> {
    if !store.org.current().org.nodes.is_empty() {
        tracing::info!("the database already holds an organisation: no demo data added");
        return Ok(());
    }
    mark_for_training(&store.db, store.clock.now(), "demo").await?;
    let county = build(store, lang).await?;
    store.org.reload().await?;
    let passwords = one_time_passwords(store, &county, lang).await?;
    print(&county, &passwords, base, lang);
    Ok(())
}

/// Gives every demo user a one-time password (recorded like an admin's reset), to log in to
/// the console with; each chooses their own at the first login.
async fn one_time_passwords(store: &Store, county: &DemoCounty, lang: Lang) -> Result<Vec<String>> {
    let mut passwords = Vec::with_capacity(county.users.len());
    for user in &county.users {
        let given = store
            .reset_password(&user.id, &crate::serve_cmd::cli_context())
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "{}",
                    Message::new(Msg::CliDemoNoPassword)
                        .with("user", user.id.as_str())
                        .with("error", e.to_string())
                        .text(lang)
                )
            })?;
        passwords.push(given.password.expose().to_string());
    }
    Ok(passwords)
}

async fn build(store: &Store, lang: Lang) -> Result<DemoCounty> {
    let today = store.rules.get().calendar.local_date(store.clock.now());
    say(&Msg::CliDemoBuilding.text(lang));
    let started = std::time::Instant::now();
    let county = notoneless_demo::build(
        store.db.clone(),
        store.rules.get().ladder.clone(),
        today,
        store.signer.key().clone(),
    )
    .await
    .with_context(|| Msg::CliDemoCannotBuild.text(lang))?;
    tracing::info!(
        commands = county.commands,
        seconds = started.elapsed().as_secs_f64(),
        "demo county built"
    );
    Ok(county)
}

fn print(county: &DemoCounty, passwords: &[String], base: &str, lang: Lang) {
    let say_msg = |message: Message| say(&message.text(lang));
    say_msg(
        Message::new(Msg::CliDemoBuilt)
            .with("schools", county.schools)
            .with("children", county.children)
            .with("commands", county.commands)
            .with("first_day", county.first_day),
    );
    say_msg(Message::new(Msg::CliDemoConsole).with("base", base));
    say_msg(Message::new(Msg::CliDemoUsers));
    for (user, password) in county.users.iter().zip(passwords) {
        say(&format!(
            "  {:<16} {:<17} {:<14} {:<15} {}",
            user.id,
            user.role.as_str(),
            user.node,
            password,
            user.token
        ));
    }
    let from = county.first_day;
    let until = county.today - Duration::days(1);
    say_msg(Message::new(Msg::CliDemoPlanted).with("count", county.planted.len()));
    say(&format!(
        "  curl -H \"Authorization: Bearer $TOKEN_OF_chen\" '{base}/api/v1/reviews?from={from}&until={until}'"
    ));
    say(&format!(
        "  notoneless review --from {from} --until {until}"
    ));
    say_msg(Message::new(Msg::CliDemoApiPage).with("base", base));
    say_msg(Message::new(Msg::CliDemoReady));
}

/// `notoneless demo`: builds the demo county into an empty database (as of the training
/// clock's day, with `--clock`).
pub async fn demo(args: DemoArgs) -> Result<ExitCode> {
    refuse_calendar_file(&args.store)?;
    let lang = args.store.lang;
    let store = open_on(&args.store, args.clock.clock()).await?;
    store.org.reload().await?;
    if !store.org.current().org.nodes.is_empty() {
        anyhow::bail!("{}", Msg::CliDemoNotEmpty.text(lang));
    }
    mark_for_training(&store.db, store.clock.now(), "demo").await?;
    let county = build(&store, lang).await?;
    store.org.reload().await?;
    let passwords = one_time_passwords(&store, &county, lang).await?;
    print(&county, &passwords, "http://127.0.0.1:8080", lang);
    Ok(ExitCode::SUCCESS)
}
