//! One table, two file formats, two languages: what the exports (the ledger, the review's
//! findings) are built as, and how they are written.
//!
//! A [`Table`] has its columns (each with a Chinese and an English header) in a fixed order and
//! rows of typed [`Cell`]s: text, a label that has both languages, a date, a local date and
//! time, a number, or a list of these. It is written as
//!
//! * **CSV** (the `csv` crate's writer): UTF-8 with a byte-order mark, CRLF line ends, fields
//!   quoted as RFC 4180 says, dates as `YYYY-MM-DD`, times as `YYYY-MM-DD HH:MM:SS` (local
//!   time); a text cell that a spreadsheet program would take for a formula (it starts with
//!   `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's list) gets a leading `'`;
//! * **XLSX** (Office Open XML, rust_xlsxwriter): one sheet, a title row above (the county, the
//!   scope and the date: what a filed ledger says at its top), the header row bold, frozen,
//!   filterable and printed again at the top of every page, set up to print landscape on A4,
//!   one page wide, with page numbers in the footer; dates and times as real Excel dates with a
//!   date format, numbers as numbers, several lines in a cell wrapped,
//!   text always as text (an XLSX string cell is never run as a formula), columns as wide as
//!   their content (rust_xlsxwriter's autofit, corrected for Chinese and for date-times:
//!   `docs/adr/0005-xlsx-column-widths.md`), within limits.
//!
//! Every header, title and label comes from the catalogue (`notoneless_i18n`), in the export's
//! language; Chinese is the default: the bureau's forms are in Chinese. CSV carries no title
//! row (a program reads the header first).

use std::fmt;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use notoneless_i18n::{Message, Msg};
use rust_xlsxwriter::utility::cell_autofit_width;
use rust_xlsxwriter::{Format as XlsxFormat, FormatAlign, Workbook, XlsxError};
use unicode_width::UnicodeWidthChar;

/// The language of the headers and the labels: the catalogue's.
pub use notoneless_i18n::Lang;

/// The file format of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// UTF-8 with a byte-order mark, CRLF line ends (the default).
    #[default]
    Csv,
    /// An Excel workbook of one sheet.
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    /// The media type to serve the file as.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        self.as_str()
    }
}

/// A value that is not one of the allowed choices.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of {expected}")]
pub struct UnknownChoice {
    pub value: String,
    pub expected: &'static str,
}

impl FromStr for Format {
    type Err = UnknownChoice;

    fn from_str(value: &str) -> Result<Self, UnknownChoice> {
        match value {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            _ => Err(UnknownChoice {
                value: value.to_string(),
                expected: "csv, xlsx",
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Empty,
    /// Text as it is (names, ids, free text): the same in every language.
    Text(String),
    /// A catalogue message, rendered in the reader's language.
    Message(Message),
    Date(NaiveDate),
    /// A local date and time (the county's time zone).
    DateTime(NaiveDateTime),
    Number(i64),
    /// Several values in one cell, joined by `、` in Chinese and `, ` in English.
    List(Vec<Cell>),
    /// Several values in one cell, one a line (wrapped in XLSX).
    Lines(Vec<Cell>),
}

impl Cell {
    pub fn text(value: impl Into<String>) -> Self {
        Cell::Text(value.into())
    }

    /// The text, or nothing when it is empty.
    pub fn text_or_empty(value: impl Into<String>) -> Self {
        let value = value.into();
        if value.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(value)
        }
    }

    /// The cell as text, as CSV writes it (before quoting).
    pub fn render(&self, lang: Lang) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Message(message) => message.text(lang),
            Cell::Date(day) => day.format("%Y-%m-%d").to_string(),
            Cell::DateTime(time) => time.format("%Y-%m-%d %H:%M:%S").to_string(),
            Cell::Number(n) => n.to_string(),
            Cell::Lines(items) => items
                .iter()
                .map(|c| c.render(lang))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
            Cell::List(items) => items
                .iter()
                .map(|c| c.render(lang))
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(lang.separator()),
        }
    }
}

/// A column: its header, a message of the catalogue. The order of a table's columns never
/// changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: Msg,
}

impl Column {
    pub const fn new(header: Msg) -> Self {
        Self { header }
    }
}

/// The export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the spreadsheet: {0}")]
    Xlsx(String),
    #[error("cannot write the CSV file: {0}")]
    Csv(String),
}

impl From<XlsxError> for ExportError {
    fn from(error: XlsxError) -> Self {
        ExportError::Xlsx(error.to_string())
    }
}

impl From<csv::Error> for ExportError {
    fn from(error: csv::Error) -> Self {
        ExportError::Csv(error.to_string())
    }
}

/// A table of `N` columns: a sheet name, a title (the XLSX file's first row), the columns,
/// the rows (each of exactly one cell per column).
#[derive(Clone, Debug, PartialEq)]
pub struct Table<const N: usize> {
    pub sheet: Msg,
    pub title: Option<Message>,
    pub columns: [Column; N],
    pub rows: Vec<[Cell; N]>,
}

/// A text that a spreadsheet program would read as a formula, made harmless with a leading
/// `'`: one that starts with `=`, `+`, `-` or `@`, or with a tab or a carriage return (which
/// some programs skip before they look for the formula's sign), as OWASP's CSV-injection
/// advice lists them.
fn defuse(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}

/// The widest a column gets: 60 characters of Excel's default font (7 pixels each, and the
/// 5 pixels of the cell's margins).
const MAX_WIDTH_PX: u32 = 60 * 7 + 5;
/// How wide a full-width character (Chinese, `、`, `（`) shows in Excel's default font at its
/// default size: one em of 11 points at 96 dpi, 14.7 pixels, two digits' width.
/// rust_xlsxwriter's autofit counts 8 (`docs/adr/0005-xlsx-column-widths.md`).
const FULL_WIDTH_PX: u32 = 15;
/// What the header's filter button takes (as rust_xlsxwriter's autofit counts it).
const FILTER_BUTTON_PX: u32 = 16;

/// How wide a cell holding this text needs to be, in pixels: rust_xlsxwriter's measure of
/// the text (Excel's widths of the Latin characters, and the cell's padding), with each
/// full-width character counted at its width.
fn shown_width_px(text: &str) -> u32 {
    let full_width = text.chars().filter(|c| c.width() == Some(2)).count();
    let rest: String = text.chars().filter(|c| c.width() != Some(2)).collect();
    let full_width = u32::try_from(full_width).unwrap_or(u32::MAX);
    cell_autofit_width(&rest).saturating_add(full_width.saturating_mul(FULL_WIDTH_PX))
}

impl<const N: usize> Table<N> {
    pub fn new(sheet: Msg, columns: [Column; N]) -> Self {
        Self {
            sheet,
            title: None,
            columns,
            rows: Vec::new(),
        }
    }

    /// The table with this title.
    pub fn titled(mut self, title: Message) -> Self {
        self.title = Some(title);
        self
    }

    /// The headers in a language, in column order.
    pub fn headers(&self, lang: Lang) -> Vec<String> {
        self.columns.iter().map(|c| c.header.text(lang)).collect()
    }

    /// The column whose header is this message.
    pub fn column(&self, header: Msg) -> Option<usize> {
        self.columns.iter().position(|c| c.header == header)
    }

    /// The table as CSV text (with the byte-order mark).
    pub fn to_csv(&self, lang: Lang) -> Result<String, ExportError> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer("\u{feff}".as_bytes().to_vec());
        writer.write_record(self.headers(lang))?;
        for row in &self.rows {
            writer.write_record(row.iter().map(|cell| match cell {
                Cell::Text(_) | Cell::List(_) | Cell::Lines(_) => defuse(cell.render(lang)),
                _ => cell.render(lang),
            }))?;
        }
        let bytes = writer
            .into_inner()
            .map_err(|e| ExportError::Csv(e.error().to_string()))?;
        String::from_utf8(bytes).map_err(|e| ExportError::Csv(e.to_string()))
    }

    /// The table as an XLSX workbook of one sheet, set up to print.
    pub fn to_xlsx(&self, lang: Lang) -> Result<Vec<u8>, ExportError> {
        let mut workbook = Workbook::new();
        let bold = XlsxFormat::new().set_bold();
        let title_format = XlsxFormat::new()
            .set_bold()
            .set_font_size(14)
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter);
        let date = XlsxFormat::new().set_num_format("yyyy-mm-dd");
        let datetime = XlsxFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        let wrapped = XlsxFormat::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        let sheet = workbook.add_worksheet();
        sheet.set_name(self.sheet.text(lang))?;
        let last_col = u16::try_from(self.columns.len().saturating_sub(1)).unwrap_or(u16::MAX);
        // The title, if any, goes in the first row (written last: autofit must not measure it
        // into the first column); the header below it.
        let header_row: u32 = u32::from(self.title.is_some());
        // The least width of each column, in pixels, where autofit would measure too little:
        // the header (bold, with its filter button), text with full-width characters, and
        // date-times (autofit measures every date as `mm/dd/yyyy`).
        let mut least: Vec<u32> = Vec::with_capacity(self.columns.len());
        for (col, header) in (0u16..).zip(self.headers(lang)) {
            sheet.write_string_with_format(header_row, col, &header, &bold)?;
            // Bold takes about a character more than autofit counts.
            least.push(shown_width_px(&header) + FILTER_BUTTON_PX + 7);
        }
        for (row, cells) in (header_row + 1..).zip(&self.rows) {
            for ((col, cell), least) in (0u16..).zip(cells).zip(least.iter_mut()) {
                match cell {
                    Cell::Empty => {}
                    Cell::Date(day) => {
                        sheet.write_date_with_format(row, col, day, &date)?;
                    }
                    Cell::DateTime(time) => {
                        sheet.write_datetime_with_format(row, col, time, &datetime)?;
                        *least = (*least).max(shown_width_px(&cell.render(lang)));
                    }
                    Cell::Number(n) => {
                        // Counts and grades: far below 2^53, exact as a double.
                        sheet.write_number(row, col, *n as f64)?;
                    }
                    Cell::Lines(_) => {
                        let text = cell.render(lang);
                        let widest = text.lines().map(shown_width_px).max().unwrap_or(0);
                        *least = (*least).max(widest);
                        sheet.write_string_with_format(row, col, text, &wrapped)?;
                    }
                    Cell::Text(_) | Cell::Message(_) | Cell::List(_) => {
                        let text = cell.render(lang);
                        if text.chars().any(|c| c.width() == Some(2)) {
                            *least = (*least).max(shown_width_px(&text));
                        }
                        sheet.write_string(row, col, text)?;
                    }
                }
            }
        }
        sheet.set_freeze_panes(header_row + 1, 0)?;
        if let Ok(rows) = u32::try_from(self.rows.len()) {
            sheet.autofilter(header_row, 0, header_row + rows, last_col)?;
        }
        // Printing: landscape A4, one page wide and as many long as it takes, the header row
        // at the top of every page, centred, page numbers at the foot.
        sheet.set_landscape();
        sheet.set_paper_size(9);
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(header_row, header_row)?;
        sheet.set_print_center_horizontally(true);
        sheet.set_footer(format!("&C{}", Msg::PageFooter.text(lang)));
        // Autofit keeps a width set beforehand where that is the wider.
        for (col, least) in (0u16..).zip(least) {
            sheet.set_column_width_pixels(col, least.min(MAX_WIDTH_PX))?;
        }
        sheet.set_autofit_max_width(MAX_WIDTH_PX);
        sheet.autofit();
        if let Some(title) = &self.title {
            // Across the table's width.
            let title = title.text(lang);
            if last_col == 0 {
                sheet.write_string_with_format(0, 0, title, &title_format)?;
            } else {
                sheet.merge_range(0, 0, 0, last_col, &title, &title_format)?;
            }
            sheet.set_row_height(0, 24)?;
        }
        Ok(workbook.save_to_buffer()?)
    }

    /// The table in the given format: CSV text as bytes, or an XLSX workbook.
    pub fn render(&self, format: Format, lang: Lang) -> Result<Vec<u8>, ExportError> {
        match format {
            Format::Csv => Ok(self.to_csv(lang)?.into_bytes()),
            Format::Xlsx => self.to_xlsx(lang),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CSV of a table of one row of these text cells, without the byte-order mark and the
    /// header line.
    fn csv_row<const N: usize>(cells: [&str; N]) -> String {
        let mut table = Table::new(Msg::LedgerSheet, [Column::new(Msg::ColName); N]);
        table.rows.push(cells.map(Cell::text));
        let csv = table.to_csv(Lang::En).unwrap();
        let header = format!("\u{feff}{}\r\n", vec!["Name"; N].join(","));
        csv.strip_prefix(&header).unwrap().to_string()
    }

    #[test]
    fn a_field_with_a_comma_quote_or_line_break_is_quoted_and_its_quotes_doubled() {
        assert_eq!(csv_row(["plain"]), "plain\r\n");
        assert_eq!(csv_row(["a,b"]), "\"a,b\"\r\n");
        assert_eq!(csv_row(["say \"hi\""]), "\"say \"\"hi\"\"\"\r\n");
        assert_eq!(csv_row(["two\r\nlines"]), "\"two\r\nlines\"\r\n");
    }

    #[test]
    fn a_text_that_looks_like_a_formula_is_defused_in_csv_but_a_number_is_not() {
        let mut table = Table::new(Msg::LedgerSheet, [Column::new(Msg::ColName); 3]);
        table.rows.push([
            Cell::text("=HYPERLINK(\"x\")"),
            Cell::Number(-3),
            Cell::text("-"),
        ]);
        let csv = table.to_csv(Lang::En).unwrap();
        assert_eq!(
            csv,
            "\u{feff}Name,Name,Name\r\n\"'=HYPERLINK(\"\"x\"\")\",-3,'-\r\n"
        );
    }

    #[test]
    fn a_text_starting_with_a_tab_or_a_carriage_return_is_defused_too() {
        // OWASP's list: a spreadsheet program may skip the blank and run what follows.
        assert_eq!(
            csv_row(["\t=1+1", "\r=1+1", "+1", "@SUM(A1)", "a=b"]),
            "'\t=1+1,\"'\r=1+1\",'+1,'@SUM(A1),a=b\r\n"
        );
        // A list is text too.
        let mut table = Table::new(Msg::LedgerSheet, [Column::new(Msg::ColName)]);
        table
            .rows
            .push([Cell::List(vec![Cell::text("\t-1"), Cell::text("x")])]);
        assert!(
            table
                .to_csv(Lang::En)
                .unwrap()
                .ends_with("\r\n\"'\t-1, x\"\r\n"),
            "{:?}",
            table.to_csv(Lang::En)
        );
    }

    #[test]
    fn a_list_is_joined_the_way_each_language_writes_lists() {
        let list = Cell::List(vec![
            Cell::Message(Msg::CaseRoleHeadTeacher.into()),
            Cell::Empty,
            Cell::Message(Msg::CaseRolePrincipal.into()),
        ]);
        assert_eq!(list.render(Lang::Zh), "班主任、校长");
        assert_eq!(list.render(Lang::En), "head teacher, principal");
    }

    #[test]
    fn lang_and_format_are_read_from_their_names_and_anything_else_is_refused() {
        assert_eq!("en".parse::<Lang>(), Ok(Lang::En));
        assert_eq!("xlsx".parse::<Format>(), Ok(Format::Xlsx));
        assert_eq!(
            "fr".parse::<Lang>().unwrap_err().to_string(),
            "\"fr\" is not one of zh, en"
        );
        assert_eq!(
            "pdf".parse::<Format>().unwrap_err().to_string(),
            "\"pdf\" is not one of csv, xlsx"
        );
        assert_eq!(Lang::default(), Lang::Zh);
    }

    /// A part of an XLSX file (a zip archive of XML files), as text.
    fn part(xlsx: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
        text
    }

    #[test]
    fn the_xlsx_header_row_is_bold_frozen_and_filterable_and_columns_fit_their_content() {
        let mut table = Table::new(
            Msg::LedgerSheet,
            [Column::new(Msg::ColName), Column::new(Msg::ColDay)],
        );
        table.rows.push([
            Cell::text("一个很长很长很长很长的名字"),
            Cell::Date(NaiveDate::from_ymd_opt(2023, 11, 8).unwrap()),
        ]);
        let xlsx = table.to_xlsx(Lang::Zh).unwrap();
        let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
        assert!(
            sheet.contains(
                r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
            ),
            "{sheet}"
        );
        assert!(sheet.contains(r#"<autoFilter ref="A1:B2"/>"#), "{sheet}");
        // Header cells take the first style after the default; it is bold.
        assert!(sheet.contains(r#"<c r="A1" s="1" t="s">"#), "{sheet}");
        let styles = part(&xlsx, "xl/styles.xml");
        let fonts = styles.split("<font>").nth(2).unwrap_or_default();
        assert!(fonts.starts_with("<b/>"), "{styles}");
        assert!(styles.contains(r#"formatCode="yyyy-mm-dd""#), "{styles}");
        // 13 Chinese characters: 26 units and a little room.
        let width: f64 = sheet
            .split(r#"<col min="1" max="1" width=""#)
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .parse()
            .unwrap();
        assert!((26.0..=30.0).contains(&width), "{sheet}");
    }

    #[test]
    fn a_titled_xlsx_has_its_title_across_the_top_and_prints_landscape_one_page_wide_with_its_header_on_every_page()
     {
        // Given a table with a title and a cell of several lines
        let mut table = Table::new(
            Msg::LedgerSheet,
            [Column::new(Msg::ColNumber), Column::new(Msg::ColSteps)],
        )
        .titled(
            Message::new(Msg::LedgerTitle)
                .with("county", "喀左县")
                .with("scope", "全县")
                .with("day", NaiveDate::from_ymd_opt(2023, 11, 30).unwrap()),
        );
        table.rows.push([
            Cell::Number(1),
            Cell::Lines(vec![Cell::text("一"), Cell::text("二")]),
        ]);
        // When it is written as XLSX
        let xlsx = table.to_xlsx(Lang::Zh).unwrap();
        let sheet = part(&xlsx, "xl/worksheets/sheet1.xml");
        let workbook = part(&xlsx, "xl/workbook.xml");
        let strings = part(&xlsx, "xl/sharedStrings.xml");
        // Then the title is merged across the columns above the header
        assert!(sheet.contains(r#"<mergeCell ref="A1:B1"/>"#), "{sheet}");
        assert!(
            strings.contains("喀左县控辍保学工作台账（全县，截至2023年11月30日）"),
            "{strings}"
        );
        // and the header (row 2) is frozen, filterable and repeated on every printed page
        assert!(sheet.contains(r#"topLeftCell="A3""#), "{sheet}");
        assert!(sheet.contains(r#"<autoFilter ref="A2:B3"/>"#), "{sheet}");
        assert!(
            workbook.contains(r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">台账!$2:$2</definedName>"#),
            "{workbook}"
        );
        // and it prints landscape on A4, one page wide (fitToWidth's default, 1, is not
        // written) and as many pages long as it takes
        assert!(sheet.contains(r#"<pageSetUpPr fitToPage="1"/>"#), "{sheet}");
        assert!(
            sheet.contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#),
            "{sheet}"
        );
        assert!(!sheet.contains("fitToWidth"), "{sheet}");
        // and the title is not measured into the first column's width
        assert!(sheet.contains(r#"<col min="1" max="1" width="#), "{sheet}");
        assert!(
            !sheet.contains(r#"<col min="1" max="1" width="3"#),
            "{sheet}"
        );
        assert!(
            sheet.contains(r#"<printOptions horizontalCentered="1"/>"#),
            "{sheet}"
        );
        assert!(
            sheet.contains("<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"),
            "{sheet}"
        );
        // and the lines are one cell, wrapped
        assert!(strings.contains("一\n二"), "{strings}");
        // while CSV has no title row: the header comes first
        let csv = table.to_csv(Lang::Zh).unwrap();
        assert!(
            csv.starts_with("\u{feff}序号,劝返、帮扶措施（日期、人员）\r\n1,\"一\n二\"\r\n"),
            "{csv}"
        );
    }
}
