//! `notoneless import`: lists from other systems, imported from the command line through the
//! same command path as over HTTP (every case opened is hash-chained and attributed to the
//! operating-system user, `cli:<user>`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use notoneless_domain::{ListScope, NodeKind, RowError, RowRefusal};
use notoneless_i18n::{Lang, Message, Msg};
use notoneless_store::imports::{
    AlreadyHasCase, ImportReport, RegistryChange, RegistryReport, RegistrySchoolTally,
    import_grade6_watch, import_registry,
};
use notoneless_store::list_file::{Encoding, ReadAs, read_list};
use notoneless_store::school_files::{import_ledger, import_roll_call_file};

use crate::config::StoreArgs;
use crate::serve_cmd::cli_context;
use crate::store_cmd::open_with_org;

#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// The grade-6 watch: open a case at the primary school a leaver left for every grade-6
    /// leaver enrolled at no junior middle school. Importing the same lists again opens
    /// nothing new. A refused row of either list refuses the import and nothing is written;
    /// a leaver whose case the record refuses is reported. Exits with status 1 if any row was
    /// refused.
    Grade6Watch(Grade6WatchArgs),
    /// The registry cross-check (学籍/户籍比对): compare the household register's school-age
    /// children with the school rolls, record every finding on the child's case, clear every
    /// open finding no longer found. Importing the same lists again records nothing. A refused
    /// row of either list refuses the import and nothing is written; a child whose case
    /// refuses what was found is reported. Exits with status 1 if any row was refused.
    Registry(RegistryArgs),
    /// A school's roll calls from its file: one row per class and day
    /// (date,class,enrolled,present,absent) or one per absent child
    /// (date,class,enrolled,present,student_number,name,excused), told apart by the header
    /// (English or Chinese column names). Every roll call goes through the same checks as one
    /// posted alone; a refused row refuses the file and nothing is written. Importing the
    /// same file again records nothing. Exits with status 1 if any row was refused.
    RollCalls(RollCallsArgs),
    /// A county's existing ledger (台账), when it adopts the system mid-term: each child's
    /// case with its past steps, recorded as facts imported from the ledger of
    /// --ledger-date (their recorder the import, not a person; the review judges them as
    /// late entries). Template: docs/operations.md, docs/examples/ledger-import.csv. All or
    /// nothing; importing the same ledger again records nothing. Exits with status 1 if any
    /// row was refused.
    Ledger(LedgerArgs),
}

impl ImportCommand {
    /// The language the command answers in (`--lang`).
    pub fn lang(&self) -> Lang {
        match self {
            ImportCommand::Grade6Watch(args) => args.store.lang,
            ImportCommand::Registry(args) => args.store.lang,
            ImportCommand::RollCalls(args) => args.store.lang,
            ImportCommand::Ledger(args) => args.store.lang,
        }
    }
}

#[derive(clap::Args)]
pub struct RollCallsArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub list: ListArgs,
    /// The school's node id.
    #[arg(long)]
    pub school: String,
    /// The roll-call file: CSV (UTF-8 or GBK/GB18030) or XLSX.
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub struct LedgerArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub list: ListArgs,
    /// The date the ledger is as of (YYYY-MM-DD, no later than today): every fact imported
    /// is marked "imported from the ledger of" this day.
    #[arg(long)]
    pub ledger_date: NaiveDate,
    /// The ledger: CSV (UTF-8 or GBK/GB18030) or XLSX.
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub struct RegistryArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub list: ListArgs,
    /// The cross-check's name, recorded with every finding.
    #[arg(long)]
    pub name: String,
    /// The household register's school-age children: CSV or XLSX with the header
    /// id_number,name,gender,birth_date,township,catchment_school,guardian,guardian_relation,guardian_phone,status.
    #[arg(long)]
    pub register: PathBuf,
    /// The school rolls: CSV or XLSX with the header
    /// student_number,id_number,name,gender,birth_date,school,grade,class,attending,guardian,guardian_relation,guardian_phone.
    #[arg(long)]
    pub roll: PathBuf,
    /// The day of the two extracts: the day the findings are dated (YYYY-MM-DD).
    #[arg(long)]
    pub on: NaiveDate,
    /// The lists cover only these townships (ids, comma-separated): findings are raised and
    /// cleared only at their schools. Without it or --schools, the whole county.
    #[arg(long, value_delimiter = ',', conflicts_with = "schools")]
    pub townships: Vec<String>,
    /// The lists cover only these schools (ids, comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub schools: Vec<String>,
}

#[derive(clap::Args)]
pub struct Grade6WatchArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(flatten)]
    pub list: ListArgs,
    /// The leavers' list: CSV or XLSX with the header
    /// student_number,name,gender,birth_date,school,class,guardian,guardian_relation,guardian_phone.
    #[arg(long)]
    pub leavers: PathBuf,
    /// The junior middle schools' enrolments: CSV or XLSX with the header student_number,school.
    #[arg(long)]
    pub enrolments: PathBuf,
    /// The day the junior middle schools' term started: the day the cases open (YYYY-MM-DD).
    #[arg(long)]
    pub on: NaiveDate,
}

/// How the lists' files are read: CSV in UTF-8 or GBK/GB18030, or a workbook (XLSX, XLS).
#[derive(clap::Args, Clone, Copy, Debug)]
pub struct ListArgs {
    /// The encoding of CSV files: auto (UTF-8, else GBK/GB18030), utf-8, gbk or gb18030. A
    /// workbook (XLSX, XLS) is known by its content, whatever this says.
    #[arg(long, default_value = "auto")]
    pub encoding: Encoding,
}

/// Reads a list file into CSV text whose lines are the file's (`notoneless_store::list_file`),
/// or an error in `lang` naming the option (`what`, "--leavers"), the file and, where it can,
/// the line at fault. A file that cannot be read is refused here, whole, before anything is
/// written.
pub fn read_list_file(path: &Path, what: &str, encoding: Encoding, lang: Lang) -> Result<String> {
    let display = || path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| {
        anyhow::Error::new(error).context(
            Message::new(Msg::CliCannotRead)
                .with("what", what.to_string())
                .with("path", display())
                .text(lang),
        )
    })?;
    let list = read_list(&bytes, encoding).map_err(|error| {
        anyhow::anyhow!(
            "{}",
            Message::new(Msg::CliFileRefused)
                .with("what", what.to_string())
                .with("path", display())
                .with("reason", error.message())
                .text(lang)
        )
    })?;
    if list.read_as != ReadAs::Utf8 {
        tracing::info!(file = %path.display(), read_as = %list.read_as, "a list read");
    }
    Ok(list.text)
}

pub async fn import(command: ImportCommand) -> Result<ExitCode> {
    match command {
        ImportCommand::Grade6Watch(args) => grade6_watch(args).await,
        ImportCommand::Registry(args) => registry(args).await,
        ImportCommand::RollCalls(args) => roll_calls(args).await,
        ImportCommand::Ledger(args) => ledger(args).await,
    }
}

/// Every refused row of the files, by file, line and column, in `lang`; status 1. `files`
/// are the import's files by the name of their list (`leavers_csv`); a row names the first
/// unless it names the list of another.
fn refused(files: &[(&str, &Path)], rows: &[RowRefusal], lang: Lang) -> ExitCode {
    print!(
        "{}",
        line(
            lang,
            false,
            Message::new(Msg::CliImportRefusedAll).with("count", rows.len())
        )
    );
    for row in rows {
        let file = files
            .iter()
            .find(|(list, _)| row.list.as_deref() == Some(*list))
            .or(files.first())
            .map_or(Path::new(""), |(_, path)| *path);
        print!("{}", rejection(file, &row.in_lang(lang), lang));
    }
    ExitCode::FAILURE
}

async fn roll_calls(args: RollCallsArgs) -> Result<ExitCode> {
    let text = read_list_file(&args.file, "FILE", args.list.encoding, args.store.lang)?;
    let store = open_with_org(&args.store).await?;
    let known = store
        .org
        .current()
        .org
        .nodes
        .get(&args.school)
        .is_some_and(|n| n.kind == NodeKind::School);
    let lang = args.store.lang;
    if !known {
        anyhow::bail!(
            "{}",
            Message::new(Msg::CliRollCallsNotASchool)
                .with("school", format!("{:?}", args.school))
                .text(lang)
        );
    }
    match import_roll_call_file(&store, &args.school, &text, &cli_context()).await? {
        Err(rows) => Ok(refused(&[("file", &args.file)], &rows, lang)),
        Ok(report) => {
            let mut out = line(
                lang,
                false,
                Message::new(Msg::CliRollCallsRecorded)
                    .with("count", report.recorded.len())
                    .with("school", report.school.as_str()),
            );
            for row in &report.recorded {
                let lines: Vec<String> = row.rows.iter().map(usize::to_string).collect();
                out.push_str(&line(
                    lang,
                    true,
                    Message::new(Msg::CliRollCallsLine)
                        .with("day", row.on)
                        .with("class", row.class.as_str())
                        .with("lines", lines.join(lang.separator())),
                ));
            }
            out.push_str(&line(
                lang,
                false,
                Message::new(Msg::CliRollCallsUnchanged).with("count", report.unchanged.len()),
            ));
            print!("{out}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn ledger(args: LedgerArgs) -> Result<ExitCode> {
    let text = read_list_file(&args.file, "FILE", args.list.encoding, args.store.lang)?;
    let store = open_with_org(&args.store).await?;
    let today = store.rules.get().calendar.local_date(store.clock.now());
    let lang = args.store.lang;
    if args.ledger_date > today {
        anyhow::bail!(
            "{}",
            Message::new(Msg::CliLedgerDateAfterToday)
                .with("date", args.ledger_date)
                .with("today", today)
                .text(lang)
        );
    }
    // The command line acts for the county: it may keep cases at any school.
    match import_ledger(&store, &text, args.ledger_date, |_| true, &cli_context()).await? {
        Err(rows) => Ok(refused(&[("file", &args.file)], &rows, lang)),
        Ok(report) => {
            let mut out = line(
                lang,
                false,
                Message::new(Msg::CliLedgerSummary)
                    .with("date", report.ledger_date)
                    .with("opened", report.cases_opened)
                    .with("facts", report.facts_recorded)
                    .with("by", report.recorded_by.as_str()),
            );
            for case in &report.cases {
                out.push_str(&line(
                    lang,
                    true,
                    Message::new(Msg::CliLedgerCase)
                        .with("case", case.case_id.as_str())
                        .with("school", case.school.as_str())
                        .with("recorded", case.recorded)
                        .with("unchanged", case.unchanged),
                ));
            }
            out.push_str(&already_has_case(&report.already_has_case, lang));
            print!("{out}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn grade6_watch(args: Grade6WatchArgs) -> Result<ExitCode> {
    let leavers = read_list_file(
        &args.leavers,
        "--leavers",
        args.list.encoding,
        args.store.lang,
    )?;
    let enrolments = read_list_file(
        &args.enrolments,
        "--enrolments",
        args.list.encoding,
        args.store.lang,
    )?;
    let store = open_with_org(&args.store).await?;
    // The command line acts for the county: it may open a case at any school.
    let report = match import_grade6_watch(
        &store,
        &leavers,
        &enrolments,
        args.on,
        |_| true,
        args.store.lang,
        &cli_context(),
    )
    .await?
    {
        Ok(report) => report,
        Err(rows) => {
            let files = [
                ("leavers_csv", args.leavers.as_path()),
                ("enrolments_csv", args.enrolments.as_path()),
            ];
            return Ok(refused(&files, &rows, args.store.lang));
        }
    };
    print!("{}", describe(&report, &args.leavers, args.store.lang));
    Ok(if report.rejected_leavers.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The registry answer school by school, as a table: one row a school of the scope, then
/// the totals.
fn by_school_table(rows: &[RegistrySchoolTally], lang: Lang) -> String {
    let header = [
        Msg::CliRegistryColumnTownship,
        Msg::CliRegistryColumnSchool,
        Msg::CliRegistryColumnSchoolId,
        Msg::CliRegistryColumnExamined,
        Msg::CliRegistryColumnRaised,
        Msg::CliRegistryColumnCleared,
        Msg::CliRegistryColumnNotInLists,
        Msg::CliRegistryColumnUnchanged,
        Msg::CliRegistryColumnExplained,
    ]
    .map(|m| m.text(lang));
    let counts = |r: &RegistrySchoolTally| {
        [
            r.examined,
            r.raised,
            r.cleared,
            r.not_in_lists,
            r.unchanged,
            r.explained,
        ]
    };
    let mut total = [0; 6];
    let mut cells: Vec<Vec<String>> = vec![header.to_vec()];
    for row in rows {
        let n = counts(row);
        for (sum, n) in total.iter_mut().zip(n) {
            *sum += n;
        }
        let mut cells_of = vec![
            row.township_name.clone(),
            row.school_name.clone(),
            row.school.clone(),
        ];
        cells_of.extend(n.map(|n| n.to_string()));
        cells.push(cells_of);
    }
    let mut last = vec![
        Msg::CliRegistryTotal.text(lang),
        String::new(),
        String::new(),
    ];
    last.extend(total.map(|n| n.to_string()));
    cells.push(last);
    text_table(&cells, 3)
}

/// Rows of cells as a text table, each column as wide as its widest cell (a Chinese character
/// takes two places), indented; the columns from `numbers_from` on aligned right.
fn text_table(cells: &[Vec<String>], numbers_from: usize) -> String {
    let width = |text: &str| unicode_width::UnicodeWidthStr::width(text);
    let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            cells
                .iter()
                .filter_map(|row| row.get(c))
                .map(|cell| width(cell))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in cells {
        let mut text = String::from(" ");
        for (c, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c].saturating_sub(width(cell)));
            text.push(' ');
            if c >= numbers_from {
                text.push_str(&pad);
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&pad);
            }
            text.push(' ');
        }
        out.push_str(text.trim_end());
        out.push('\n');
    }
    out
}

/// One line of the answer, indented or not, in `lang`.
pub(crate) fn line(lang: Lang, indent: bool, message: Message) -> String {
    format!("{}{}\n", if indent { "  " } else { "" }, message.text(lang))
}

/// The rows left because the child already has an open case file, in `lang` (nothing when
/// there are none).
fn already_has_case(held: &[AlreadyHasCase], lang: Lang) -> String {
    if held.is_empty() {
        return String::new();
    }
    let mut out = line(
        lang,
        false,
        Message::new(Msg::CliImportAlreadyHasCase).with("count", held.len()),
    );
    for row in held {
        out.push_str(&line(lang, true, row.message()));
    }
    out
}

/// A refused row, by its file, line and column, in `lang` (the reason already written in it).
pub fn rejection(file: &Path, error: &RowError, lang: Lang) -> String {
    let message = match &error.field {
        Some(field) => Message::new(Msg::CliImportRejectedRowField).with("field", field.as_str()),
        None => Message::new(Msg::CliImportRejectedRow),
    }
    .with("file", file.display().to_string())
    .with("line", error.row)
    .with("reason", error.reason.as_str());
    line(lang, true, message)
}

/// The report as the operator reads it: what was opened, what was there already, what was
/// refused and why, by line.
fn describe(report: &ImportReport, leavers: &Path, lang: Lang) -> String {
    let mut out = line(
        lang,
        false,
        Message::new(Msg::CliImportOpened).with("count", report.opened.len()),
    );
    for (row, case_id) in &report.opened {
        out.push_str(&line(
            lang,
            true,
            Message::new(Msg::CliImportOpenedLine)
                .with("line", *row)
                .with("case", case_id.as_str()),
        ));
    }
    out.push_str(&line(
        lang,
        false,
        Message::new(Msg::CliImportUnchanged).with("count", report.unchanged.len()),
    ));
    for row in &report.unchanged {
        out.push_str(&line(
            lang,
            true,
            Message::new(Msg::CliImportLine).with("line", *row),
        ));
    }
    out.push_str(&line(
        lang,
        false,
        Message::new(Msg::CliImportEnrolled).with("count", report.enrolled),
    ));
    out.push_str(&already_has_case(&report.already_has_case, lang));
    out.push_str(&line(
        lang,
        false,
        Message::new(Msg::CliImportRejected).with("count", report.rejected_leavers.len()),
    ));
    for error in &report.rejected_leavers {
        out.push_str(&rejection(leavers, error, lang));
    }
    out
}

async fn registry(args: RegistryArgs) -> Result<ExitCode> {
    let lang = args.store.lang;
    let refused_option = |field: &str, text: Message| {
        anyhow::anyhow!(
            "{}",
            Message::new(Msg::FieldMessage)
                .with("field", field.to_string())
                .with("text", text)
                .text(lang)
        )
    };
    if args.name.trim().is_empty() {
        return Err(refused_option("--name", Message::new(Msg::Blank)));
    }
    let register = read_list_file(
        &args.register,
        "--register",
        args.list.encoding,
        args.store.lang,
    )?;
    let roll = read_list_file(&args.roll, "--roll", args.list.encoding, args.store.lang)?;
    let store = open_with_org(&args.store).await?;
    let scope = if !args.townships.is_empty() {
        ListScope::Townships(args.townships.clone())
    } else if !args.schools.is_empty() {
        ListScope::Schools(args.schools.clone())
    } else {
        ListScope::County
    };
    let covered = scope.schools(&store.org.current().org).map_err(|node| {
        let (field, kind) = match scope {
            ListScope::Townships(_) => ("--townships", Msg::NodeKindTownship),
            _ => ("--schools", Msg::NodeKindSchool),
        };
        refused_option(
            field,
            Message::new(Msg::NoSuchScopeNode)
                .with("node", format!("{node:?}"))
                .with("kind", kind),
        )
    })?;
    let report = match import_registry(
        &store,
        args.name.trim(),
        (&register, &roll),
        args.on,
        (&scope, &covered),
        args.store.lang,
        &cli_context(),
    )
    .await?
    {
        Ok(report) => report,
        Err(rows) => {
            let files = [
                ("register_csv", args.register.as_path()),
                ("roll_csv", args.roll.as_path()),
            ];
            return Ok(refused(&files, &rows, args.store.lang));
        }
    };
    print!(
        "{}",
        describe_registry(&report, &args.register, &args.roll, args.store.lang)
    );
    Ok(
        if report.rejected_register.is_empty() && report.rejected_roll.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}

/// The registry report as the operator reads it: each list of findings by kind, school and
/// case, then every refused row by file and line.
fn describe_registry(report: &RegistryReport, register: &Path, roll: &Path, lang: Lang) -> String {
    let scope = match &report.scope {
        ListScope::County => Message::new(Msg::CliScopeCounty),
        ListScope::Townships(ids) => {
            Message::new(Msg::CliScopeTownships).with("ids", ids.join(lang.separator()))
        }
        ListScope::Schools(ids) => {
            Message::new(Msg::CliScopeSchools).with("ids", ids.join(lang.separator()))
        }
    };
    let mut out = line(
        lang,
        false,
        Message::new(Msg::CliRegistrySummary)
            .with("name", report.cross_check.as_str())
            .with("scope", scope)
            .with("schools", report.schools_covered)
            .with("examined", report.examined)
            .with("opened", report.cases_opened)
            .with("outside", report.outside_scope),
    );
    for (title, changes) in [
        (Msg::CliRegistryNew, &report.new),
        (Msg::CliRegistryResolved, &report.resolved),
        (Msg::CliRegistryUnchanged, &report.unchanged),
        (Msg::CliRegistryExplained, &report.explained),
        (Msg::CliRegistryNotInLists, &report.not_in_lists),
    ] {
        out.push_str(&line(
            lang,
            false,
            Message::new(Msg::CliRegistryGroup)
                .with("title", title)
                .with("count", changes.len()),
        ));
        for RegistryChange {
            case_id,
            school,
            kind,
            ..
        } in changes.iter()
        {
            out.push_str(&line(
                lang,
                true,
                Message::new(Msg::CliRegistryChange)
                    .with("kind", kind.label())
                    .with("school", school.as_str())
                    .with("case", case_id.as_str()),
            ));
        }
    }
    out.push_str(&line(lang, false, Message::new(Msg::CliRegistryBySchool)));
    out.push_str(&by_school_table(&report.by_school, lang));
    out.push_str(&already_has_case(&report.already_has_case, lang));
    let rejected = report.rejected_register.len() + report.rejected_roll.len();
    out.push_str(&line(
        lang,
        false,
        Message::new(Msg::CliImportRejected).with("count", rejected),
    ));
    for error in &report.rejected_register {
        out.push_str(&rejection(register, error, lang));
    }
    for error in &report.rejected_roll {
        out.push_str(&rejection(roll, error, lang));
    }
    out
}
